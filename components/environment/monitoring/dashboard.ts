import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EnvironmentName } from "../../../config/types";
import { albName, environmentResourceName } from "../../names";

type Widget = Record<string, unknown>;

/** A metric graph widget of the CloudWatch dashboard body format. */
function graph(
  title: string,
  metrics: unknown[],
  x: number,
  y: number,
  extra: Record<string, unknown> = {},
): Widget {
  return {
    type: "metric",
    x,
    y,
    width: 12,
    height: 6,
    properties: { title, metrics, view: "timeSeries", stacked: false, period: 60, ...extra },
  };
}

/**
 * The ALB's load-balancer-level metrics, found by search: the controller creates the ALB, so its
 * `LoadBalancer` dimension (`app/<name>/<id>`) ends in an id the program does not know. A quoted term would be
 * an exact match of the whole value and find nothing; the unquoted `app/<name>` is a partial match on those
 * consecutive tokens (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/search-expression-syntax.html,
 * "Partial matches"). The schema `{AWS/ApplicationELB,LoadBalancer}` keeps per-target-group series out.
 */
export function albSearch(environment: EnvironmentName, metric: string, stat: string): string {
  return `SEARCH('{AWS/ApplicationELB,LoadBalancer} MetricName="${metric}" LoadBalancer=app/${albName(environment)}', '${stat}', 60)`;
}

/**
 * What an operator watches during a switch, on one screen: the public ALB's 5xx rate — the targets' and the
 * load balancer's own, like the switch alarm — and p95 response time, and each queue's backlog age and dead
 * letters.
 */
export function dashboardBody(
  environment: EnvironmentName,
  region: string,
  queues: { name: string; queueName: string; deadLetterName: string }[],
): string {
  const search = (metric: string, stat: string) => albSearch(environment, metric, stat);
  const widgets: Widget[] = [
    graph(
      "API error rate (5xx %, targets and load balancer)",
      [
        [{ expression: search("HTTPCode_Target_5XX_Count", "Sum"), id: "targetErrors", visible: false }],
        [{ expression: search("HTTPCode_ELB_5XX_Count", "Sum"), id: "elbErrors", visible: false }],
        [{ expression: search("RequestCount", "Sum"), id: "requests", visible: false }],
        [
          {
            expression:
              "100 * (FILL(SUM(targetErrors), 0) + FILL(SUM(elbErrors), 0)) / (FILL(SUM(requests), 0) + FILL(SUM(elbErrors), 0))",
            id: "rate",
            label: "5xx %",
          },
        ],
      ],
      0,
      0,
      { region, yAxis: { left: { min: 0 } } },
    ),
    graph(
      "API response time p95 (s)",
      [[{ expression: search("TargetResponseTime", "p95"), id: "p95", label: "p95" }]],
      12,
      0,
      { region },
    ),
    ...queues.map((queue, index) =>
      graph(
        `Queue ${queue.name}: oldest message age (s) and dead letters`,
        [
          ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", queue.queueName, { stat: "Maximum" }],
          [
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            "QueueName",
            queue.deadLetterName,
            { stat: "Maximum", yAxis: "right" },
          ],
        ],
        (index % 2) * 12,
        6 + Math.floor(index / 2) * 6,
        { region },
      ),
    ),
  ];
  return JSON.stringify({ widgets });
}

export function dashboard(
  name: string,
  args: {
    environment: EnvironmentName;
    region: string;
    queues: { name: string; queueName: pulumi.Input<string>; deadLetterName: pulumi.Input<string> }[];
  },
  parent: pulumi.Resource,
): aws.cloudwatch.Dashboard {
  const queues = pulumi.all(
    args.queues.map((queue) =>
      pulumi
        .all([queue.queueName, queue.deadLetterName])
        .apply(([queueName, deadLetterName]) => ({ name: queue.name, queueName, deadLetterName })),
    ),
  );
  return new aws.cloudwatch.Dashboard(
    name,
    {
      dashboardName: environmentResourceName(args.environment),
      dashboardBody: queues.apply((resolved) => dashboardBody(args.environment, args.region, resolved)),
    },
    { parent },
  );
}

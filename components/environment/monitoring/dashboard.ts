import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EnvironmentName } from "../../../amsConfig/types";
import { albName } from "../publicEntry";

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
 * What an operator watches during a switch, on one screen: the public ALB's 5xx rate and p95 response
 * time (found by the load balancer's fixed name, since the controller creates it), and each queue's
 * backlog age and dead letters. The delivery components' per-color views sit beside it.
 */
export function dashboardBody(
  environment: EnvironmentName,
  region: string,
  queues: { name: string; queueName: string; deadLetterName: string }[],
): string {
  const alb = albName(environment);
  const search = (metric: string, stat: string) =>
    `SEARCH('{AWS/ApplicationELB,LoadBalancer} MetricName="${metric}" LoadBalancer="app/${alb}/"', '${stat}', 60)`;
  const widgets: Widget[] = [
    graph(
      "API error rate (5xx %)",
      [
        [{ expression: search("HTTPCode_Target_5XX_Count", "Sum"), id: "errors", visible: false }],
        [{ expression: search("RequestCount", "Sum"), id: "requests", visible: false }],
        [{ expression: "100 * SUM(errors) / SUM(requests)", id: "rate", label: "5xx %" }],
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
      dashboardName: `ams-${args.environment}`,
      dashboardBody: queues.apply((resolved) => dashboardBody(args.environment, args.region, resolved)),
    },
    { parent },
  );
}

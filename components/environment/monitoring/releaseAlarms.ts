import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AlarmThresholds, EnvironmentName } from "../../../config/types";
import { awsTags } from "../../labels";
import { ReleaseAlarmNames, releaseAlarmNames } from "../../names";

type MetricQuery = aws.types.input.cloudwatch.MetricAlarmMetricQuery;
type AlbMetricQuery = (id: string, metricName: string, stat: string) => MetricQuery;

/**
 * The switch's 5xx rate counts what users got, from either side of the load balancer
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html):
 * - `HTTPCode_Target_5XX_Count`: 5xx the pods answered;
 * - `HTTPCode_ELB_5XX_Count`: 5xx the ALB generated — 502 (a target reset the connection or answered
 *   garbage), 503 (no registered target), 504 (a target timed out). A flip to a color that cannot serve
 *   shows up here, not in the targets' count.
 * `RequestCount` only counts requests for which the ALB could choose a target, so a 503 for want of targets is
 * not in it: it is added to the denominator, else a color with no targets would have no requests, no rate,
 * and (missing data being "not breaching") no alarm. A 502 or 504 is in both, which slightly dilutes the
 * rate in that case — still far above any threshold when a color fails. With no requests and no errors at
 * all there is nothing to judge: missing data stays "not breaching", so a quiet environment can switch.
 * Missing values count as 0 in metric math (FILL makes it explicit for the alarm's sparse minutes).
 */
export function errorRateQueries(metric: AlbMetricQuery): MetricQuery[] {
  return [
    metric("targetErrors", "HTTPCode_Target_5XX_Count", "Sum"),
    metric("elbErrors", "HTTPCode_ELB_5XX_Count", "Sum"),
    metric("requests", "RequestCount", "Sum"),
    {
      id: "rate",
      label: "5xx % (targets and load balancer)",
      expression:
        "100 * (FILL(targetErrors, 0) + FILL(elbErrors, 0)) / (FILL(requests, 0) + FILL(elbErrors, 0))",
      returnData: true,
    },
  ];
}

/** Minutes an alarm looks at, and how many of them must breach: fast enough for a 10-minute bake. */
const PERIOD_SECONDS = 60;
const EVALUATION_PERIODS = 3;
const DATAPOINTS_TO_ALARM = 2;

/**
 * CloudWatch alarms on the environment's public ALB: 5xx rate, p95 response time and unhealthy targets.
 *
 * The AWS Load Balancer Controller creates the ALB, so its metric dimension (`app/<name>/<id>`) exists only
 * once the public entry Ingress has an address; the look-up waits for that Ingress (Pulumi awaits an
 * Ingress until the controller has provisioned its load balancer). Unhealthy hosts are reported per target
 * group, whose names the controller also chooses: a Metrics Insights query takes the worst of the ALB's
 * target groups — both colors' — so a color that cannot serve fires the alarm whichever it is.
 */
export function releaseAlarms(
  name: string,
  args: {
    environment: EnvironmentName;
    albName: string;
    publicEntry: pulumi.Resource;
    thresholds: AlarmThresholds;
    topicArn: pulumi.Input<string>;
  },
  parent: pulumi.Resource,
): ReleaseAlarmNames {
  const alb = aws.lb.getLoadBalancerOutput({ name: args.albName }, { parent, dependsOn: [args.publicEntry] });
  const names = releaseAlarmNames(args.environment);
  const common = {
    comparisonOperator: "GreaterThanThreshold",
    evaluationPeriods: EVALUATION_PERIODS,
    datapointsToAlarm: DATAPOINTS_TO_ALARM,
    // No requests means no errors: an idle environment must not block or abort a cut-over.
    treatMissingData: "notBreaching",
    alarmActions: [args.topicArn],
    okActions: [args.topicArn],
    tags: awsTags("monitoring"),
  };
  const albMetric = (id: string, metricName: string, stat: string): MetricQuery => ({
    id,
    returnData: false,
    metric: {
      namespace: "AWS/ApplicationELB",
      metricName,
      dimensions: { LoadBalancer: alb.arnSuffix },
      period: PERIOD_SECONDS,
      stat,
    },
  });

  new aws.cloudwatch.MetricAlarm(
    `${name}-5xx-rate`,
    {
      ...common,
      name: names.errorRate,
      alarmDescription: `More than ${args.thresholds.apiErrorRatePercent}% of API requests answered 5xx, by the targets or by the load balancer itself`,
      threshold: args.thresholds.apiErrorRatePercent,
      metricQueries: errorRateQueries(albMetric),
    },
    { parent },
  );
  new aws.cloudwatch.MetricAlarm(
    `${name}-p95-latency`,
    {
      ...common,
      name: names.latencyP95,
      alarmDescription: `API p95 response time above ${args.thresholds.apiP95LatencyMs} ms`,
      namespace: "AWS/ApplicationELB",
      metricName: "TargetResponseTime",
      dimensions: { LoadBalancer: alb.arnSuffix },
      extendedStatistic: "p95",
      period: PERIOD_SECONDS,
      // The ALB reports seconds.
      threshold: args.thresholds.apiP95LatencyMs / 1000,
    },
    { parent },
  );
  new aws.cloudwatch.MetricAlarm(
    `${name}-unhealthy-hosts`,
    {
      ...common,
      name: names.unhealthyHosts,
      alarmDescription: "A target of the API's load balancer failed its health check",
      threshold: 0,
      metricQueries: [
        {
          id: "unhealthy",
          label: "unhealthy targets (worst target group)",
          expression: pulumi.interpolate`SELECT MAX(UnHealthyHostCount) FROM SCHEMA("AWS/ApplicationELB", LoadBalancer, TargetGroup) WHERE LoadBalancer = '${alb.arnSuffix}'`,
          period: PERIOD_SECONDS,
          returnData: true,
        },
      ],
    },
    { parent },
  );
  return names;
}

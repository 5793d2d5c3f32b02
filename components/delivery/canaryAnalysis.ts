import { CanaryConfig, EnvironmentName } from "../../amsConfig/types";
import { namespaceName } from "../environment/policy";

/**
 * Prefix of the ALB target group the AWS Load Balancer Controller creates for a Service:
 * `k8s-<namespace, 8 alphanumerics>-<service, 8 alphanumerics>-<hash>`. CloudWatch metrics of the canary's
 * target group are found by it, since the controller (not Pulumi) names the group.
 */
export function targetGroupPrefix(environment: EnvironmentName, service: string): string {
  const clean = (value: string) => value.replace(/[^A-Za-z0-9]/g, "").slice(0, 8);
  return `k8s-${clean(namespaceName(environment))}-${clean(service)}-`;
}

type Metric = Record<string, unknown>;

function cloudWatchSearch(prefix: string, metricName: string, stat: string): string {
  return `SEARCH('{AWS/ApplicationELB,LoadBalancer,TargetGroup} MetricName="${metricName}" TargetGroup="targetgroup/${prefix}"', '${stat}', 60)`;
}

/**
 * The canary's health checks, evaluated every minute from the first traffic step on. Crossing a threshold
 * twice fails the analysis, and a failed analysis aborts the rollout: Argo Rollouts sends all traffic back
 * to the stable version and scales the canary down.
 */
export function canaryMetrics(
  environment: EnvironmentName,
  canaryService: string,
  config: CanaryConfig,
): Metric[] {
  const common = { interval: "1m", failureLimit: 1, inconclusiveLimit: 2 };
  if (config.metricsProvider === "prometheus") {
    const selector = `namespace="${namespaceName(environment)}",service="${canaryService}"`;
    return [
      {
        name: "error-rate",
        ...common,
        successCondition: `result[0] <= ${config.maxErrorRatePercent}`,
        provider: {
          prometheus: {
            address: config.prometheusAddress,
            query:
              `100 * sum(rate(http_server_requests_seconds_count{${selector},status=~"5.."}[2m])) / ` +
              `sum(rate(http_server_requests_seconds_count{${selector}}[2m]))`,
          },
        },
      },
      {
        name: "p95-latency",
        ...common,
        successCondition: `result[0] <= ${config.maxP95LatencyMs / 1000}`,
        provider: {
          prometheus: {
            address: config.prometheusAddress,
            query: `histogram_quantile(0.95, sum by (le) (rate(http_server_requests_seconds_bucket{${selector}}[2m])))`,
          },
        },
      },
    ];
  }
  const prefix = targetGroupPrefix(environment, canaryService);
  return [
    {
      name: "error-rate",
      ...common,
      successCondition: `all(result[0].Values, {# <= ${config.maxErrorRatePercent}})`,
      provider: {
        cloudWatch: {
          interval: "5m",
          metricDataQueries: [
            {
              id: "errors",
              expression: cloudWatchSearch(prefix, "HTTPCode_Target_5XX_Count", "Sum"),
              returnData: false,
            },
            {
              id: "requests",
              expression: cloudWatchSearch(prefix, "RequestCount", "Sum"),
              returnData: false,
            },
            { id: "rate", expression: "100 * FILL(SUM(errors), 0) / SUM(requests)" },
          ],
        },
      },
    },
    {
      name: "p95-latency",
      ...common,
      successCondition: `all(result[0].Values, {# <= ${config.maxP95LatencyMs / 1000}})`,
      provider: {
        cloudWatch: {
          interval: "5m",
          metricDataQueries: [
            { id: "p95", expression: cloudWatchSearch(prefix, "TargetResponseTime", "p95") },
          ],
        },
      },
    },
  ];
}

/** `setWeight` steps with a pause after each but the last: 5 → pause → 20 → pause → 50 → pause → 100. */
export function canarySteps(config: Pick<CanaryConfig, "steps" | "pause">): Record<string, unknown>[] {
  return config.steps.flatMap((weight, index) => [
    { setWeight: weight },
    ...(index < config.steps.length - 1 ? [{ pause: { duration: config.pause } }] : []),
  ]);
}

import { CanaryConfig, EnvironmentName } from "../../../config/types";
import { namespaceName } from "../../names";

/**
 * How the AWS Load Balancer Controller names the target group of a Service:
 * `k8s-<namespace, 8 alphanumerics>-<service, 8 alphanumerics>-<10 hex of a hash>`, where the hash covers the
 * Service's UID (`buildTargetGroupName`, pkg/ingress/model_build_target_group.go in
 * kubernetes-sigs/aws-load-balancer-controller). Its CloudWatch `TargetGroup` dimension is
 * `targetgroup/<that name>/<16 hex id>`. Only the beginning is known before the controller runs.
 */
export function targetGroupNamePrefix(environment: EnvironmentName, service: string): string {
  const clean = (value: string) => value.replace(/[^A-Za-z0-9]/g, "").slice(0, 8);
  return `k8s-${clean(namespaceName(environment))}-${clean(service)}`;
}

type Metric = Record<string, unknown>;

/**
 * The target group's metrics, found by search. The TargetGroup term is unquoted on purpose: a quoted term
 * matches only a whole dimension value exactly, and the controller appends a hash and an id the program cannot
 * know. Unquoted, it is a partial match on the consecutive tokens of the name (CloudWatch search expression
 * syntax, "Partial matches" and "Non-alphanumeric characters":
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/search-expression-syntax.html).
 */
export function targetGroupSearch(
  environment: EnvironmentName,
  service: string,
  metricName: string,
  stat: string,
): string {
  const term = targetGroupNamePrefix(environment, service);
  return `SEARCH('{AWS/ApplicationELB,LoadBalancer,TargetGroup} MetricName="${metricName}" TargetGroup=${term}', '${stat}', 60)`;
}

/**
 * Success conditions that count "no data" as a failure. Argo Rollouts evaluates them with expr
 * (`EvaluateResult`, utils/evaluate/evaluate.go in argoproj/argo-rollouts): with only a success condition, a
 * measurement whose condition is false is Failed. `all(...)` over an empty list is true, so without the length
 * checks a search that finds no series — or a window without requests — would pass; and `result[0]` on an
 * empty Prometheus vector is an evaluation error, not a failure. The guards come first and `&&`
 * short-circuits, so the rest is never evaluated on missing data. NaN (0/0) compares false, so it fails too.
 */
export const CLOUDWATCH_HAS_DATA = "len(result) > 0 && len(result[0].Values) > 0";
export const PROMETHEUS_HAS_DATA = "len(result) > 0";

/**
 * The canary's health checks, evaluated every minute from the first traffic step on, after the first minutes
 * of load balancer metrics exist (ALB metrics arrive about a minute late). Crossing a threshold — or having no
 * data — twice fails the analysis, and a failed analysis aborts the rollout: Argo Rollouts sends all traffic
 * back to the stable version and scales the canary down.
 */
export function canaryMetrics(
  environment: EnvironmentName,
  canaryService: string,
  config: CanaryConfig,
): Metric[] {
  const common = { interval: "1m", initialDelay: "2m", failureLimit: 1, inconclusiveLimit: 2 };
  if (config.metricsProvider === "prometheus") {
    const selector = `namespace="${namespaceName(environment)}",service="${canaryService}"`;
    const atMost = (limit: number) => `${PROMETHEUS_HAS_DATA} && result[0] <= ${limit}`;
    return [
      {
        name: "error-rate",
        ...common,
        successCondition: atMost(config.maxErrorRatePercent),
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
        successCondition: atMost(config.maxP95LatencyMs / 1000),
        provider: {
          prometheus: {
            address: config.prometheusAddress,
            query: `histogram_quantile(0.95, sum by (le) (rate(http_server_requests_seconds_bucket{${selector}}[2m])))`,
          },
        },
      },
    ];
  }
  const search = (metricName: string, stat: string) =>
    targetGroupSearch(environment, canaryService, metricName, stat);
  const allAtMost = (limit: number) => `${CLOUDWATCH_HAS_DATA} && all(result[0].Values, {# <= ${limit}})`;
  return [
    {
      name: "error-rate",
      ...common,
      successCondition: allAtMost(config.maxErrorRatePercent),
      provider: {
        cloudWatch: {
          interval: "5m",
          metricDataQueries: [
            { id: "errors", expression: search("HTTPCode_Target_5XX_Count", "Sum"), returnData: false },
            { id: "requests", expression: search("RequestCount", "Sum"), returnData: false },
            // Metric math treats a missing value as 0 and drops a division by zero: minutes without
            // requests have no value at all, so a canary that gets no traffic cannot pass.
            { id: "rate", expression: "100 * FILL(SUM(errors), 0) / SUM(requests)" },
          ],
        },
      },
    },
    {
      name: "p95-latency",
      ...common,
      successCondition: allAtMost(config.maxP95LatencyMs / 1000),
      provider: {
        cloudWatch: {
          interval: "5m",
          metricDataQueries: [{ id: "p95", expression: search("TargetResponseTime", "p95") }],
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

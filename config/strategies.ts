import { BlockReader } from "./block";
import { ProblemList } from "./errors";
import { RawConfig } from "./rawConfig";
import { CanaryConfig, METRICS_PROVIDERS, RollingConfig } from "./types";

/** An Argo Rollouts duration: a number with unit s, m or h (`30s`, `5m`, `1h`). */
const DURATION = /^[1-9]\d*(s|m|h)$/;

export function readRolling(raw: RawConfig, problems: ProblemList): RollingConfig | undefined {
  const block = BlockReader.of(raw, problems, "rolling", ["maxSurge", "minReadySeconds"]);
  if (!block) return undefined;
  const maxSurge = block.string(
    "maxSurge",
    (v) => /^([1-9]\d?%|100%|[1-9]\d*)$/.test(v),
    'a pod count or a percentage such as "25%"',
  );
  const minReadySeconds = block.integer("minReadySeconds", { min: 0, max: 600 });
  return block.complete ? { maxSurge, minReadySeconds } : undefined;
}

export function readCanary(raw: RawConfig, problems: ProblemList): CanaryConfig | undefined {
  const block = BlockReader.of(raw, problems, "canary", [
    "steps",
    "pause",
    "maxErrorRatePercent",
    "maxP95LatencyMs",
    "metricsProvider",
    "prometheusAddress",
  ]);
  if (!block) return undefined;
  const steps = readSteps(block);
  const pause = block.string("pause", (v) => DURATION.test(v), 'a duration such as "30s", "5m" or "1h"');
  const maxErrorRatePercent = block.integer("maxErrorRatePercent", { min: 1, max: 100 });
  const maxP95LatencyMs = block.integer("maxP95LatencyMs", { min: 10, max: 60000 });
  const metricsProvider = block.oneOf("metricsProvider", METRICS_PROVIDERS);
  const prometheusAddress = block.string(
    "prometheusAddress",
    (v) => v === "" || /^https?:\/\/[^\s]+$/.test(v),
    'an http(s) URL, or "" when metrics come from CloudWatch',
  );
  if (metricsProvider === "prometheus" && prometheusAddress === "") {
    block.reject("prometheusAddress", "the Prometheus URL, because metricsProvider is prometheus");
  }
  if (!block.complete || !steps) return undefined;
  return {
    steps,
    pause,
    maxErrorRatePercent,
    maxP95LatencyMs,
    metricsProvider,
    prometheusAddress: prometheusAddress === "" ? undefined : prometheusAddress,
  };
}

/** Traffic steps: integers 1–100, strictly increasing, the last one 100 (the rollout completes). */
export function readSteps(block: BlockReader, field = "steps"): number[] | undefined {
  const steps = block.integerList(field, { min: 1, max: 100 });
  if (!steps) return undefined;
  if (steps.length === 0) {
    block.reject(field, "at least one step, the last being 100");
    return undefined;
  }
  if (steps.some((step, i) => i > 0 && step <= steps[i - 1])) {
    block.reject(field, "strictly increasing percentages, such as [5, 20, 50, 100]");
    return undefined;
  }
  if (steps[steps.length - 1] !== 100) {
    block.reject(field, "a list ending with 100, so the rollout completes");
    return undefined;
  }
  return steps;
}

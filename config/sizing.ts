import { ProblemList } from "./errors";
import { checkInteger, numberFrom, readObject, reportUnknownFields } from "./fields";
import { CPU_FORMAT, MEMORY_FORMAT, parseCpuMillis, parseMemoryBytes } from "./quantities";
import { RawConfig } from "./rawConfig";
import { EnvironmentName, ServiceName, ServiceSizing } from "./types";

const SIZING_FIELDS = [
  "minReplicas",
  "maxReplicas",
  "cpuRequest",
  "cpuLimit",
  "memoryRequest",
  "memoryLimit",
];

/** Upper bound that catches a typo (200 instead of 20) before it becomes a bill. */
const MAX_REPLICAS = 50;

/**
 * Reads the sizing block of one service (`api`, `worker`). Every field is required: Pulumi replaces a
 * structured default as a whole when a stack sets the key, so a partial block would silently lose fields.
 */
export function readSizing(
  raw: RawConfig,
  problems: ProblemList,
  service: ServiceName,
  environment: EnvironmentName | undefined,
): ServiceSizing | undefined {
  const block = readObject(raw, problems, service, `the fields ${SIZING_FIELDS.join(", ")}`);
  if (block === undefined) return undefined;
  reportUnknownFields(problems, service, block, SIZING_FIELDS);

  // Zero-downtime node drains need a second pod to take over while one is evicted.
  const minFloor = environment === "prod" ? 2 : 1;
  const minReplicas = checkInteger(
    problems,
    `${service}.minReplicas`,
    numberFrom(block.minReplicas),
    block.minReplicas,
    { min: minFloor, max: MAX_REPLICAS },
  );
  const maxReplicas = checkInteger(
    problems,
    `${service}.maxReplicas`,
    numberFrom(block.maxReplicas),
    block.maxReplicas,
    { min: minReplicas ?? 1, max: MAX_REPLICAS },
  );
  const cpu = readPair(problems, service, block, "cpu", parseCpuMillis, CPU_FORMAT);
  const memory = readPair(problems, service, block, "memory", parseMemoryBytes, MEMORY_FORMAT);
  if (minReplicas === undefined || maxReplicas === undefined || !cpu || !memory) return undefined;
  return {
    minReplicas,
    maxReplicas,
    cpuRequest: cpu.request,
    cpuLimit: cpu.limit,
    memoryRequest: memory.request,
    memoryLimit: memory.limit,
  };
}

/** Reads `<kind>Request` and `<kind>Limit` and checks that the request fits under the limit. */
function readPair(
  problems: ProblemList,
  service: ServiceName,
  block: Record<string, unknown>,
  kind: "cpu" | "memory",
  parse: (quantity: string) => number | undefined,
  format: string,
): { request: string; limit: string } | undefined {
  // YAML and `--set` turn `2` into a number; Kubernetes accepts it as a quantity, so do we.
  const asQuantity = (value: unknown) =>
    typeof value === "number" && Number.isFinite(value) ? String(value) : value;
  const request = asQuantity(block[`${kind}Request`]);
  const limit = asQuantity(block[`${kind}Limit`]);
  const requestValue = typeof request === "string" ? parse(request) : undefined;
  const limitValue = typeof limit === "string" ? parse(limit) : undefined;
  if (requestValue === undefined) problems.add(`${service}.${kind}Request`, request, format);
  if (limitValue === undefined) problems.add(`${service}.${kind}Limit`, limit, format);
  if (requestValue === undefined || limitValue === undefined) return undefined;
  if (requestValue > limitValue) {
    problems.add(`${service}.${kind}Request`, request, `at most ${service}.${kind}Limit (${String(limit)})`);
    return undefined;
  }
  return { request: request as string, limit: limit as string };
}

import { ConfigError, ProblemList } from "./errors";
import { closest } from "./suggest";
import { readEnum } from "./fields";
import { RawConfig } from "./rawConfig";
import { readData, readMonitoring, readRegistry } from "./data";
import { readDelivery } from "./delivery";
import { readFeatureFlags } from "./featureFlags";
import { readCluster, readNetwork, readPublicEntry } from "./platform";
import { readRelease } from "./release";
import { readCanary, readRolling } from "./strategies";
import { readSizing } from "./sizing";
import {
  AmsConfig,
  ENVIRONMENTS,
  EnvironmentName,
  LOG_LEVELS,
  SERVICES,
  ServiceName,
  ServiceSizing,
} from "./types";

/** Commercial, GovCloud and China partitions: `ap-northeast-2`, `us-gov-west-1`, `cn-north-1`. */
const AWS_REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

export interface ConfigSource {
  readonly project: string;
  readonly stack: string;
  /** Keys of the project namespace (`ams:`), without the prefix, raw as Pulumi hands them over. */
  readonly raw: RawConfig;
  /** `aws:region` from the stack's provider config. */
  readonly awsRegion: string | undefined;
}

/**
 * Turns raw stack config into a validated, frozen `AmsConfig`, or throws one `ConfigError` listing every
 * problem. Pure: no Pulumi runtime, no I/O, so it is tested directly and runs before any resource exists.
 */
export function parseAmsConfig(source: ConfigSource): AmsConfig {
  const { raw, stack } = source;
  const problems = new ProblemList();

  const environment = readEnvironment(raw, problems, stack);
  if (source.awsRegion === undefined || !AWS_REGION_PATTERN.test(source.awsRegion)) {
    problems.add("aws:region", source.awsRegion, 'an AWS region code such as "ap-northeast-2"');
  }
  const release = readRelease(raw, problems);
  const sizing: Partial<Record<ServiceName, ServiceSizing>> = {};
  for (const service of SERVICES) sizing[service] = readSizing(raw, problems, service, environment);
  const logLevel = readEnum(raw, problems, "appLogLevel", LOG_LEVELS);
  const network = readNetwork(raw, problems);
  const cluster = readCluster(raw, problems, environment);
  const publicEntry = readPublicEntry(raw, problems, source.awsRegion);
  const data = readData(raw, problems, environment);
  const registry = readRegistry(raw, problems);
  const monitoring = readMonitoring(raw, problems);
  const delivery = readDelivery(raw, problems, environment);
  const rolling = readRolling(raw, problems);
  const canary = readCanary(raw, problems);
  const featureFlags = readFeatureFlags(raw, problems, source.awsRegion);

  for (const key of raw.unreadKeys()) {
    problems.addUnknownKey(key, suggest(key, raw));
  }

  if (problems.all.length > 0) throw new ConfigError(stack, problems.all);
  return deepFreeze({
    project: source.project,
    stack,
    environment: environment as EnvironmentName,
    awsRegion: source.awsRegion as string,
    release: release!,
    sizing: sizing as Record<ServiceName, ServiceSizing>,
    app: { logLevel: logLevel! },
    network: network!,
    cluster: cluster!,
    publicEntry: publicEntry!,
    data: data!,
    registry: registry!,
    monitoring: monitoring!,
    delivery: delivery!,
    rolling: rolling!,
    canary: canary!,
    featureFlags: featureFlags!,
  });
}

function readEnvironment(raw: RawConfig, problems: ProblemList, stack: string): EnvironmentName | undefined {
  const explicit = raw.get("environment") ?? "";
  const value = explicit === "" ? stack : explicit;
  if ((ENVIRONMENTS as readonly string[]).includes(value)) return value as EnvironmentName;
  if (explicit === "") {
    problems.add(
      "environment",
      "",
      `one of ${ENVIRONMENTS.join(", ")}; it defaults to the stack name, and "${stack}" is not one of them`,
    );
  } else {
    readEnum(raw, problems, "environment", ENVIRONMENTS);
  }
  return undefined;
}

/** "did you mean activeColor?" for a near-miss key, else the list of known keys. */
function suggest(unknownKey: string, raw: RawConfig): string {
  const known = raw.knownKeys();
  const close = closest(unknownKey, known);
  return close ? `did you mean ${close}?` : `known keys: ${known.join(", ")}`;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

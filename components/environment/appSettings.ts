import { AmsConfig } from "../../config/types";

/** Name of the ConfigMap every AMS pod mounts with `envFrom`; fixed so workloads can reference it. */
export const SHARED_CONFIG_MAP = "ams-shared-config";

/**
 * Parameter Store prefix for one environment, in the Spring Cloud AWS convention
 * `/config/<application>_<profile>/`; each parameter below it is one Spring property.
 */
export function parameterPath(environment: string): string {
  return `/config/ams_${environment}/`;
}

/**
 * Spring properties the environment owns, stored in Parameter Store (one parameter each) so that they can
 * be changed and audited per environment without an image rebuild. Other components add endpoints, queue
 * URLs and the feature-flag service's URL here.
 */
export function applicationProperties(config: AmsConfig): Record<string, string> {
  return {
    "ams.environment": config.environment,
    "logging.level.root": config.app.logLevel,
  };
}

/** Seconds Spring waits for in-flight requests on shutdown; pod grace periods must exceed it. */
export const SHUTDOWN_PHASE_SECONDS = 30;

/**
 * Environment variables every AMS container starts with: only what the application needs before it can
 * read Parameter Store (profile, where to import from, region) and the runtime behaviour zero-downtime
 * releases depend on (graceful shutdown, probe endpoints, heap sized from the container limit).
 */
export function bootstrapEnvironment(config: AmsConfig): Record<string, string> {
  return {
    SPRING_PROFILES_ACTIVE: config.environment,
    SPRING_CONFIG_IMPORT: `aws-parameterstore:${parameterPath(config.environment)}`,
    AWS_REGION: config.awsRegion,
    SERVER_SHUTDOWN: "graceful",
    SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE: `${SHUTDOWN_PHASE_SECONDS}s`,
    MANAGEMENT_ENDPOINT_HEALTH_PROBES_ENABLED: "true",
    JAVA_TOOL_OPTIONS: "-XX:MaxRAMPercentage=75.0 -XX:+ExitOnOutOfMemoryError",
  };
}

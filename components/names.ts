import { Color, EnvironmentName, ServiceName } from "../config/types";

/**
 * Physical names: what AWS, Kubernetes and Parameter Store call the objects of an AMS environment, as
 * opposed to Pulumi's logical names (`${name}-vpc`), which only the state sees. Operators, dashboards,
 * alarms, IAM scoping and the application itself find objects by these names, and changing one renames —
 * for most AWS resources replaces — a live object. So they are built here and nowhere else (a spec refuses an
 * inline `ams-${…}` name in the components).
 */

/** `ams-<environment>[-<part>…]`: the prefix of every AWS name of one environment. */
export function environmentResourceName(environment: EnvironmentName, ...parts: string[]): string {
  return ["ams", environment, ...parts].join("-");
}

/** The EKS cluster: fixed per environment, so IAM scoping and subnet tags can name it up front. */
export function clusterName(environment: EnvironmentName): string {
  return environmentResourceName(environment);
}

/** Kubernetes namespace of an environment: the seed's "own namespace per environment". */
export function namespaceName(environment: EnvironmentName): string {
  return environmentResourceName(environment);
}

/** The ALB's name: fixed per environment, so dashboards, alarms and WAF logs keep finding it. */
export function albName(environment: EnvironmentName): string {
  return environmentResourceName(environment, "public");
}

/**
 * Ingress group every public route of the environment joins; the AWS Load Balancer Controller merges all
 * Ingresses of one group into one ALB, so the delivery components attach their routes to this ALB.
 */
export function ingressGroup(environment: EnvironmentName): string {
  return environmentResourceName(environment, "public");
}

/** The KMS alias of the environment's key. */
export function keyAlias(environment: EnvironmentName): string {
  return `alias/${environmentResourceName(environment)}`;
}

/** Every secret of an environment lives under this Secrets Manager name prefix (IAM scopes to it). */
export function appSecretPrefix(environment: EnvironmentName): string {
  return `ams/${environment}/`;
}

/** Name of the environment's application secret in Secrets Manager. */
export function appSecretName(environment: EnvironmentName): string {
  return `${appSecretPrefix(environment)}app`;
}

/**
 * Parameter Store prefix for one environment, in the Spring Cloud AWS convention
 * `/config/<application>_<profile>/`; each parameter below it is one Spring property.
 */
export function parameterPath(environment: EnvironmentName): string {
  return `/config/ams_${environment}/`;
}

/** Parameter Store prefix of one service's own properties (`/config/ams-api_<env>/`), read after the shared one. */
export function serviceParameterPath(environment: EnvironmentName, service: ServiceName): string {
  return `/config/${workloadName(service)}_${environment}/`;
}

/** CloudWatch log group of the VPC's flow logs. */
export function flowLogGroupName(environment: EnvironmentName): string {
  return `/aws/vpc/${environmentResourceName(environment)}/flow-logs`;
}

/** An SQS job queue (its dead-letter queue appends `-dlq`). */
export function queueName(environment: EnvironmentName, queue: string): string {
  return environmentResourceName(environment, queue);
}

/** The data stores' identifiers (Aurora cluster, DocumentDB cluster, ElastiCache group, Unleash's RDS). */
export function dataStoreIdentifier(
  environment: EnvironmentName,
  store: "postgres" | "docdb" | "redis" | "unleash",
): string {
  return environmentResourceName(environment, store);
}

/** The n-th (from 1) Aurora instance of the environment. */
export function postgresInstanceIdentifier(environment: EnvironmentName, index: number): string {
  return environmentResourceName(environment, "postgres", String(index));
}

export interface ReleaseAlarmNames {
  readonly errorRate: string;
  readonly latencyP95: string;
  readonly unhealthyHosts: string;
}

/** The switch alarms on the public ALB, which a cut-over is judged by. */
export function releaseAlarmNames(environment: EnvironmentName): ReleaseAlarmNames {
  return {
    errorRate: environmentResourceName(environment, "api-5xx-rate"),
    latencyP95: environmentResourceName(environment, "api-p95-latency"),
    unhealthyHosts: environmentResourceName(environment, "api-unhealthy-hosts"),
  };
}

/**
 * An AMS service's workload and everything named after it: Deployment or Rollout, Service, Ingress,
 * ServiceAccount, the app name (`app.kubernetes.io/name`, `SPRING_APPLICATION_NAME`) and its image.
 */
export function workloadName<Service extends string>(service: Service): `ams-${Service}` {
  return `ams-${service}`;
}

/** Kubernetes service account of a workload; fixed so pod templates can name it. */
export function serviceAccountName(service: ServiceName): string {
  return workloadName(service);
}

/** A blue-green color's Deployment and Service of a service (`ams-api-blue`). */
export function colorWorkloadName(service: string, color: Color): string {
  return `${workloadName(service)}-${color}`;
}

/** Blue-green's preview Service, which selects the idle color. */
export function previewServiceName(service: string): string {
  return `${workloadName(service)}-preview`;
}

/** Canary's stable and canary Services of the api (the Rollout moves traffic between them). */
export function canaryServiceName(service: string, role: "stable" | "canary"): string {
  return `${workloadName(service)}-${role}`;
}

/** The smoke test Job of a service (per color for blue-green); the Job itself is named by version too. */
export function smokeJobPrefix(service: string, color?: Color): string {
  return `${workloadName(service)}-smoke${color ? `-${color}` : ""}`;
}

/** A blue-green worker color's consume switch (a ConfigMap its pods follow). */
export function consumerSwitchName(color: Color): string {
  return `${workloadName("worker")}-switch-${color}`;
}

/** The Role (and its binding) that lets the workers read their consume switches. */
export const CONSUMER_SWITCH_READER = `${workloadName("worker")}-switch-reader`;

/** Name of the ConfigMap every AMS pod mounts with `envFrom`; fixed so workloads can reference it. */
export const SHARED_CONFIG_MAP = "ams-shared-config";

/** The Kubernetes Secret of the cache's AUTH token (synced by External Secrets), which every AMS pod reads. */
export const REDIS_SECRET = "ams-redis";

/** The app's own secret (the Unleash client token, FEATURE_FLAG_SDK_KEY): services only, not gate Jobs. */
export const APP_SECRET = "ams-app";

/** The Ingress that owns the public ALB's load-balancer-level settings. */
export const PUBLIC_INGRESS_NAME = "ams-public";

/** The namespace's container defaults (LimitRange) and its ResourceQuota. */
export const CONTAINER_DEFAULTS_NAME = "ams-container-defaults";
export const NAMESPACE_QUOTA_NAME = "ams-quota";

/** ConfigMap with the CA certificates of the stack's region that Aurora and DocumentDB certificates chain to. */
export const RDS_CA_CONFIG_MAP = "ams-rds-ca";

/** Kubernetes Secrets the database user bootstrap reads (the managed master secrets, which AWS rotates). */
export const POSTGRES_ADMIN_SECRET = "ams-postgres-admin";
export const DOCUMENTDB_ADMIN_SECRET = "ams-documentdb-admin";
/** Kubernetes Secret the migration Job reads: FLYWAY_URL, FLYWAY_USER, FLYWAY_PASSWORD. */
export const MIGRATOR_SECRET = "ams-postgres-migrator";

/**
 * The migration Job of a version (per color for blue-green: `ams-migrate-blue`); the Job itself is named by
 * version too, so each version migrates once.
 */
export function migrationJobPrefix(color?: Color): string {
  return `ams-migrate${color ? `-${color}` : ""}`;
}

/**
 * The release component's logical name. Not a physical name, but fixed all the same: the aliases of the
 * objects strategies share name it (components/delivery/core/sharedObjects.ts), so renaming it would
 * replace them.
 */
export const RELEASE_COMPONENT_NAME = "ams-release";

import type { FeatureFlagsConfig } from "./featureFlags";

/**
 * The typed shape of an AMS stack's configuration. `config/load.ts` is the only code that builds one, from
 * `pulumi.Config`; everything else receives it (or a slice of it) as an argument.
 */

/**
 * Config keys whose values are secrets: set only with `pulumi config set --secret`, read only as Pulumi
 * secrets, stored encrypted (`secure:`) in stack files.
 */
export const SECRET_CONFIG_KEYS = ["featureFlagAdminToken"] as const;

export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

/** How a new version reaches traffic (roadmap v1.0, v1.1, v1.2). */
export const STRATEGIES = ["rolling", "blueGreen", "canary"] as const;
export type Strategy = (typeof STRATEGIES)[number];

export const COLORS = ["blue", "green"] as const;
export type Color = (typeof COLORS)[number];

/**
 * What the color that is not taking traffic keeps running.
 * `full`: as many replicas as the active color, so a rollback is a routing change only.
 * `scaledDown`: one warm pod (preview route and smoke test still work), cheaper; a flip to it first waits
 *   for the scale-up to the active color's minimum.
 */
export const IDLE_COLOR_POLICIES = ["full", "scaledDown"] as const;
export type IdleColorPolicy = (typeof IDLE_COLOR_POLICIES)[number];

export const LOG_LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Names of the AMS workloads; each has its own sizing block in config. */
export const SERVICES = ["api", "worker"] as const;
export type ServiceName = (typeof SERVICES)[number];

/** Compute sizing of one workload, per color. Quantities are kept as Kubernetes strings and as numbers. */
export interface ServiceSizing {
  /** Replicas the HPA never goes below (and the idle color keeps under the `full` policy). */
  readonly minReplicas: number;
  /** Replicas the HPA never goes above. */
  readonly maxReplicas: number;
  /** CPU request, Kubernetes quantity (e.g. `250m`). */
  readonly cpuRequest: string;
  /** CPU limit, Kubernetes quantity. */
  readonly cpuLimit: string;
  /** Memory request, Kubernetes quantity (e.g. `512Mi`); the JVM heap is sized from the limit. */
  readonly memoryRequest: string;
  /** Memory limit, Kubernetes quantity. */
  readonly memoryLimit: string;
}

/** The versions and routing the stack declares; see `release/state.ts` for what follows. */
export interface ReleaseConfig {
  readonly strategy: Strategy;
  readonly activeColor: Color;
  /** Image tag deployed on each color; `undefined` = that color has never been given a version. */
  readonly versions: Readonly<Record<Color, string | undefined>>;
  /** Percent (0–100) of public traffic sent to the idle color. */
  readonly previewWeight: number;
  readonly idleColorPolicy: IdleColorPolicy;
}

export interface AppSettings {
  /** Root log level handed to Spring Boot (`LOGGING_LEVEL_ROOT`). */
  readonly logLevel: LogLevel;
}

export interface AmsConfig {
  readonly project: string;
  readonly stack: string;
  readonly environment: EnvironmentName;
  readonly awsRegion: string;
  readonly release: ReleaseConfig;
  readonly sizing: Readonly<Record<ServiceName, ServiceSizing>>;
  readonly app: AppSettings;
  readonly network: NetworkConfig;
  readonly cluster: ClusterConfig;
  readonly publicEntry: PublicEntryConfig;
  readonly data: DataConfig;
  readonly registry: RegistryConfig;
  readonly monitoring: MonitoringConfig;
  readonly delivery: DeliveryConfig;
  readonly rolling: RollingConfig;
  readonly canary: CanaryConfig;
  /** The environment's Unleash and the flags it serves (see `config/featureFlags.ts`). */
  readonly featureFlags: FeatureFlagsConfig;
}

export const NAT_GATEWAY_STRATEGIES = ["single", "perAz"] as const;
export type NatGatewayStrategy = (typeof NAT_GATEWAY_STRATEGIES)[number];

export interface NetworkConfig {
  /** IPv4 CIDR of the VPC, /16 to /20; distinct per environment so they can be peered later. */
  readonly cidr: string;
  /** Availability zones the VPC spans, 2–6. */
  readonly availabilityZones: number;
  /** `perAz` survives the loss of an AZ's NAT; `single` is cheaper. */
  readonly natGateways: NatGatewayStrategy;
  /** VPC flow logs to CloudWatch Logs (encrypted with the environment's key). */
  readonly flowLogs: boolean;
}

export const CLUSTER_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;
export type ClusterLogType = (typeof CLUSTER_LOG_TYPES)[number];

export const CAPACITY_TYPES = ["ON_DEMAND", "SPOT"] as const;
export type CapacityType = (typeof CAPACITY_TYPES)[number];

export interface NodeGroupConfig {
  readonly instanceTypes: readonly string[];
  readonly minSize: number;
  readonly desiredSize: number;
  readonly maxSize: number;
  /** Root volume size in GiB. */
  readonly diskSizeGib: number;
  readonly capacityType: CapacityType;
}

export interface ClusterConfig {
  /** EKS Kubernetes minor version, e.g. `1.33`; upgrades are a deliberate config change. */
  readonly kubernetesVersion: string;
  /** IAM role/user ARNs granted cluster-admin through EKS access entries. */
  readonly adminPrincipalArns: readonly string[];
  /** CIDRs allowed to reach the public API endpoint; empty = private endpoint only. */
  readonly publicAccessCidrs: readonly string[];
  readonly logTypes: readonly ClusterLogType[];
  readonly nodeGroup: NodeGroupConfig;
  /** The automation's IAM roles and the cluster access each gets (see `ciClusterAccess` in Pulumi.yaml). */
  readonly ciAccess: CiClusterAccess;
}

export interface CiClusterAccess {
  /** Role that runs `pulumi up`/`refresh` (Pulumi Deployments): cluster-admin; `undefined` = none. */
  readonly deployRoleArn: string | undefined;
  /** Roles that only run `pulumi preview` (Deployments, CI): authenticated, no Kubernetes permission. */
  readonly previewRoleArns: readonly string[];
}

export interface PublicEntryConfig {
  /** Host name of the AMS API on the public ALB. */
  readonly apiHost: string;
  /** ACM certificate for `apiHost`, in the stack's region. */
  readonly certificateArn: string;
  /** Regional WAFv2 web ACL to attach; `undefined` for none. */
  readonly wafAclArn: string | undefined;
  /** Seconds the ALB keeps sending in-flight requests to a deregistering target. */
  readonly deregistrationDelaySeconds: number;
}

/**
 * When AWS applies a data store change (size, version, parameters): `true` in the `pulumi up` that makes
 * it (a writer restarts or fails over then), `false` in the store's weekly maintenance window (the
 * update reports success while the change is still pending).
 */
export interface ChangeTiming {
  readonly applyImmediately: boolean;
}

/** Permission for a major engine upgrade in this update; set only for the upgrade, then back to false. */
export interface MajorUpgradeSwitch {
  readonly allowMajorVersionUpgrade: boolean;
}

export interface PostgresConfig extends ChangeTiming, MajorUpgradeSwitch {
  /** Aurora PostgreSQL major version, e.g. `16`; AWS applies minor versions in the maintenance window. */
  readonly engineVersion: string;
  /** Instance class of every cluster instance (writer and readers). */
  readonly instanceClass: string;
  /** Writer plus readers, each in its own zone; a reader is the failover target (at least 2 in prod). */
  readonly instanceCount: number;
  readonly backupRetentionDays: number;
}

export interface DocumentDbConfig extends ChangeTiming, MajorUpgradeSwitch {
  /** Amazon DocumentDB engine version, e.g. `5.0.0`. */
  readonly engineVersion: string;
  readonly instanceClass: string;
  readonly instanceCount: number;
  readonly backupRetentionDays: number;
}

export const REDIS_ENGINES = ["valkey", "redis"] as const;
export type RedisEngine = (typeof REDIS_ENGINES)[number];

export interface RedisConfig extends ChangeTiming {
  readonly engine: RedisEngine;
  readonly engineVersion: string;
  readonly nodeType: string;
  /** Nodes in the replication group (primary + replicas); 2+ enables automatic failover. */
  readonly nodeCount: number;
  readonly snapshotRetentionDays: number;
}

export interface QueueConfig {
  /** Logical name; the queue is `ams-<env>-<name>`. */
  readonly name: string;
  /** Longer than the slowest job, so a message is not redelivered while it is still being processed. */
  readonly visibilityTimeoutSeconds: number;
  /** Deliveries before a message moves to the dead-letter queue. */
  readonly maxReceiveCount: number;
  readonly messageRetentionDays: number;
}

export interface AlarmThresholds {
  readonly queueOldestMessageSeconds: number;
  readonly rdsCpuPercent: number;
  /** Free local (temporary) storage of each Aurora instance; the cluster volume itself grows on its own. */
  readonly rdsFreeStorageGib: number;
  /** Largest lag of an Aurora reader behind the writer (the failover target's staleness). */
  readonly rdsReplicaLagSeconds: number;
  readonly redisMemoryPercent: number;
  readonly documentDbCpuPercent: number;
  /** Share of API requests answered 5xx by the targets, over which a switch is rolled back. */
  readonly apiErrorRatePercent: number;
  /** API p95 response time at the load balancer, over which a switch is rolled back. */
  readonly apiP95LatencyMs: number;
}

export interface DataConfig {
  readonly postgres: PostgresConfig;
  readonly documentDb: DocumentDbConfig;
  readonly redis: RedisConfig;
  readonly queues: readonly QueueConfig[];
}

export interface RegistryConfig {
  /** GitHub repository (`owner/name`) whose CI pushes images; "" = no CI push role. */
  readonly githubRepository: string | undefined;
  /** An existing GitHub Actions OIDC provider of the account (one per account); `undefined` = create it. */
  readonly githubOidcProviderArn: string | undefined;
}

export interface MonitoringConfig {
  readonly alarmEmails: readonly string[];
  /** AWS Chatbot delivery to Slack, when both ids are set. */
  readonly slack: { readonly workspaceId: string; readonly channelId: string } | undefined;
  readonly thresholds: AlarmThresholds;
}

export interface DeliveryConfig {
  /** Command of the migration image (`ams-migrations:<version>`), run before a color gets that version. */
  readonly migrationCommand: readonly string[];
  /** Paths the smoke test GETs on a color before traffic moves to it (all must answer 2xx). */
  readonly smokePaths: readonly string[];
  /**
   * How testers reach the idle color on the public ALB: a header (`X-AMS-Preview: true`) or a host, from
   * `sourceCidrs` only (empty: from anywhere; refused in prod).
   */
  readonly previewRoute: (
    { readonly kind: "header"; readonly header: string } | { readonly kind: "host"; readonly host: string }
  ) & { readonly sourceCidrs: readonly string[] };
  /** Emergency override: allow changing the live color's version in place (bypasses blue-green). */
  readonly allowLiveUpdate: boolean;
}

export interface RollingConfig {
  /** Extra pods during a rolling update (`25%` or a count); unavailable pods are always 0. */
  readonly maxSurge: string;
  /** Seconds a new pod must stay ready before it counts as available. */
  readonly minReadySeconds: number;
}

export const METRICS_PROVIDERS = ["cloudwatch", "prometheus"] as const;
export type MetricsProvider = (typeof METRICS_PROVIDERS)[number];

export interface CanaryConfig {
  /** Traffic percentages, strictly increasing, ending at 100. */
  readonly steps: readonly number[];
  /** Pause between steps, an Argo duration such as `5m`. */
  readonly pause: string;
  /** Abort when the canary's 5xx rate exceeds this percentage. */
  readonly maxErrorRatePercent: number;
  /** Abort when the canary's p95 response time exceeds this many milliseconds. */
  readonly maxP95LatencyMs: number;
  readonly metricsProvider: MetricsProvider;
  /** Prometheus base URL when `metricsProvider` is `prometheus`. */
  readonly prometheusAddress: string | undefined;
}

import { AURORA_INSTANCE_CLASS } from "../policy/awsFacts";
import { BlockReader } from "./block";
import { ProblemList } from "./errors";
import { listForm, readMatching, readStructured } from "./fields";
import { RawConfig } from "./rawConfig";
import {
  AlarmThresholds,
  DataConfig,
  DocumentDbConfig,
  EnvironmentName,
  MonitoringConfig,
  PostgresConfig,
  QueueConfig,
  REDIS_ENGINES,
  RedisConfig,
  RegistryConfig,
} from "./types";

const RDS_INSTANCE_CLASS = /^db\.[a-z0-9]+\.[a-z0-9]+$/;
const CACHE_NODE_TYPE = /^cache\.[a-z0-9]+\.[a-z0-9]+$/;
const QUEUE_NAME = /^[a-z][a-z0-9-]{0,59}$/;
const GITHUB_REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function readData(
  raw: RawConfig,
  problems: ProblemList,
  environment: EnvironmentName | undefined,
): DataConfig | undefined {
  const prod = environment === "prod";
  const postgres = readPostgres(raw, problems, prod);
  const documentDb = readDocumentDb(raw, problems, prod);
  const redis = readRedis(raw, problems, prod);
  const queues = readQueues(raw, problems);
  if (!postgres || !documentDb || !redis || !queues) return undefined;
  return { postgres, documentDb, redis, queues };
}

/**
 * Backup retention in days: 1–35 (0 would switch backups off). The governance rule "at least 7 days in
 * prod" is the policy pack's (ams-prod-backups), which previews and Pulumi Deployments enforce.
 */
function backupDays(block: BlockReader): number {
  return block.integer("backupRetentionDays", { min: 1, max: 35 });
}

/** A field rule: what is valid, and what the error says is allowed. */
interface FieldRule {
  readonly isValid: (value: string) => boolean;
  readonly format: string;
}

/**
 * `applyImmediately`, and for stores with major versions `allowMajorVersionUpgrade` with the rule that ties
 * them: a major upgrade swaps the cluster parameter group for one of the new family; deferred to the window,
 * the old group stays attached, Pulumi cannot delete it and the update fails halfway. So the upgrade must be
 * applied in the update that declares it.
 */
export function readChangeTiming(block: BlockReader, key = "applyImmediately"): boolean {
  return block.boolean(key);
}
export function readMajorUpgrade(
  block: BlockReader,
  applyImmediately: boolean,
  keys = { upgrade: "allowMajorVersionUpgrade", apply: "applyImmediately" },
): boolean {
  const allowMajorVersionUpgrade = block.boolean(keys.upgrade);
  if (allowMajorVersionUpgrade && applyImmediately === false)
    block.reject(
      keys.upgrade,
      `false unless ${keys.apply} is true: a major upgrade is applied in the update that declares it`,
    );
  return allowMajorVersionUpgrade;
}

/** The shape Aurora PostgreSQL and DocumentDB share: a cluster of instances with a major engine version. */
function readClusterStore(
  raw: RawConfig,
  problems: ProblemList,
  key: "postgres" | "documentDb",
  rules: { engineVersion: FieldRule; instanceClass: FieldRule; minInstances: number },
): (PostgresConfig & DocumentDbConfig) | undefined {
  const block = BlockReader.of(raw, problems, key, [
    "engineVersion",
    "instanceClass",
    "instanceCount",
    "backupRetentionDays",
    "applyImmediately",
    "allowMajorVersionUpgrade",
  ]);
  if (!block) return undefined;
  const engineVersion = block.string(
    "engineVersion",
    rules.engineVersion.isValid,
    rules.engineVersion.format,
  );
  const instanceClass = block.string(
    "instanceClass",
    rules.instanceClass.isValid,
    rules.instanceClass.format,
  );
  const instanceCount = block.integer("instanceCount", { min: rules.minInstances, max: 16 });
  const backupRetentionDays = backupDays(block);
  const applyImmediately = readChangeTiming(block);
  const allowMajorVersionUpgrade = readMajorUpgrade(block, applyImmediately);
  if (!block.complete) return undefined;
  return {
    engineVersion,
    instanceClass,
    instanceCount,
    backupRetentionDays,
    applyImmediately,
    allowMajorVersionUpgrade,
  };
}

function readPostgres(raw: RawConfig, problems: ProblemList, prod: boolean): PostgresConfig | undefined {
  return readClusterStore(raw, problems, "postgres", {
    engineVersion: {
      // The major version only: Aurora applies minor upgrades itself, and a pinned minor would then be a downgrade.
      isValid: (v) => /^1[3-9]$/.test(v),
      format: 'an Aurora PostgreSQL major version from 13 to 19 such as "16"',
    },
    instanceClass: {
      isValid: (v) => AURORA_INSTANCE_CLASS.test(v),
      format:
        'an instance class Aurora PostgreSQL runs on: db.t3/db.t4g medium or large, or a db.r*/db.x* class such as "db.r6g.large"',
    },
    // Prod needs a reader in another zone: the failover target of the rollback policy (docs/runbook-database.md).
    minInstances: prod ? 2 : 1,
  });
}

function readDocumentDb(raw: RawConfig, problems: ProblemList, prod: boolean): DocumentDbConfig | undefined {
  return readClusterStore(raw, problems, "documentDb", {
    // The workloads authenticate with their IAM roles (MONGODB-AWS), which DocumentDB offers from 5.0 on
    // (https://docs.aws.amazon.com/documentdb/latest/developerguide/iam-identity-auth.html).
    engineVersion: {
      isValid: (v) => /^[58]\.0\.0$/.test(v),
      format: 'a DocumentDB engine version with IAM authentication: "5.0.0" or "8.0.0"',
    },
    instanceClass: {
      isValid: (v) => RDS_INSTANCE_CLASS.test(v),
      format: 'an instance class such as "db.t4g.medium"',
    },
    // Two instances in prod, so a primary failure promotes a replica in another zone.
    minInstances: prod ? 2 : 1,
  });
}

function readRedis(raw: RawConfig, problems: ProblemList, prod: boolean): RedisConfig | undefined {
  const block = BlockReader.of(raw, problems, "redis", [
    "engine",
    "engineVersion",
    "nodeType",
    "nodeCount",
    "snapshotRetentionDays",
    "applyImmediately",
  ]);
  if (!block) return undefined;
  const engine = block.oneOf("engine", REDIS_ENGINES);
  const engineVersion = block.string(
    "engineVersion",
    (v) => /^\d+\.\d+$/.test(v),
    'a major.minor version such as "8.0"',
  );
  const nodeType = block.string(
    "nodeType",
    (v) => CACHE_NODE_TYPE.test(v),
    'a cache node type such as "cache.t4g.small"',
  );
  // Sessions live here: prod needs a replica in another zone to fail over to.
  const nodeCount = block.integer("nodeCount", { min: prod ? 2 : 1, max: 6 });
  const snapshotRetentionDays = block.integer("snapshotRetentionDays", { min: prod ? 1 : 0, max: 35 });
  const applyImmediately = readChangeTiming(block);
  if (!block.complete) return undefined;
  return { engine, engineVersion, nodeType, nodeCount, snapshotRetentionDays, applyImmediately };
}

function readQueues(raw: RawConfig, problems: ProblemList): QueueConfig[] | undefined {
  const list = readStructured(raw, "queues");
  if (!Array.isArray(list)) {
    problems.add(
      "queues",
      list,
      "a list of queues, each with name, visibilityTimeoutSeconds, maxReceiveCount, messageRetentionDays",
    );
    return undefined;
  }
  const fields = ["name", "visibilityTimeoutSeconds", "maxReceiveCount", "messageRetentionDays"];
  const queues: QueueConfig[] = [];
  let ok = true;
  list.forEach((item: unknown, index) => {
    const key = `queues[${index}]`;
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      problems.add(key, item, `an object with ${fields.join(", ")}`);
      ok = false;
      return;
    }
    const block = new BlockReader(problems, key, item as Record<string, unknown>, fields);
    const queue: QueueConfig = {
      name: block.string(
        "name",
        (v) => QUEUE_NAME.test(v),
        "a lower-case name of letters, digits and '-', at most 60 characters",
      ),
      visibilityTimeoutSeconds: block.integer("visibilityTimeoutSeconds", { min: 1, max: 43200 }),
      maxReceiveCount: block.integer("maxReceiveCount", { min: 1, max: 1000 }),
      // Below the dead-letter queue's 14 days: SQS keeps a message's original enqueue time when it moves it.
      messageRetentionDays: block.integer("messageRetentionDays", { min: 1, max: 13 }),
    };
    if (queues.some((other) => other.name === queue.name)) block.reject("name", "a name no other queue has");
    if (block.complete) queues.push(queue);
    else ok = false;
  });
  return ok ? queues : undefined;
}

export function readRegistry(raw: RawConfig, problems: ProblemList): RegistryConfig | undefined {
  const repository = raw.get("githubRepository") ?? "";
  if (repository !== "" && !GITHUB_REPOSITORY.test(repository)) {
    problems.add(
      "githubRepository",
      repository,
      'a GitHub repository as owner/name, such as "ams-team/ams", or "" for no CI push role',
    );
    return undefined;
  }
  const provider = raw.get("githubOidcProviderArn") ?? "";
  const providerPattern =
    /^arn:aws(-cn|-us-gov)?:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/;
  if (provider !== "" && !providerPattern.test(provider)) {
    problems.add(
      "githubOidcProviderArn",
      provider,
      'the ARN of the account\'s GitHub Actions OIDC provider, or "" to create it',
    );
    return undefined;
  }
  return {
    githubRepository: repository === "" ? undefined : repository,
    githubOidcProviderArn: provider === "" ? undefined : provider,
  };
}

export function readMonitoring(raw: RawConfig, problems: ProblemList): MonitoringConfig | undefined {
  const emails = readStructured(raw, "alarmEmails");
  let ok = true;
  if (!Array.isArray(emails) || emails.some((email) => typeof email !== "string" || !EMAIL.test(email))) {
    problems.add(
      "alarmEmails",
      emails,
      `a list of e-mail addresses (possibly empty)${Array.isArray(emails) ? "" : `, ${listForm("alarmEmails")}`}`,
    );
    ok = false;
  }
  const workspaceId = readMatching(
    raw,
    problems,
    "slackWorkspaceId",
    (v) => v === "" || /^T[A-Z0-9]{8,}$/.test(v),
    'a Slack workspace id such as "T0123ABCD", or ""',
  );
  const channelId = readMatching(
    raw,
    problems,
    "slackChannelId",
    (v) => v === "" || /^[CG][A-Z0-9]{8,}$/.test(v),
    'a Slack channel id such as "C0123ABCD", or ""',
  );
  if ((workspaceId === "") !== (channelId === "") && workspaceId !== undefined && channelId !== undefined) {
    problems.add(
      workspaceId === "" ? "slackWorkspaceId" : "slackChannelId",
      "",
      "set together with its partner slack key, or both empty",
    );
    ok = false;
  }
  const thresholds = readThresholds(raw, problems);
  if (!ok || workspaceId === undefined || channelId === undefined || !thresholds) return undefined;
  return {
    alarmEmails: emails as string[],
    slack: workspaceId === "" ? undefined : { workspaceId, channelId },
    thresholds,
  };
}

function readThresholds(raw: RawConfig, problems: ProblemList): AlarmThresholds | undefined {
  const block = BlockReader.of(raw, problems, "alarmThresholds", [
    "queueOldestMessageSeconds",
    "rdsCpuPercent",
    "rdsFreeStorageGib",
    "rdsReplicaLagSeconds",
    "redisMemoryPercent",
    "documentDbCpuPercent",
    "apiErrorRatePercent",
    "apiP95LatencyMs",
  ]);
  if (!block) return undefined;
  const percent = { min: 1, max: 100 };
  const thresholds: AlarmThresholds = {
    queueOldestMessageSeconds: block.integer("queueOldestMessageSeconds", { min: 60, max: 1209600 }),
    rdsCpuPercent: block.integer("rdsCpuPercent", percent),
    rdsFreeStorageGib: block.integer("rdsFreeStorageGib", { min: 1, max: 65536 }),
    rdsReplicaLagSeconds: block.integer("rdsReplicaLagSeconds", { min: 1, max: 86400 }),
    redisMemoryPercent: block.integer("redisMemoryPercent", percent),
    documentDbCpuPercent: block.integer("documentDbCpuPercent", percent),
    apiErrorRatePercent: block.integer("apiErrorRatePercent", percent),
    apiP95LatencyMs: block.integer("apiP95LatencyMs", { min: 10, max: 60000 }),
  };
  return block.complete ? thresholds : undefined;
}

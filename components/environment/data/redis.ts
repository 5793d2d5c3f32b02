import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { RedisConfig } from "../../../config/types";
import { awsTags } from "../../labels";
import { StoreContext, storeSecurityGroup } from "./storeNetwork";
import { appSecretPrefix, dataStoreIdentifier } from "../../names";

export const REDIS_PORT = 6379;

export interface Redis {
  readonly group: aws.elasticache.ReplicationGroup;
  /** Secrets Manager secret with the AUTH token (`{ "AUTH_TOKEN": … }`). */
  readonly authSecretArn: pulumi.Output<string>;
  /** The version that writes the token into that secret: what a reader of the secret must wait for. */
  readonly authSecretValue: aws.secretsmanager.SecretVersion;
  /** Member cluster ids (`<group>-001`, …), the dimension of the per-node metrics. */
  readonly memberIds: string[];
}

/**
 * ElastiCache (Valkey or Redis OSS) for sessions and cache: a replication group in the private subnets,
 * encrypted in transit (TLS) and at rest with the environment key, AUTH token required; with two or more
 * nodes, automatic failover and Multi-AZ. The token is generated here (ElastiCache cannot manage one),
 * kept a Pulumi secret and stored in Secrets Manager for the pods.
 */
export function redis(
  name: string,
  config: RedisConfig,
  ctx: StoreContext & { secretRecoveryWindowDays: number },
  parent: pulumi.Resource,
): Redis {
  const groupId = dataStoreIdentifier(ctx.environment, "redis");
  const subnetGroup = new aws.elasticache.SubnetGroup(
    name,
    {
      subnetIds: ctx.privateSubnetIds,
      description: `AMS ${ctx.environment}: cache, private subnets`,
      tags: awsTags("data"),
    },
    { parent },
  );
  const securityGroup = storeSecurityGroup(
    `${name}-sg`,
    {
      vpcId: ctx.vpcId,
      port: REDIS_PORT,
      clientSecurityGroupId: ctx.clientSecurityGroupId,
      description: `AMS ${ctx.environment} cache`,
    },
    parent,
  );
  // ElastiCache accepts printable ASCII except / " @ in a token; letters and digits are always safe.
  const token = new random.RandomPassword(`${name}-auth`, { length: 64, special: false }, { parent });
  const secret = new aws.secretsmanager.Secret(
    `${name}-auth`,
    {
      name: `${appSecretPrefix(ctx.environment)}redis`,
      description: `AMS ${ctx.environment}: cache AUTH token`,
      recoveryWindowInDays: ctx.secretRecoveryWindowDays,
      tags: awsTags("data"),
    },
    { parent, protect: ctx.protect },
  );
  const authSecretValue = new aws.secretsmanager.SecretVersion(
    `${name}-auth`,
    {
      secretId: secret.id,
      secretString: pulumi.secret(token.result.apply((value) => JSON.stringify({ AUTH_TOKEN: value }))),
    },
    { parent },
  );
  const highlyAvailable = config.nodeCount > 1;
  const group = new aws.elasticache.ReplicationGroup(
    name,
    {
      replicationGroupId: groupId,
      description: `AMS ${ctx.environment}: sessions and cache`,
      engine: config.engine,
      engineVersion: config.engineVersion,
      nodeType: config.nodeType,
      numCacheClusters: config.nodeCount,
      automaticFailoverEnabled: highlyAvailable,
      multiAzEnabled: highlyAvailable,
      port: REDIS_PORT,
      subnetGroupName: subnetGroup.name,
      securityGroupIds: [securityGroup.id],
      atRestEncryptionEnabled: true,
      kmsKeyId: ctx.keyArn,
      transitEncryptionEnabled: true,
      authToken: token.result,
      snapshotRetentionLimit: config.snapshotRetentionDays,
      snapshotWindow: "17:00-18:00",
      maintenanceWindow: "sun:20:30-sun:21:30",
      autoMinorVersionUpgrade: true,
      applyImmediately: config.applyImmediately,
      ...(ctx.protect ? { finalSnapshotIdentifier: `${groupId}-final` } : {}),
      tags: awsTags("data"),
    },
    { parent, protect: ctx.protect },
  );
  const memberIds = Array.from(
    { length: config.nodeCount },
    (_, i) => `${groupId}-${String(i + 1).padStart(3, "0")}`,
  );
  return { group, authSecretArn: secret.arn, authSecretValue, memberIds };
}

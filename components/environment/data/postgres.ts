import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PostgresConfig } from "../../../amsConfig/types";
import { awsTags } from "../../labels";
import { StoreContext, storeSecurityGroup } from "./storeNetwork";

export const POSTGRES_PORT = 5432;
export const DATABASE_NAME = "ams";

export interface Postgres {
  readonly primary: aws.rds.Instance;
  readonly replica: aws.rds.Instance | undefined;
  /** The AWS-managed master secret (username/password JSON). */
  readonly masterSecretArn: pulumi.Output<string>;
}

/** `16.4` → `postgres16`: the parameter group family of the engine's major version. */
export function postgresFamily(engineVersion: string): string {
  return `postgres${engineVersion.split(".")[0]}`;
}

/**
 * RDS PostgreSQL (engine version pinned to its major: AWS applies minor upgrades in the maintenance window,
 * and pinning a minor would make every later update try to downgrade): private, encrypted with the environment key, TLS required (rds.force_ssl), Performance
 * Insights on, backups kept per config; in prod Multi-AZ, deletion protection, a final snapshot and a read
 * replica. AWS generates and rotates the master password in Secrets Manager: it never passes through us.
 */
export function postgres(
  name: string,
  config: PostgresConfig,
  ctx: StoreContext,
  parent: pulumi.Resource,
): Postgres {
  const identifier = `ams-${ctx.environment}-postgres`;
  const subnetGroup = new aws.rds.SubnetGroup(
    name,
    {
      subnetIds: ctx.privateSubnetIds,
      description: `AMS ${ctx.environment}: PostgreSQL, private subnets`,
      tags: awsTags("data"),
    },
    { parent },
  );
  const securityGroup = storeSecurityGroup(
    `${name}-sg`,
    {
      vpcId: ctx.vpcId,
      port: POSTGRES_PORT,
      clientSecurityGroupId: ctx.clientSecurityGroupId,
      description: `AMS ${ctx.environment} PostgreSQL`,
    },
    parent,
  );
  const parameters = new aws.rds.ParameterGroup(
    name,
    {
      family: postgresFamily(config.engineVersion),
      description: `AMS ${ctx.environment}: TLS only`,
      parameters: [{ name: "rds.force_ssl", value: "1" }],
      tags: awsTags("data"),
    },
    { parent },
  );
  const common = {
    instanceClass: config.instanceClass,
    parameterGroupName: parameters.name,
    vpcSecurityGroupIds: [securityGroup.id],
    publiclyAccessible: false,
    storageEncrypted: true,
    kmsKeyId: ctx.keyArn,
    performanceInsightsEnabled: true,
    performanceInsightsKmsKeyId: ctx.keyArn,
    performanceInsightsRetentionPeriod: 7,
    caCertIdentifier: "rds-ca-rsa2048-g1",
    autoMinorVersionUpgrade: true,
    copyTagsToSnapshot: true,
    deletionProtection: ctx.protect,
    enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
    tags: awsTags("data"),
  };
  const primary = new aws.rds.Instance(
    name,
    {
      ...common,
      identifier,
      engine: "postgres",
      engineVersion: config.engineVersion,
      dbName: DATABASE_NAME,
      username: "ams_admin",
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: ctx.keyArn,
      dbSubnetGroupName: subnetGroup.name,
      allocatedStorage: config.allocatedStorageGib,
      maxAllocatedStorage: config.maxAllocatedStorageGib,
      storageType: "gp3",
      multiAz: config.multiAz,
      backupRetentionPeriod: config.backupRetentionDays,
      backupWindow: "17:00-18:00", // 02:00–03:00 KST, quiet hours for AMS
      maintenanceWindow: "sun:18:30-sun:19:30",
      skipFinalSnapshot: !ctx.protect,
      ...(ctx.protect ? { finalSnapshotIdentifier: `${identifier}-final` } : {}),
    },
    { parent, protect: ctx.protect },
  );
  const replica = config.readReplica
    ? new aws.rds.Instance(
        `${name}-replica`,
        {
          ...common,
          identifier: `${identifier}-replica`,
          replicateSourceDb: primary.identifier,
          // Storage autoscaling is per instance: the replica must be able to grow as far as the primary.
          maxAllocatedStorage: config.maxAllocatedStorageGib,
          // A replica takes no backups and leaves no snapshot; the primary's are the record.
          skipFinalSnapshot: true,
        },
        { parent, protect: ctx.protect },
      )
    : undefined;
  return {
    primary,
    replica,
    masterSecretArn: primary.masterUserSecrets.apply((secrets) => secrets?.[0]?.secretArn ?? ""),
  };
}

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PostgresConfig } from "../../../config/types";
import { postgresParameterGroupFamily } from "../../../policy/awsFacts";
import { awsTags } from "../../labels";
import { StoreContext, storeSecurityGroup, zoneOf } from "./storeNetwork";
import { dataStoreIdentifier } from "../../names";

export const POSTGRES_PORT = 5432;
export const DATABASE_NAME = "ams";
/** The master user: AWS keeps its password in Secrets Manager; only the user bootstrap Job logs in with it. */
export const POSTGRES_MASTER_USER = "ams_admin";
/** The CA every AMS database certificate chains to (see `rdsCa.ts`). */
export const RDS_CA_IDENTIFIER = "rds-ca-rsa2048-g1";

export interface Postgres {
  readonly cluster: aws.rds.Cluster;
  /** Writer first, then the readers (each a failover target in its own zone). */
  readonly instances: aws.rds.ClusterInstance[];
  /** The AWS-managed master secret (username/password JSON). */
  readonly masterSecretArn: pulumi.Output<string>;
}

/** `16` → `aurora-postgresql16`: the cluster parameter group family of the engine's major version. */
export function postgresFamily(engineVersion: string): string {
  return postgresParameterGroupFamily("aurora-postgresql", engineVersion);
}

/**
 * Aurora PostgreSQL, not RDS for PostgreSQL with a read replica: RDS refuses to create a read replica of an
 * instance whose master password Secrets Manager manages ("Password management with Amazon RDS and AWS
 * Secrets Manager", Limitations: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html),
 * while Aurora supports the managed password with readers in the same region
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/rds-secrets-manager.html). A reader in
 * another zone is the failover target (`aws rds failover-db-cluster`), and the cluster endpoint follows the
 * writer, so the workloads' configuration does not change on a failover (docs/runbook-database.md).
 *
 * Private, encrypted with the environment key, TLS required (`rds.force_ssl`), IAM database authentication
 * on (the workloads log in with their IAM roles, never with the master password), backups kept per config;
 * in staging and prod deletion protection, a final snapshot and Pulumi `protect`.
 *
 * The engine version is the major only: Aurora applies minor versions in the maintenance window, and the
 * provider keeps "16" in state while 16.x runs (compareActualEngineVersion in
 * internal/service/rds/engine_version.go of hashicorp/terraform-provider-aws), where a pinned minor would
 * make every later update try a downgrade. A major upgrade is a deliberate step: `allowMajorVersionUpgrade`
 * with `applyImmediately`, a new parameter group of the new family, the same update.
 */
export function postgres(
  name: string,
  config: PostgresConfig,
  ctx: StoreContext,
  parent: pulumi.Resource,
): Postgres {
  const identifier = dataStoreIdentifier(ctx.environment, "postgres");
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
  // Named by Pulumi (with a suffix), so a major upgrade creates the new family's group before the cluster
  // moves to it and deletes the old one after.
  const parameters = new aws.rds.ClusterParameterGroup(
    name,
    {
      family: postgresFamily(config.engineVersion),
      description: `AMS ${ctx.environment}: TLS only`,
      parameters: [{ name: "rds.force_ssl", value: "1" }],
      tags: awsTags("data"),
    },
    { parent },
  );
  const cluster = new aws.rds.Cluster(
    name,
    {
      clusterIdentifier: identifier,
      engine: "aurora-postgresql",
      engineVersion: config.engineVersion,
      databaseName: DATABASE_NAME,
      masterUsername: POSTGRES_MASTER_USER,
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: ctx.keyArn,
      iamDatabaseAuthenticationEnabled: true,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [securityGroup.id],
      dbClusterParameterGroupName: parameters.name,
      storageEncrypted: true,
      kmsKeyId: ctx.keyArn,
      backupRetentionPeriod: config.backupRetentionDays,
      preferredBackupWindow: "17:00-18:00", // 02:00–03:00 KST, quiet hours for AMS
      preferredMaintenanceWindow: "sun:18:30-sun:19:30",
      copyTagsToSnapshot: true,
      enabledCloudwatchLogsExports: ["postgresql"],
      applyImmediately: config.applyImmediately,
      allowMajorVersionUpgrade: config.allowMajorVersionUpgrade,
      deletionProtection: ctx.protect,
      skipFinalSnapshot: !ctx.protect,
      ...(ctx.protect ? { finalSnapshotIdentifier: `${identifier}-final` } : {}),
      tags: awsTags("data"),
    },
    { parent, protect: ctx.protect },
  );
  const instances = Array.from(
    { length: config.instanceCount },
    (_, index) =>
      new aws.rds.ClusterInstance(
        `${name}-${index + 1}`,
        {
          identifier: `${identifier}-${index + 1}`,
          clusterIdentifier: cluster.id,
          engine: "aurora-postgresql",
          instanceClass: config.instanceClass,
          // Each instance in its own zone: a reader in the writer's zone fails with it.
          availabilityZone: zoneOf(ctx.zones, index),
          // The readers are equal failover targets; the writer role moves, the instances do not.
          promotionTier: 1,
          publiclyAccessible: false,
          caCertIdentifier: RDS_CA_IDENTIFIER,
          autoMinorVersionUpgrade: true,
          performanceInsightsEnabled: true,
          performanceInsightsKmsKeyId: ctx.keyArn,
          performanceInsightsRetentionPeriod: 7,
          copyTagsToSnapshot: true,
          applyImmediately: config.applyImmediately,
          tags: awsTags("data"),
        },
        { parent, protect: ctx.protect },
      ),
  );
  return {
    cluster,
    instances,
    masterSecretArn: cluster.masterUserSecrets.apply((secrets) => secrets?.[0]?.secretArn ?? ""),
  };
}

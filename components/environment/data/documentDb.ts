import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DocumentDbConfig } from "../../../config/types";
import { awsTags } from "../../labels";
import { RDS_CA_IDENTIFIER } from "./postgres";
import { StoreContext, storeSecurityGroup, zoneOf } from "./storeNetwork";
import { dataStoreIdentifier } from "../../names";

export const DOCUMENTDB_PORT = 27017;

/** The master user; only the user bootstrap Job logs in with it (DocumentDB keeps it in `admin`). */
export const DOCUMENTDB_MASTER_USER = "ams_admin";

export interface DocumentDb {
  readonly cluster: aws.docdb.Cluster;
  readonly instances: aws.docdb.ClusterInstance[];
  readonly masterSecretArn: pulumi.Output<string>;
}

/** `5.0.0` → `docdb5.0`. */
export function documentDbFamily(engineVersion: string): string {
  return `docdb${engineVersion.split(".").slice(0, 2).join(".")}`;
}

/**
 * Amazon DocumentDB for the MongoDB side of AMS: private, TLS required, encrypted with the environment
 * key, audit logs, backups, instances spread over the zones; deletion protection and a final snapshot in
 * staging and prod. AWS manages the master password in Secrets Manager (DocumentDB supports it); it only
 * registers the workloads' IAM roles as users (`databaseUsers.ts`), who then log in with MONGODB-AWS.
 * Size and version changes follow `applyImmediately`; a major version needs `allowMajorVersionUpgrade`.
 */
export function documentDb(
  name: string,
  config: DocumentDbConfig,
  ctx: StoreContext,
  parent: pulumi.Resource,
): DocumentDb {
  const identifier = dataStoreIdentifier(ctx.environment, "docdb");
  const subnetGroup = new aws.docdb.SubnetGroup(
    name,
    {
      subnetIds: ctx.privateSubnetIds,
      description: `AMS ${ctx.environment}: DocumentDB, private subnets`,
      tags: awsTags("data"),
    },
    { parent },
  );
  const securityGroup = storeSecurityGroup(
    `${name}-sg`,
    {
      vpcId: ctx.vpcId,
      port: DOCUMENTDB_PORT,
      clientSecurityGroupId: ctx.clientSecurityGroupId,
      description: `AMS ${ctx.environment} DocumentDB`,
    },
    parent,
  );
  const parameters = new aws.docdb.ClusterParameterGroup(
    name,
    {
      family: documentDbFamily(config.engineVersion),
      description: `AMS ${ctx.environment}: TLS only, audit logs`,
      parameters: [
        { name: "tls", value: "enabled" },
        { name: "audit_logs", value: "enabled" },
      ],
      tags: awsTags("data"),
    },
    { parent },
  );
  const cluster = new aws.docdb.Cluster(
    name,
    {
      clusterIdentifier: identifier,
      engine: "docdb",
      engineVersion: config.engineVersion,
      masterUsername: DOCUMENTDB_MASTER_USER,
      manageMasterUserPassword: true,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [securityGroup.id],
      dbClusterParameterGroupName: parameters.name,
      storageEncrypted: true,
      kmsKeyId: ctx.keyArn,
      backupRetentionPeriod: config.backupRetentionDays,
      preferredBackupWindow: "17:00-18:00",
      preferredMaintenanceWindow: "sun:19:30-sun:20:30",
      enabledCloudwatchLogsExports: ["audit", "profiler"],
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
      new aws.docdb.ClusterInstance(
        `${name}-${index + 1}`,
        {
          identifier: `${identifier}-${index + 1}`,
          clusterIdentifier: cluster.id,
          instanceClass: config.instanceClass,
          availabilityZone: zoneOf(ctx.zones, index),
          caCertIdentifier: RDS_CA_IDENTIFIER,
          autoMinorVersionUpgrade: true,
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

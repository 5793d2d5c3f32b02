/**
 * Facts about AWS and about the program that the policy pack and the program both rely on. Kept in the pack
 * (a published pack holds only this folder) and free of imports, so the program can use them too.
 */

/**
 * Aurora PostgreSQL runs on memory-optimized classes, or on db.t3/db.t4g only in medium and large
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.DBInstanceClass.SupportAurora.html);
 * a db.t4g.micro, fine for RDS, is refused for an Aurora cluster instance.
 */
export const AURORA_INSTANCE_CLASS =
  /^db\.((t3|t4g)\.(medium|large)|(r\d|x\d)[a-z0-9-]*\.[a-z0-9]+|serverless)$/;

/**
 * Label of an ExternalSecret whose source AWS rotates (a data store's managed master secret). Only
 * short-lived Jobs may read such a Secret (they read it when they start, and retry); the policy
 * `ams-no-rotating-secret-in-services` refuses a Deployment or Rollout that does.
 */
export const ROTATING_SOURCE_LABEL = "ams.io/source-rotates";

/**
 * The parameter group family of a PostgreSQL engine and version: `postgres16` for RDS for PostgreSQL,
 * `aurora-postgresql16` for Aurora PostgreSQL (the major version, from "16" or "16.4"). A parameter group
 * "can be applied only to a DB instance [or cluster] running a database engine and engine version compatible
 * with that DB parameter group family"
 * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBParameterGroup.html,
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBClusterParameterGroup.html): RDS
 * refuses a `postgres` instance with an Aurora family and vice versa (InvalidParameterCombination).
 */
export function postgresParameterGroupFamily(
  engine: "postgres" | "aurora-postgresql",
  engineVersion: string,
): string {
  return `${engine}${engineVersion.split(".")[0]}`;
}

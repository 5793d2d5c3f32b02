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

import { createHash } from "crypto";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { EnvironmentName } from "../../../config/types";
import { amsLabels, awsTags } from "../../labels";
import {
  appSecretPrefix,
  DOCUMENTDB_ADMIN_SECRET,
  MIGRATOR_SECRET,
  POSTGRES_ADMIN_SECRET,
  RDS_CA_CONFIG_MAP,
  workloadName,
} from "../../names";
import { SyncedSecret } from "../workloads/externalSecrets";
import { DOCUMENTDB_PORT } from "./documentDb";
import { DATABASE_NAME, POSTGRES_PORT } from "./postgres";
import { RDS_CA_DIRECTORY, RDS_CA_PATH } from "./rdsCa";

/** The services' PostgreSQL user: IAM authentication only (a member of `rds_iam` cannot use a password). */
export const APP_DB_USER = "ams_app";
/** The migrations' user: owns the schema; a password user, because the Flyway CLI cannot sign IAM tokens. */
export const MIGRATOR_DB_USER = "ams_migrator";

/** psql client for the PostgreSQL bootstrap (17 reads servers 13–17, has `\getenv`). */
export const PSQL_IMAGE = "postgres:17-alpine";
/** mongosh for the DocumentDB bootstrap (the official image ships it from 6.0 on). */
export const MONGOSH_IMAGE = "mongo:7.0";

/** Retries of a bootstrap Job: its pod reads the master secret when it starts, so a retry reads a rotated one. */
export const BOOTSTRAP_BACKOFF_LIMIT = 6;

/**
 * What the PostgreSQL bootstrap runs as the master user, idempotently (every statement may run again):
 * `ams_app` logs in with IAM tokens and may read and write the tables; `ams_migrator` owns the schema and
 * logs in with the password of `ams/<env>/postgres-migrator`; tables the migrator creates are granted to the
 * app by default privileges. psql variables (`\getenv`, `:'…'`) keep the password out of the command line.
 * IAM users: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.IAMDBAuth.DBAccounts.html
 */
export function postgresUsersSql(): string {
  const createRole = (role: string) =>
    `SELECT 'CREATE ROLE ${role} LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}')\n\\gexec`;
  return [
    "\\set ON_ERROR_STOP on",
    "\\getenv migrator_password FLYWAY_PASSWORD",
    createRole(APP_DB_USER),
    createRole(MIGRATOR_DB_USER),
    `GRANT rds_iam TO ${APP_DB_USER};`,
    `ALTER ROLE ${MIGRATOR_DB_USER} WITH LOGIN PASSWORD :'migrator_password';`,
    `GRANT CONNECT ON DATABASE ${DATABASE_NAME} TO ${APP_DB_USER}, ${MIGRATOR_DB_USER};`,
    `GRANT USAGE, CREATE ON SCHEMA public TO ${MIGRATOR_DB_USER};`,
    `GRANT USAGE ON SCHEMA public TO ${APP_DB_USER};`,
    // The master sets the migrator's default privileges, so it must be a member (PostgreSQL 16 gives a
    // role's creator the right to grant it).
    `GRANT ${MIGRATOR_DB_USER} TO CURRENT_USER;`,
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${MIGRATOR_DB_USER} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${APP_DB_USER};`,
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${MIGRATOR_DB_USER} IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO ${APP_DB_USER};`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${APP_DB_USER};`,
    `GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO ${APP_DB_USER};`,
    "",
  ].join("\n");
}

/**
 * What the DocumentDB bootstrap runs in mongosh: each workload's IAM role becomes a user of `$external`
 * with the MONGODB-AWS mechanism and read-write access to the AMS database, created or updated
 * (https://docs.aws.amazon.com/documentdb/latest/developerguide/iam-identity-auth.html).
 */
export function documentDbUsersScript(roleArns: readonly string[]): string {
  const users = roleArns.map((user) => ({ user, roles: [{ role: "readWrite", db: DATABASE_NAME }] }));
  return [
    `const users = ${JSON.stringify(users)};`,
    `const external = db.getSiblingDB("$external");`,
    "for (const { user, roles } of users) {",
    "  if (external.getUser(user)) external.updateUser(user, { roles });",
    '  else external.createUser({ user, mechanisms: ["MONGODB-AWS"], roles });',
    "}",
    "",
  ].join("\n");
}

/** The migrations' password secret and the version that writes the password into it. */
export interface MigratorSecret {
  readonly secret: aws.secretsmanager.Secret;
  readonly value: aws.secretsmanager.SecretVersion;
}

/** The migrations' password, generated here, kept a Pulumi secret, stored in Secrets Manager. */
export function migratorSecret(
  name: string,
  args: { environment: EnvironmentName; recoveryWindowDays: number; protect: boolean },
  parent: pulumi.Resource,
): MigratorSecret {
  const password = new random.RandomPassword(name, { length: 40, special: false }, { parent });
  const secret = new aws.secretsmanager.Secret(
    name,
    {
      name: `${appSecretPrefix(args.environment)}postgres-migrator`,
      description: `AMS ${args.environment}: password of the PostgreSQL migration user ${MIGRATOR_DB_USER}`,
      recoveryWindowInDays: args.recoveryWindowDays,
      tags: awsTags("data"),
    },
    { parent, protect: args.protect },
  );
  const value = new aws.secretsmanager.SecretVersion(
    name,
    {
      secretId: secret.id,
      secretString: pulumi.secret(
        password.result.apply((value) => JSON.stringify({ username: MIGRATOR_DB_USER, password: value })),
      ),
    },
    { parent },
  );
  return { secret, value };
}

/** The Kubernetes Secrets of the database users: the two master secrets (bootstrap only) and the migrator's. */
export function databaseUserSecrets(args: {
  postgresMasterSecretArn: pulumi.Input<string>;
  documentDbMasterSecretArn: pulumi.Input<string>;
  migrator: MigratorSecret;
  postgresWriter: pulumi.Input<string>;
}): SyncedSecret[] {
  return [
    {
      name: POSTGRES_ADMIN_SECRET,
      secretArn: args.postgresMasterSecretArn,
      keys: { PGUSER: "username", PGPASSWORD: "password" },
      sourceRotates: true,
    },
    {
      name: DOCUMENTDB_ADMIN_SECRET,
      secretArn: args.documentDbMasterSecretArn,
      keys: { DOCDB_USERNAME: "username", DOCDB_PASSWORD: "password" },
      sourceRotates: true,
    },
    {
      name: MIGRATOR_SECRET,
      secretArn: args.migrator.secret.arn,
      value: args.migrator.value,
      keys: { password: "password" },
      template: {
        FLYWAY_URL: pulumi.interpolate`jdbc:postgresql://${args.postgresWriter}:${POSTGRES_PORT}/${DATABASE_NAME}?sslmode=verify-full&sslrootcert=${RDS_CA_PATH}`,
        FLYWAY_USER: MIGRATOR_DB_USER,
        FLYWAY_PASSWORD: "{{ .password }}",
      },
    },
  ];
}

const SCRIPTS_DIRECTORY = "/scripts";

/** A short-lived, restricted pod that runs one script against a database, then stops. */
function bootstrapJob(
  name: string,
  args: {
    environment: EnvironmentName;
    store: "postgres" | "documentdb";
    namespace: pulumi.Input<string>;
    image: string;
    script: pulumi.Input<string>;
    scriptFile: string;
    command: string;
    secrets: string[];
    env: Record<string, pulumi.Input<string>>;
  },
  opts: pulumi.CustomResourceOptions,
): k8s.batch.v1.Job {
  const instance = workloadName(`${args.store}-users`);
  const labels = amsLabels({
    name: workloadName("database-users"),
    instance,
    component: "database-users",
    environment: args.environment,
  });
  const scripts = new k8s.core.v1.ConfigMap(
    name,
    {
      metadata: { name: instance, namespace: args.namespace, labels },
      data: { [args.scriptFile]: args.script },
    },
    opts,
  );
  // Named by what it runs: a changed script is a new Job, run once; an unchanged one is not run again.
  const jobName = pulumi
    .output(args.script)
    .apply(
      (script) =>
        `${instance}-${createHash("sha256").update(`${args.image}\n${args.command}\n${script}`).digest("hex").slice(0, 10)}`,
    );
  return new k8s.batch.v1.Job(
    name,
    {
      metadata: {
        name: jobName,
        namespace: args.namespace,
        labels,
        // A failed run is replaced by the next `pulumi up`, instead of being waited on forever.
        annotations: { "pulumi.com/replaceUnready": "true" },
      },
      spec: {
        backoffLimit: BOOTSTRAP_BACKOFF_LIMIT,
        activeDeadlineSeconds: 1200,
        template: {
          metadata: { labels },
          spec: {
            restartPolicy: "Never",
            automountServiceAccountToken: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 10001,
              runAsGroup: 10001,
              seccompProfile: { type: "RuntimeDefault" },
            },
            containers: [
              {
                name: args.store,
                image: args.image,
                command: ["sh", "-c", args.command],
                envFrom: args.secrets.map((secret) => ({ secretRef: { name: secret } })),
                env: Object.entries({ ...args.env, HOME: "/tmp" }).map(([envName, value]) => ({
                  name: envName,
                  value,
                })),
                resources: {
                  requests: { cpu: "50m", memory: "64Mi" },
                  limits: { cpu: "500m", memory: "256Mi" },
                },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ["ALL"] },
                },
                volumeMounts: [
                  { name: "scripts", mountPath: SCRIPTS_DIRECTORY, readOnly: true },
                  { name: "rds-ca", mountPath: RDS_CA_DIRECTORY, readOnly: true },
                  { name: "tmp", mountPath: "/tmp" },
                ],
              },
            ],
            volumes: [
              { name: "scripts", configMap: { name: scripts.metadata.name } },
              { name: "rds-ca", configMap: { name: RDS_CA_CONFIG_MAP } },
              { name: "tmp", emptyDir: {} },
            ],
          },
        },
      },
    },
    // A Job that waits for a pod that cannot start yet (its Secret not synced) still finishes in time.
    { customTimeouts: { create: "25m", update: "25m" }, ...opts },
  );
}

/**
 * Creates the application users, from inside the cluster (the databases are reachable only from its pods):
 * a Job per store that logs in as the master user. They are the only readers of the master secrets, which
 * AWS rotates every 7 days; each pod reads the synced secret when it starts, so a retry after a rotation
 * reads the new password (refreshed every minute, `ROTATING_REFRESH_INTERVAL`).
 */
export function databaseUserJobs(
  name: string,
  args: {
    environment: EnvironmentName;
    namespace: pulumi.Input<string>;
    postgresWriter: pulumi.Input<string>;
    documentDbEndpoint: pulumi.Input<string>;
    /** IAM roles that become DocumentDB users (the workloads'). */
    documentDbRoleArns: pulumi.Input<string>[];
  },
  opts: pulumi.CustomResourceOptions,
): k8s.batch.v1.Job[] {
  const postgres = bootstrapJob(
    `${name}-postgres`,
    {
      environment: args.environment,
      store: "postgres",
      namespace: args.namespace,
      image: PSQL_IMAGE,
      script: postgresUsersSql(),
      scriptFile: "users.sql",
      command: `psql --no-psqlrc --file ${SCRIPTS_DIRECTORY}/users.sql`,
      secrets: [POSTGRES_ADMIN_SECRET, MIGRATOR_SECRET],
      env: {
        PGHOST: args.postgresWriter,
        PGPORT: String(POSTGRES_PORT),
        PGDATABASE: DATABASE_NAME,
        PGSSLMODE: "verify-full",
        PGSSLROOTCERT: RDS_CA_PATH,
        PGCONNECT_TIMEOUT: "10",
      },
    },
    opts,
  );
  const documentDb = bootstrapJob(
    `${name}-documentdb`,
    {
      environment: args.environment,
      store: "documentdb",
      namespace: args.namespace,
      image: MONGOSH_IMAGE,
      script: pulumi.all(args.documentDbRoleArns).apply((arns) => documentDbUsersScript(arns)),
      scriptFile: "users.js",
      // The master user is a password user of `admin` (authSource=admin); TLS against the RDS CA bundle.
      command:
        `mongosh "mongodb://$DOCDB_HOST:${DOCUMENTDB_PORT}/?tls=true&tlsCAFile=${RDS_CA_PATH}` +
        `&replicaSet=rs0&retryWrites=false&authSource=admin" --quiet ` +
        `--username "$DOCDB_USERNAME" --password "$DOCDB_PASSWORD" --file ${SCRIPTS_DIRECTORY}/users.js`,
      secrets: [DOCUMENTDB_ADMIN_SECRET],
      env: { DOCDB_HOST: args.documentDbEndpoint },
    },
    opts,
  );
  return [postgres, documentDb];
}

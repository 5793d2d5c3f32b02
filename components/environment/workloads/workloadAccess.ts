import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AmsConfig, SERVICES, ServiceName } from "../../../config/types";
import { APP_SECRET, namespaceName, REDIS_SECRET } from "../../names";
import { DataStores } from "../data/dataStores";
import { databaseUserJobs, databaseUserSecrets, migratorSecret } from "../data/databaseUsers";
import { rdsCaConfigMap } from "../data/rdsCa";
import { policy } from "../iamDocuments";
import { ClusterOidc } from "../irsa";
import { environmentProtection } from "../protection";
import { externalSecrets, SyncedSecret } from "./externalSecrets";
import { workloadIdentity } from "./identity";

export interface WorkloadAccessArgs {
  readonly config: AmsConfig;
  readonly stores: DataStores;
  /** The environment key: External Secrets decrypts the stores' managed secrets with it. */
  readonly keyArn: pulumi.Input<string>;
  readonly namespace: pulumi.Output<string>;
  readonly provider: k8s.Provider;
  readonly oidc: ClusterOidc;
  /** External Secrets' role and release: it gets read access to the managed secrets, and runs first. */
  readonly externalSecretsRole: aws.iam.Role;
  readonly externalSecretsRelease: pulumi.Resource;
  /** The app secret, synced when this program writes a value into it (`value`, its SecretVersion). */
  readonly appSecret: {
    readonly arn: pulumi.Output<string>;
    readonly value: aws.secretsmanager.SecretVersion | undefined;
  };
}

export interface WorkloadAccess {
  /** Everything the workloads must wait for (synced secrets, the RDS CA bundle, the database users, SAs). */
  readonly workloadPrerequisites: pulumi.Resource[];
  /** Stack output: the IAM role of each service. */
  readonly outputs: Record<string, pulumi.Input<unknown>>;
}

/**
 * How the workloads reach what they need: an IAM role and service account per service (IRSA), the secrets
 * External Secrets syncs into the namespace, the RDS CA bundle, and the Jobs that create the database users.
 */
export function workloadAccess(
  name: string,
  args: WorkloadAccessArgs,
  parent: pulumi.Resource,
): WorkloadAccess {
  const { config, stores } = args;
  const environment = config.environment;
  const protection = environmentProtection(environment);
  const identities = Object.fromEntries(
    SERVICES.map((service) => [
      service,
      workloadIdentity(
        `${name}-${service}`,
        {
          service,
          environment,
          region: config.awsRegion,
          namespace: args.namespace,
          namespaceName: namespaceName(environment),
          oidc: args.oidc,
          queueArns: stores.queues.map((queue) => queue.queue.arn),
          postgresResourceId: stores.postgres.cluster.clusterResourceId,
          provider: args.provider,
        },
        parent,
      ),
    ]),
  ) as Record<ServiceName, ReturnType<typeof workloadIdentity>>;

  // The data stores' AWS-managed secrets live outside ams/<env>/; the operator may read exactly those,
  // and decrypt them with the environment key (RDS seals its master secret with it). Only the user
  // bootstrap Jobs read them; the services log in with their IAM roles.
  new aws.iam.RolePolicy(
    `${name}-external-secrets-stores`,
    {
      role: args.externalSecretsRole.name,
      policy: pulumi
        .all([stores.postgres.masterSecretArn, stores.documentDb.masterSecretArn, args.keyArn])
        .apply(([pgSecret, docdbSecret, keyArn]) =>
          JSON.stringify(
            policy(
              {
                Effect: "Allow",
                Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                Resource: [pgSecret, docdbSecret],
              },
              {
                Effect: "Allow",
                Action: "kms:Decrypt",
                Resource: keyArn,
                Condition: {
                  StringEquals: { "kms:ViaService": `secretsmanager.${config.awsRegion}.amazonaws.com` },
                },
              },
            ),
          ),
        ),
    },
    { parent },
  );
  const migrator = migratorSecret(
    `${name}-postgres-migrator`,
    {
      environment,
      recoveryWindowDays: protection.secretRecoveryWindowDays,
      protect: protection.protect,
    },
    parent,
  );
  const synced: SyncedSecret[] = [
    {
      name: REDIS_SECRET,
      secretArn: stores.redis.authSecretArn,
      value: stores.redis.authSecretValue,
      keys: { SPRING_DATA_REDIS_PASSWORD: "AUTH_TOKEN" },
    },
    ...databaseUserSecrets({
      postgresMasterSecretArn: stores.postgres.masterSecretArn,
      documentDbMasterSecretArn: stores.documentDb.masterSecretArn,
      migrator,
      postgresWriter: stores.postgres.cluster.endpoint,
    }),
    ...(args.appSecret.value
      ? [
          {
            name: APP_SECRET,
            secretArn: args.appSecret.arn,
            value: args.appSecret.value,
            keys: { FEATURE_FLAG_SDK_KEY: "FEATURE_FLAG_SDK_KEY" },
          },
        ]
      : []),
  ];
  const secretObjects = externalSecrets(
    `${name}-secrets`,
    {
      environment,
      region: config.awsRegion,
      namespace: args.namespace,
      secrets: synced,
      provider: args.provider,
      dependsOn: [args.externalSecretsRelease],
    },
    parent,
  );
  const kubernetes = { parent, provider: args.provider };
  const rdsCa = rdsCaConfigMap(
    `${name}-rds-ca`,
    { environment, region: config.awsRegion, namespace: args.namespace },
    kubernetes,
  );
  const userJobs = databaseUserJobs(
    `${name}-users`,
    {
      environment,
      namespace: args.namespace,
      postgresWriter: stores.postgres.cluster.endpoint,
      documentDbEndpoint: stores.documentDb.cluster.endpoint,
      documentDbRoleArns: SERVICES.map((service) => identities[service].role.arn),
    },
    {
      ...kubernetes,
      dependsOn: [...secretObjects, rdsCa, ...stores.postgres.instances, ...stores.documentDb.instances],
    },
  );

  return {
    workloadPrerequisites: [
      ...secretObjects,
      rdsCa,
      ...userJobs,
      ...Object.values(identities).map((identity) => identity.serviceAccount),
    ],
    outputs: {
      workloadRoleArns: Object.fromEntries(
        SERVICES.map((service) => [service, identities[service].role.arn]),
      ),
    },
  };
}

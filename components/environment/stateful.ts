import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AmsConfig, SERVICES, ServiceName } from "../../config/types";
import { dataStoreProperties } from "./data/connectionSettings";
import { databaseUserJobs, databaseUserSecrets, migratorSecret } from "./data/databaseUsers";
import { documentDb } from "./data/documentDb";
import { postgres } from "./data/postgres";
import { rdsCaConfigMap } from "./data/rdsCa";
import { redis, REDIS_PORT } from "./data/redis";
import { StoreContext } from "./data/storeNetwork";
import { policy } from "./iamDocuments";
import { ClusterOidc } from "./irsa";
import { queues } from "./messaging/queues";
import { alarms } from "./monitoring/alarms";
import { dashboard } from "./monitoring/dashboard";
import { environmentPolicy, namespaceName } from "./policy";
import { ciPushRole } from "./registry/ciPushRole";
import { ImageName, IMAGES, repositories } from "./registry/repositories";
import { externalSecrets, SyncedSecret } from "./workloads/externalSecrets";
import { workloadIdentity } from "./workloads/identity";

export interface StatefulArgs {
  readonly config: AmsConfig;
  readonly vpcId: pulumi.Input<string>;
  readonly privateSubnetIds: pulumi.Input<string[]>;
  /** The VPC's zones, in its subnets' order: each data store instance goes to its own. */
  readonly zones: pulumi.Output<string[]>;
  /** Security group of the nodes and pods: the only client the data stores admit. */
  readonly clientSecurityGroupId: pulumi.Input<string>;
  readonly key: aws.kms.Key;
  readonly namespace: pulumi.Output<string>;
  readonly provider: k8s.Provider;
  readonly oidc: ClusterOidc;
  /** External Secrets' role and release: it gets read access to the managed secrets, and runs first. */
  readonly externalSecretsRole: aws.iam.Role;
  readonly externalSecretsRelease: pulumi.Resource;
  /** The app secret, synced when it holds a value. */
  readonly appSecret: { readonly arn: pulumi.Output<string>; readonly hasValue: boolean };
}

export interface Stateful {
  /** Spring properties pointing at the stores and queues, for Parameter Store. */
  readonly properties: Record<string, pulumi.Input<string>>;
  /** Image repository URL per AMS image. */
  readonly repositoryUrls: Record<ImageName, pulumi.Output<string>>;
  /** Everything the workloads must wait for (synced secrets, the RDS CA bundle, the database users). */
  readonly workloadPrerequisites: pulumi.Resource[];
  readonly outputs: Record<string, pulumi.Input<unknown>>;
  /** The SNS topic every alarm notifies. */
  readonly alarmTopicArn: pulumi.Output<string>;
  /** Every alarm of the data stores and queues. */
  readonly alarmNames: readonly string[];
  /** Queue backlog alarms: a switch whose new workers fall behind fires them. */
  readonly backlogAlarmNames: readonly string[];
}

/**
 * The stateful half of the environment: PostgreSQL, DocumentDB, the cache, the job queues, the image
 * registry with its CI push role, the workloads' identities, the secrets they receive, and the alarms
 * and dashboard an operator watches. Everything that holds data is protected in prod.
 */
export function statefulServices(name: string, args: StatefulArgs, parent: pulumi.Resource): Stateful {
  const { config } = args;
  const environment = config.environment;
  const policyOfEnvironment = environmentPolicy(environment);
  const ctx: StoreContext = {
    environment,
    vpcId: args.vpcId,
    privateSubnetIds: args.privateSubnetIds,
    clientSecurityGroupId: args.clientSecurityGroupId,
    keyArn: args.key.arn,
    zones: args.zones,
    protect: policyOfEnvironment.protect,
  };

  const pg = postgres(`${name}-postgres`, config.data.postgres, ctx, parent);
  const docdb = documentDb(`${name}-docdb`, config.data.documentDb, ctx, parent);
  const cache = redis(
    `${name}-redis`,
    config.data.redis,
    { ...ctx, secretRecoveryWindowDays: policyOfEnvironment.secretRecoveryWindowDays },
    parent,
  );
  const jobQueues = queues(
    `${name}-queues`,
    { environment, queues: config.data.queues, protect: ctx.protect },
    parent,
  );

  const images = repositories(
    `${name}-ecr`,
    { environment, keyArn: args.key.arn, protect: ctx.protect },
    parent,
  );
  const ciRole = config.registry.githubRepository
    ? ciPushRole(
        `${name}-ci-push`,
        {
          environment,
          repository: config.registry.githubRepository,
          existingProviderArn: config.registry.githubOidcProviderArn,
          repositoryArns: Object.values(images).map((repository) => repository.arn),
        },
        parent,
      )
    : undefined;

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
          queueArns: jobQueues.map((queue) => queue.queue.arn),
          postgresResourceId: pg.cluster.clusterResourceId,
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
        .all([pg.masterSecretArn, docdb.masterSecretArn, args.key.arn])
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
      recoveryWindowDays: policyOfEnvironment.secretRecoveryWindowDays,
      protect: ctx.protect,
    },
    parent,
  );
  const synced: SyncedSecret[] = [
    { name: "ams-redis", secretArn: cache.authSecretArn, keys: { SPRING_DATA_REDIS_PASSWORD: "AUTH_TOKEN" } },
    ...databaseUserSecrets({
      postgresMasterSecretArn: pg.masterSecretArn,
      documentDbMasterSecretArn: docdb.masterSecretArn,
      migratorSecretArn: migrator.arn,
      postgresWriter: pg.cluster.endpoint,
    }),
    ...(args.appSecret.hasValue
      ? [
          {
            name: "ams-app",
            secretArn: args.appSecret.arn,
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
      postgresWriter: pg.cluster.endpoint,
      documentDbEndpoint: docdb.cluster.endpoint,
      documentDbRoleArns: SERVICES.map((service) => identities[service].role.arn),
    },
    { ...kubernetes, dependsOn: [...secretObjects, rdsCa, ...pg.instances, ...docdb.instances] },
  );

  const monitoring = alarms(
    `${name}-alarms`,
    {
      environment,
      monitoring: config.monitoring,
      keyId: args.key.id,
      targets: {
        queues: jobQueues,
        postgresClusterId: `ams-${environment}-postgres`,
        postgresInstanceIds: pg.instances.map((_, index) => `ams-${environment}-postgres-${index + 1}`),
        redisMemberIds: cache.memberIds,
        documentDbId: `ams-${environment}-docdb`,
      },
    },
    parent,
  );
  const board = dashboard(
    `${name}-dashboard`,
    {
      environment,
      region: config.awsRegion,
      queues: jobQueues.map(({ config: queue, queue: q, deadLetters }) => ({
        name: queue.name,
        queueName: q.name,
        deadLetterName: deadLetters.name,
      })),
    },
    parent,
  );

  const properties: Record<string, pulumi.Input<string>> = {
    ...dataStoreProperties({
      postgresWriter: pg.cluster.endpoint,
      postgresReader: pg.cluster.readerEndpoint,
      documentDbEndpoint: docdb.cluster.endpoint,
    }),
    "spring.data.redis.host": cache.group.primaryEndpointAddress,
    "spring.data.redis.port": String(REDIS_PORT),
    "spring.data.redis.ssl.enabled": "true",
    ...Object.fromEntries(
      jobQueues.map(({ config: queue, queue: q }) => [`ams.queues.${queue.name}.url`, q.url]),
    ),
  };
  return {
    alarmTopicArn: monitoring.topic.arn,
    alarmNames: monitoring.alarmNames,
    backlogAlarmNames: monitoring.backlogAlarmNames,
    properties,
    repositoryUrls: Object.fromEntries(IMAGES.map((image) => [image, images[image].repositoryUrl])) as Record<
      ImageName,
      pulumi.Output<string>
    >,
    workloadPrerequisites: [
      ...secretObjects,
      rdsCa,
      ...userJobs,
      ...Object.values(identities).map((identity) => identity.serviceAccount),
    ],
    outputs: {
      postgresEndpoint: pg.cluster.endpoint,
      postgresReaderEndpoint: pg.cluster.readerEndpoint,
      documentDbEndpoint: docdb.cluster.endpoint,
      redisEndpoint: cache.group.primaryEndpointAddress,
      queueUrls: Object.fromEntries(jobQueues.map(({ config: queue, queue: q }) => [queue.name, q.url])),
      ecrRepositoryUrls: Object.fromEntries(
        Object.entries(images).map(([image, repository]) => [image, repository.repositoryUrl]),
      ),
      ciPushRoleArn: ciRole?.arn ?? "",
      workloadRoleArns: Object.fromEntries(
        SERVICES.map((service) => [service, identities[service].role.arn]),
      ),
      alarmTopicArn: monitoring.topic.arn,
      dashboardName: board.dashboardName,
    },
  };
}

import { strict as assert } from "assert";
import { Plan, PlannedResource, findResource, findResources } from "../../../plan/plan";
import { MOCK_ACCOUNT_ID, mockResource, stableHash } from "../../../plan/mockOutputs";
import { renderPlanText } from "../../../plan/render";
import { parseStack, problemFor } from "../../helpers/config";
import { canAssumeWithWebIdentity, identityDecision } from "../../helpers/iam";
import { planOf, STACKS } from "../../helpers/plans";

const RDS = "aws:rds/cluster:Cluster";
const RDS_INSTANCE = "aws:rds/clusterInstance:ClusterInstance";
const DOCDB = "aws:docdb/cluster:Cluster";
const REDIS = "aws:elasticache/replicationGroup:ReplicationGroup";
const QUEUE = "aws:sqs/queue:Queue";
const ECR = "aws:ecr/repository:Repository";

/** Types that hold data: in prod each must be protected. */
const STATEFUL_TYPES = [
  RDS,
  RDS_INSTANCE,
  DOCDB,
  "aws:docdb/clusterInstance:ClusterInstance",
  REDIS,
  QUEUE,
  ECR,
  "aws:secretsmanager/secret:Secret",
  "aws:kms/key:Key",
];

function policyOf(plan: Plan, type: string, name: string): unknown {
  const resource = findResource(plan, type, name);
  return JSON.parse(String(resource.inputs[type === "aws:iam/role:Role" ? "assumeRolePolicy" : "policy"]));
}

describe("AmsEnvironment, stateful half: data stores, queues, registry, secrets, alarms", () => {
  describe("prod guarantees", () => {
    let plan: Plan;
    before(async () => {
      plan = await planOf("prod");
    });

    it("PostgreSQL: Aurora, private, encrypted with the environment key, TLS forced, backed up, undeletable, IAM logins", () => {
      const db = findResource(plan, RDS, "ams-data-postgres");
      assert.equal(db.inputs.engine, "aurora-postgresql");
      assert.equal(db.inputs.storageEncrypted, true);
      assert.match(String(db.inputs.kmsKeyId), /^arn:aws:kms:/);
      assert.ok(Number(db.inputs.backupRetentionPeriod) >= 7);
      assert.equal(db.inputs.deletionProtection, true);
      assert.equal(db.inputs.skipFinalSnapshot, false);
      assert.equal(db.inputs.finalSnapshotIdentifier, "ams-prod-postgres-final");
      assert.equal(db.inputs.iamDatabaseAuthenticationEnabled, true);
      assert.equal(db.inputs.manageMasterUserPassword, true);
      assert.equal(db.inputs.masterPassword, undefined, "AWS manages the password; we never hold it");
      assert.equal(db.options.protect, true);
      const parameters = findResource(
        plan,
        "aws:rds/clusterParameterGroup:ClusterParameterGroup",
        "ams-data-postgres",
      );
      assert.equal(parameters.inputs.family, "aurora-postgresql16");
      assert.equal(
        db.inputs.dbClusterParameterGroupName,
        parameters.inputs.name ?? db.inputs.dbClusterParameterGroupName,
      );
      assert.deepEqual(parameters.inputs.parameters, [{ name: "rds.force_ssl", value: "1" }]);
      for (const instance of findResources(plan, RDS_INSTANCE)) {
        assert.equal(instance.inputs.publiclyAccessible, false, instance.urn);
        assert.equal(instance.inputs.performanceInsightsEnabled, true, instance.urn);
        assert.equal(instance.options.protect, true, instance.urn);
      }
    });

    it("PostgreSQL: a writer and a reader in two zones, the reader the failover target (no RDS read replica)", () => {
      const instances = findResources(plan, RDS_INSTANCE);
      assert.equal(instances.length, parseStack("prod").data.postgres.instanceCount);
      assert.ok(instances.length >= 2);
      for (const instance of instances) assert.equal(instance.inputs.clusterIdentifier, "ams-prod-postgres");
      const zones = instances.map((instance) => instance.inputs.availabilityZone);
      assert.equal(new Set(zones).size, instances.length, `zones ${zones.join()}`);
      assert.deepEqual(
        findResources(plan, "aws:rds/instance:Instance").filter((db) => db.name.startsWith("ams-data-")),
        [],
      );
      assert.match(String(plan.outputs.postgresReaderEndpoint), /\.cluster-ro-/);
    });

    it("DocumentDB: TLS enforced, encrypted, two instances, backed up, undeletable, AWS-managed password", () => {
      const cluster = findResource(plan, DOCDB, "ams-data-docdb");
      assert.equal(cluster.inputs.storageEncrypted, true);
      assert.match(String(cluster.inputs.kmsKeyId), /^arn:aws:kms:/);
      assert.ok(Number(cluster.inputs.backupRetentionPeriod) >= 7);
      assert.equal(cluster.inputs.deletionProtection, true);
      assert.equal(cluster.inputs.skipFinalSnapshot, false);
      assert.equal(cluster.inputs.manageMasterUserPassword, true);
      assert.equal(cluster.inputs.masterPassword, undefined);
      const parameters = findResource(
        plan,
        "aws:docdb/clusterParameterGroup:ClusterParameterGroup",
        "ams-data-docdb",
      );
      assert.ok(
        (parameters.inputs.parameters as { name: string; value: string }[]).some(
          (p) => p.name === "tls" && p.value === "enabled",
        ),
      );
      const instances = findResources(plan, "aws:docdb/clusterInstance:ClusterInstance");
      assert.equal(instances.length, 2);
      assert.equal(new Set(instances.map((instance) => instance.inputs.availabilityZone)).size, 2);
    });

    it("cache: encrypted in transit and at rest, automatic failover across zones, AUTH token never shown", () => {
      const cache = findResource(plan, REDIS, "ams-data-redis");
      assert.equal(cache.inputs.transitEncryptionEnabled, true);
      assert.equal(cache.inputs.atRestEncryptionEnabled, true);
      assert.equal(cache.inputs.automaticFailoverEnabled, true);
      assert.equal(cache.inputs.multiAzEnabled, true);
      assert.equal(cache.inputs.authToken, "[secret]");
      assert.equal(
        findResource(plan, "aws:secretsmanager/secretVersion:SecretVersion", "ams-data-redis-auth").inputs
          .secretString,
        "[secret]",
      );
    });

    it("the readers' lag and each instance's local storage are alarmed", () => {
      const alarms = findResources(plan, "aws:cloudwatch/metricAlarm:MetricAlarm");
      const lag = alarms.find((a) => a.inputs.name === "ams-prod-postgres-reader-lag") as PlannedResource;
      assert.deepEqual(lag.inputs.dimensions, { DBClusterIdentifier: "ams-prod-postgres", Role: "READER" });
      assert.equal(
        lag.inputs.threshold,
        parseStack("prod").monitoring.thresholds.rdsReplicaLagSeconds * 1000,
      );
      for (const id of ["ams-prod-postgres-1", "ams-prod-postgres-2"]) {
        const storage = alarms.find((a) => a.inputs.name === `${id}-free-local-storage`);
        assert.deepEqual(storage?.inputs.dimensions, { DBInstanceIdentifier: id });
      }
    });

    it("cache and DocumentDB keep snapshots and leave a final one; the cache is sealed with the environment key", () => {
      const cache = findResource(plan, REDIS, "ams-data-redis");
      assert.match(String(cache.inputs.kmsKeyId), /^arn:aws:kms:/);
      assert.ok(Number(cache.inputs.snapshotRetentionLimit) >= 1);
      assert.equal(cache.inputs.finalSnapshotIdentifier, "ams-prod-redis-final");
      assert.equal(
        findResource(plan, DOCDB, "ams-data-docdb").inputs.finalSnapshotIdentifier,
        "ams-prod-docdb-final",
      );
    });

    it("queues: encrypted, long-polled, each with a dead-letter queue after maxReceiveCount deliveries", () => {
      const config = parseStack("prod").data.queues[0];
      const queue = findResource(plan, QUEUE, `ams-data-queues-${config.name}`);
      const deadLetters = findResource(plan, QUEUE, `ams-data-queues-${config.name}-dlq`);
      assert.equal(queue.inputs.sqsManagedSseEnabled, true);
      assert.equal(deadLetters.inputs.sqsManagedSseEnabled, true);
      assert.equal(queue.inputs.visibilityTimeoutSeconds, config.visibilityTimeoutSeconds);
      assert.equal(queue.inputs.receiveWaitTimeSeconds, 20);
      const redrive = JSON.parse(String(queue.inputs.redrivePolicy));
      assert.equal(redrive.maxReceiveCount, config.maxReceiveCount);
      assert.match(redrive.deadLetterTargetArn, /:ams-prod-jobs-dlq$/);
    });

    it("registry: immutable tags, scan on push, KMS encryption and a lifecycle policy per image", () => {
      const repositories = findResources(plan, ECR);
      assert.deepEqual(repositories.map((r) => r.inputs.name).sort(), [
        "prod/ams-api",
        "prod/ams-migrations",
        "prod/ams-worker",
      ]);
      for (const repository of repositories) {
        assert.equal(repository.inputs.imageTagMutability, "IMMUTABLE");
        assert.deepEqual(repository.inputs.imageScanningConfiguration, { scanOnPush: true });
        assert.equal(
          (repository.inputs.encryptionConfigurations as { encryptionType: string }[])[0].encryptionType,
          "KMS",
        );
      }
      assert.equal(findResources(plan, "aws:ecr/lifecyclePolicy:LifecyclePolicy").length, 3);
    });

    it("every stateful resource is protected, and every secret keeps a 30-day recovery window", () => {
      for (const resource of plan.resources.filter((r) => STATEFUL_TYPES.includes(r.type))) {
        assert.equal(resource.options.protect, true, resource.urn);
      }
      for (const secret of findResources(plan, "aws:secretsmanager/secret:Secret")) {
        assert.equal(secret.inputs.recoveryWindowInDays, 30, secret.urn);
      }
    });

    it("data stores sit in the private subnets, each reachable on its port from the cluster's pods only", () => {
      const privateSubnets = plan.outputs.privateSubnetIds;
      for (const type of [
        "aws:rds/subnetGroup:SubnetGroup",
        "aws:docdb/subnetGroup:SubnetGroup",
        "aws:elasticache/subnetGroup:SubnetGroup",
      ]) {
        assert.deepEqual(findResources(plan, type)[0].inputs.subnetIds, privateSubnets, type);
      }
      const rules = findResources(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
      // 5432 twice: the AMS database and the flag service's (Unleash's) own.
      assert.deepEqual(rules.map((rule) => rule.inputs.fromPort).sort(), [27017, 5432, 5432, 6379]);
      for (const rule of rules) {
        assert.equal(rule.inputs.referencedSecurityGroupId, plan.outputs.nodeSecurityGroupId, rule.urn);
        assert.equal(rule.inputs.cidrIpv4, undefined, rule.urn);
        assert.equal(rule.inputs.toPort, rule.inputs.fromPort);
      }
      assert.equal(findResources(plan, "aws:ec2/securityGroupRule:SecurityGroupRule").length, 0);
    });
  });

  describe("dev is smaller and cheaper, with the same kinds of stores", () => {
    it("one instance each, shorter retention, no protection, one cache node", async () => {
      const plan = await planOf("dev");
      const db = findResource(plan, RDS, "ams-data-postgres");
      assert.ok(
        Number(db.inputs.backupRetentionPeriod) <
          Number(findResource(await planOf("prod"), RDS, "ams-data-postgres").inputs.backupRetentionPeriod),
      );
      assert.equal(db.inputs.skipFinalSnapshot, true);
      assert.equal(db.options.protect, false);
      assert.equal(findResources(plan, RDS_INSTANCE).length, 1);
      assert.equal(findResources(plan, "aws:docdb/clusterInstance:ClusterInstance").length, 1);
      assert.equal(findResource(plan, REDIS, "ams-data-redis").inputs.automaticFailoverEnabled, false);
    });
    it("declares the same data-store resource types as prod", async () => {
      const types = (plan: Plan) =>
        [...new Set(plan.resources.map((r) => r.type).filter((t) => STATEFUL_TYPES.includes(t)))].sort();
      assert.deepEqual(types(await planOf("dev")), types(await planOf("prod")));
    });
  });

  describe("secrets reach pods only through External Secrets", () => {
    for (const stack of STACKS) {
      it(`${stack}: ExternalSecrets map the managed secrets; Pulumi creates no Kubernetes Secret`, async () => {
        const plan = await planOf(stack);
        assert.equal(findResources(plan, "kubernetes:core/v1:Secret").length, 0);
        const synced = findResources(plan, "kubernetes:external-secrets.io/v1:ExternalSecret");
        const byName = Object.fromEntries(
          synced.map((s) => [(s.inputs.metadata as { name: string }).name, s]),
        );
        assert.deepEqual(Object.keys(byName).sort(), [
          "ams-app",
          "ams-documentdb-admin",
          "ams-postgres-admin",
          "ams-postgres-migrator",
          "ams-redis",
          "unleash-secrets",
        ]);
        const data = (name: string) =>
          (
            byName[name].inputs.spec as {
              data: { secretKey: string; remoteRef: { key: string; property: string } }[];
            }
          ).data;
        assert.match(data("ams-postgres-admin")[0].remoteRef.key, /:secret:rds!cluster-/);
        assert.deepEqual(
          data("ams-redis").map((d) => d.secretKey),
          ["SPRING_DATA_REDIS_PASSWORD"],
        );
      });
    }

    it("the cache's generated AUTH token appears nowhere in the plan", async () => {
      const plan = await planOf("prod");
      // What the offline mocks generate for this password (the harness's own deterministic placeholder)…
      const type = "random:index/randomPassword:RandomPassword";
      const token = stableHash("random", type, "ams-data-redis-auth").repeat(4).slice(0, 64);
      // …checked against the mock itself, so the search below looks for the value the program really got.
      const generated = mockResource(
        type,
        "ams-data-redis-auth",
        { length: 64 },
        { region: "ap-northeast-2", previousOutputs: {} },
      );
      assert.equal(generated.state.result, token);
      assert.ok(!JSON.stringify(plan).includes(token));
      assert.ok(!renderPlanText(plan).includes(token));
    });

    it("the migration user's JDBC URL and password are assembled by the operator, the password never by Pulumi", async () => {
      const plan = await planOf("prod");
      const migrator = findResources(plan, "kubernetes:external-secrets.io/v1:ExternalSecret").find(
        (s) => (s.inputs.metadata as { name: string }).name === "ams-postgres-migrator",
      ) as PlannedResource;
      const target = (migrator.inputs.spec as { target: { template: { data: Record<string, string> } } })
        .target;
      assert.equal(target.template.data.FLYWAY_PASSWORD, "{{ .password }}");
      assert.equal(target.template.data.FLYWAY_USER, "ams_migrator");
      assert.match(
        target.template.data.FLYWAY_URL,
        /^jdbc:postgresql:\/\/ams-prod-postgres\.cluster-.*:5432\/ams\?sslmode=verify-full&sslrootcert=\/etc\/ams\/rds-ca\/rds-ca\.pem$/,
      );
      assert.equal(
        findResource(plan, "aws:secretsmanager/secretVersion:SecretVersion", "ams-data-postgres-migrator")
          .inputs.secretString,
        "[secret]",
      );
    });

    it("the app secret (the Unleash client token) is synced as ams-app", async () => {
      const plan = await planOf("prod");
      const app = findResources(plan, "kubernetes:external-secrets.io/v1:ExternalSecret").find(
        (s) => (s.inputs.metadata as { name: string }).name === "ams-app",
      );
      const data = (app?.inputs.spec as { data: { secretKey: string }[] }).data;
      assert.deepEqual(
        data.map((d) => d.secretKey),
        ["FEATURE_FLAG_SDK_KEY"],
      );
    });
  });

  describe("app config: endpoints and queue URLs in Parameter Store", () => {
    it("points Spring at the stores over TLS and at the queues", async () => {
      const plan = await planOf("prod");
      const value = (property: string) =>
        findResources(plan, "aws:ssm/parameter:Parameter").find(
          (p) => p.inputs.name === `/config/ams_prod/${property}`,
        )?.inputs.insecureValue;
      assert.match(
        String(value("spring.datasource.url")),
        /^jdbc:aws-wrapper:postgresql:\/\/ams-prod-postgres\.cluster-c[^/]+:5432\/ams\?sslmode=verify-full&sslrootcert=\/etc\/ams\/rds-ca\/rds-ca\.pem&wrapperPlugins=iam,failover$/,
      );
      assert.equal(value("spring.datasource.username"), "ams_app");
      assert.match(String(value("ams.datasource.reader-url")), /ams-prod-postgres\.cluster-ro-/);
      // DocumentDB users live in $external (IAM) — a driver must not authenticate against the path's database.
      const mongo = new URL(String(value("spring.data.mongodb.uri")));
      assert.equal(mongo.protocol, "mongodb:");
      assert.equal(mongo.username, "", "no credentials in the URI");
      assert.equal(mongo.pathname, "/ams");
      assert.equal(mongo.searchParams.get("authSource"), "$external");
      assert.equal(mongo.searchParams.get("authMechanism"), "MONGODB-AWS");
      assert.equal(mongo.searchParams.get("tls"), "true");
      assert.equal(mongo.searchParams.get("retryWrites"), "false");
      assert.equal(value("spring.data.mongodb.ssl.bundle"), "rds");
      assert.equal(
        value("spring.ssl.bundle.pem.rds.truststore.certificate"),
        "file:/etc/ams/rds-ca/rds-ca.pem",
      );
      assert.equal(value("spring.data.redis.ssl.enabled"), "true");
      assert.match(
        String(value("ams.queues.jobs.url")),
        /^https:\/\/sqs\.ap-northeast-2\.amazonaws\.com\/\d{12}\/ams-prod-jobs$/,
      );
    });
  });

  describe("IAM", () => {
    const repoArn = (stack: string, image: string) =>
      `arn:aws:ecr:ap-northeast-2:${MOCK_ACCOUNT_ID}:repository/${stack}/${image}`;

    function ciAssume(plan: Plan, subject: string): string {
      const trust = policyOf(plan, "aws:iam/role:Role", "ams-data-ci-push") as {
        Statement: { Principal: { Federated: string } }[];
      };
      const providerArn = trust.Statement[0].Principal.Federated;
      // The role lives in the provider's account (the stacks reference the account's existing provider).
      return canAssumeWithWebIdentity(
        trust,
        `arn:aws:iam::${providerArn.split(":")[4]}:role/ams-data-ci-push`,
        {
          providerArn,
          providerUrl: "token.actions.githubusercontent.com",
          subject,
        },
      );
    }

    it("the CI role can be assumed from main and release tags of the configured repository only", async () => {
      const plan = await planOf("dev");
      assert.equal(ciAssume(plan, "repo:ams-team/ams:ref:refs/heads/main"), "Allowed");
      assert.equal(ciAssume(plan, "repo:ams-team/ams:ref:refs/tags/v1.5.0"), "Allowed");
      assert.equal(ciAssume(plan, "repo:ams-team/ams:ref:refs/heads/feature/x"), "ImplicitlyDenied");
      assert.equal(ciAssume(plan, "repo:ams-team/ams:pull_request"), "ImplicitlyDenied");
      assert.equal(ciAssume(plan, "repo:someone-else/ams:ref:refs/heads/main"), "ImplicitlyDenied");
    });

    it("a stack without an existing GitHub OIDC provider creates the account's one", async () => {
      const plan = await planOf("dev", "githubOidcProviderArn=");
      const provider = findResources(plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
      assert.equal(provider.length, 1);
      assert.equal(provider[0].inputs.url, "https://token.actions.githubusercontent.com");
      assert.equal(
        findResources(await planOf("dev"), "aws:iam/openIdConnectProvider:OpenIdConnectProvider").length,
        0,
      );
    });

    it("the CI role can push to the AMS repositories and to nothing else", async () => {
      const plan = await planOf("dev");
      const push = policyOf(plan, "aws:iam/rolePolicy:RolePolicy", "ams-data-ci-push-push");
      assert.equal(await identityDecision(push, "ecr:PutImage", repoArn("dev", "ams-api")), "Allowed");
      assert.equal(
        await identityDecision(push, "ecr:UploadLayerPart", repoArn("dev", "ams-migrations")),
        "Allowed",
      );
      assert.equal(
        await identityDecision(push, "ecr:PutImage", repoArn("dev", "billing")),
        "ImplicitlyDenied",
      );
      assert.equal(
        await identityDecision(push, "ecr:PutImage", repoArn("prod", "ams-api")),
        "ImplicitlyDenied",
      );
      assert.equal(
        await identityDecision(push, "ecr:DeleteRepository", repoArn("dev", "ams-api")),
        "ImplicitlyDenied",
      );
    });

    it("the worker consumes its queue and cannot read the api's parameters; the api only enqueues", async () => {
      const plan = await planOf("prod");
      const worker = policyOf(plan, "aws:iam/rolePolicy:RolePolicy", "ams-data-worker-permissions");
      const api = policyOf(plan, "aws:iam/rolePolicy:RolePolicy", "ams-data-api-permissions");
      const queue = `arn:aws:sqs:ap-northeast-2:${MOCK_ACCOUNT_ID}:ams-prod-jobs`;
      const parameter = (path: string) => `arn:aws:ssm:ap-northeast-2:${MOCK_ACCOUNT_ID}:parameter${path}`;
      assert.equal(await identityDecision(worker, "sqs:ReceiveMessage", queue), "Allowed");
      assert.equal(await identityDecision(worker, "sqs:DeleteMessage", queue), "Allowed");
      assert.equal(
        await identityDecision(worker, "ssm:GetParameter", parameter("/config/ams_prod/logging.level.root")),
        "Allowed",
      );
      assert.equal(
        await identityDecision(worker, "ssm:GetParameter", parameter("/config/ams-api_prod/anything")),
        "ImplicitlyDenied",
      );
      assert.equal(
        await identityDecision(
          worker,
          "sqs:ReceiveMessage",
          `arn:aws:sqs:ap-northeast-2:${MOCK_ACCOUNT_ID}:ams-dev-jobs`,
        ),
        "ImplicitlyDenied",
      );
      assert.equal(await identityDecision(api, "sqs:SendMessage", queue), "Allowed");
      assert.equal(await identityDecision(api, "sqs:ReceiveMessage", queue), "ImplicitlyDenied");
    });

    it("each workload role trusts only its own service account", async () => {
      const plan = await planOf("prod");
      const providerArn = String(plan.outputs.oidcProviderArn);
      const issuer = providerArn.split(":oidc-provider/")[1];
      for (const service of ["api", "worker"]) {
        const trust = policyOf(plan, "aws:iam/role:Role", `ams-data-${service}`);
        const roleArn = `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/ams-data-${service}`;
        const as = (sa: string) =>
          canAssumeWithWebIdentity(trust, roleArn, {
            providerArn,
            providerUrl: issuer,
            subject: `system:serviceaccount:ams-prod:${sa}`,
          });
        assert.equal(as(`ams-${service}`), "Allowed");
        assert.equal(as(service === "api" ? "ams-worker" : "ams-api"), "ImplicitlyDenied");
      }
      const account = findResource(plan, "kubernetes:core/v1:ServiceAccount", "ams-data-worker");
      assert.match(
        String(
          (account.inputs.metadata as { annotations: Record<string, string> }).annotations[
            "eks.amazonaws.com/role-arn"
          ],
        ),
        /:role\/ams-data-worker/,
      );
    });
  });

  describe("alarms and dashboard", () => {
    it("prod alarms on backlog age, dead letters, database CPU/storage/replica lag, cache memory, DocumentDB CPU", async () => {
      const plan = await planOf("prod");
      const alarms = findResources(plan, "aws:cloudwatch/metricAlarm:MetricAlarm");
      const metrics = alarms.map((alarm) => `${alarm.inputs.namespace}/${alarm.inputs.metricName}`);
      for (const metric of [
        "AWS/SQS/ApproximateAgeOfOldestMessage",
        "AWS/SQS/ApproximateNumberOfMessagesVisible",
        "AWS/RDS/CPUUtilization",
        "AWS/RDS/FreeLocalStorage",
        "AWS/RDS/AuroraReplicaLag",
        "AWS/ElastiCache/DatabaseMemoryUsagePercentage",
        "AWS/DocDB/CPUUtilization",
      ]) {
        assert.ok(metrics.includes(metric), metric);
      }
      const topic = findResource(plan, "aws:sns/topic:Topic", "ams-data-alarms");
      assert.ok(topic.inputs.kmsMasterKeyId);
      for (const alarm of alarms) assert.equal((alarm.inputs.alarmActions as unknown[]).length, 1, alarm.urn);
      assert.equal(
        findResources(plan, "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration").length,
        1,
      );
      assert.deepEqual(
        plan.outputs.alarmNames,
        alarms.map((alarm) => alarm.inputs.name),
      );
      assert.equal(
        findResource(plan, "aws:cloudwatch/dashboard:Dashboard", "ams-data-dashboard").inputs.dashboardName,
        "ams-prod",
      );
    });

    it("the API's 5xx rate, p95 latency and unhealthy targets are alarmed on the controller-created ALB", async () => {
      const plan = await planOf(
        "prod",
        "alarmThresholds.apiErrorRatePercent=3",
        "alarmThresholds.apiP95LatencyMs=750",
      );
      const alarm = (name: string) =>
        findResources(plan, "aws:cloudwatch/metricAlarm:MetricAlarm").find(
          (a) => a.inputs.name === name,
        ) as PlannedResource;
      // The ALB's metric dimension comes from looking it up by the name the public entry gives it.
      const suffix = `app/${plan.outputs.albName}/`;
      type Query = {
        id: string;
        expression?: string;
        metric?: { dimensions: Record<string, string>; metricName: string };
      };
      const errorRate = alarm("ams-prod-api-5xx-rate");
      assert.equal(errorRate.inputs.threshold, 3);
      const queries = errorRate.inputs.metricQueries as Query[];
      assert.deepEqual(
        queries.filter((q) => q.metric).map((q) => q.metric?.metricName),
        ["HTTPCode_Target_5XX_Count", "HTTPCode_ELB_5XX_Count", "RequestCount"],
      );
      for (const query of queries.filter((q) => q.metric))
        assert.ok(query.metric?.dimensions.LoadBalancer.startsWith(suffix));
      const latency = alarm("ams-prod-api-p95-latency");
      assert.equal(latency.inputs.threshold, 0.75, "the ALB reports seconds");
      assert.equal(latency.inputs.extendedStatistic, "p95");
      const unhealthy = (alarm("ams-prod-api-unhealthy-hosts").inputs.metricQueries as Query[])[0];
      assert.match(
        String(unhealthy.expression),
        new RegExp(`^SELECT MAX\\(UnHealthyHostCount\\) .* WHERE LoadBalancer = '${suffix}`),
      );
      for (const name of [
        "ams-prod-api-5xx-rate",
        "ams-prod-api-p95-latency",
        "ams-prod-api-unhealthy-hosts",
      ]) {
        assert.equal(alarm(name).inputs.datapointsToAlarm, 2, name);
        assert.deepEqual(alarm(name).inputs.alarmActions, alarm("ams-prod-postgres-cpu").inputs.alarmActions);
      }
    });

    it("the cut-over watches the API alarms and every queue's backlog, by the names the program gives them", async () => {
      for (const stack of STACKS) {
        const plan = await planOf(stack);
        const declared = findResources(plan, "aws:cloudwatch/metricAlarm:MetricAlarm").map(
          (a) => a.inputs.name,
        );
        const watched = plan.outputs.cutoverAlarmNames as string[];
        assert.ok(
          watched.every((name) => declared.includes(name)),
          `${stack}: ${watched.join()}`,
        );
        const queues = parseStack(stack).data.queues.map((queue) => `ams-${stack}-${queue.name}-backlog-age`);
        assert.deepEqual(watched, [
          `ams-${stack}-api-5xx-rate`,
          `ams-${stack}-api-p95-latency`,
          `ams-${stack}-api-unhealthy-hosts`,
          ...queues,
        ]);
      }
    });

    it("thresholds come from config", async () => {
      const plan = await planOf("prod", "alarmThresholds.rdsCpuPercent=65");
      const cpu = findResources(plan, "aws:cloudwatch/metricAlarm:MetricAlarm").find(
        (a) => a.inputs.name === "ams-prod-postgres-cpu",
      ) as PlannedResource;
      assert.equal(cpu.inputs.threshold, 65);
    });

    it("dev has no reader-lag alarm and no Slack delivery", async () => {
      const plan = await planOf("dev");
      assert.ok(
        !findResources(plan, "aws:cloudwatch/metricAlarm:MetricAlarm").some(
          (a) => a.inputs.metricName === "AuroraReplicaLag",
        ),
      );
      assert.equal(
        findResources(plan, "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration").length,
        0,
      );
    });
  });

  describe("bad config is refused before anything is registered", () => {
    it("a backup retention of 0 (backups off), in prod as anywhere", () => {
      for (const key of ["postgres.backupRetentionDays", "documentDb.backupRetentionDays"]) {
        assert.equal(problemFor(key, "prod", `${key}=0`).allowed, "an integer from 1 to 35");
      }
    });
    it("an engine version that is not a version", () => {
      assert.match(
        problemFor("postgres.engineVersion", "dev", "postgres.engineVersion=latest").allowed,
        /PostgreSQL major version/,
      );
      assert.match(
        problemFor("documentDb.engineVersion", "dev", "documentDb.engineVersion=5").allowed,
        /5\.0\.0/,
      );
      assert.match(
        problemFor("redis.engineVersion", "dev", "redis.engineVersion=v8").allowed,
        /major\.minor/,
      );
    });
    it("a dead-letter receive count below 1", () => {
      const queues = JSON.stringify([
        { name: "jobs", visibilityTimeoutSeconds: 300, maxReceiveCount: 0, messageRetentionDays: 4 },
      ]);
      assert.equal(
        problemFor("queues[0].maxReceiveCount", "dev", `queues=${queues}`).allowed,
        "an integer from 1 to 1000",
      );
    });
    it("a malformed GitHub repository name", () => {
      assert.match(
        problemFor("githubRepository", "dev", "githubRepository=https://github.com/ams-team/ams").allowed,
        /owner\/name/,
      );
    });
    it("a prod database without a reader to fail over to", () => {
      assert.equal(
        problemFor("postgres.instanceCount", "prod", "postgres.instanceCount=1").allowed,
        "an integer from 2 to 16",
      );
    });
    it("a queue retention the dead-letter queue could not outlast, and a zero visibility timeout", () => {
      const queue = {
        name: "jobs",
        visibilityTimeoutSeconds: 0,
        maxReceiveCount: 5,
        messageRetentionDays: 14,
      };
      assert.equal(
        problemFor("queues[0].messageRetentionDays", "dev", `queues=${JSON.stringify([queue])}`).allowed,
        "an integer from 1 to 13",
      );
      assert.equal(
        problemFor("queues[0].visibilityTimeoutSeconds", "dev", `queues=${JSON.stringify([queue])}`).allowed,
        "an integer from 1 to 43200",
      );
    });
    it("a PostgreSQL minor version (AWS upgrades minors; a pinned one would become a downgrade)", () => {
      assert.match(
        problemFor("postgres.engineVersion", "dev", "postgres.engineVersion=16.4").allowed,
        /major version/,
      );
    });
    it("duplicate queue names and a half-configured Slack channel", () => {
      const queue = {
        name: "jobs",
        visibilityTimeoutSeconds: 300,
        maxReceiveCount: 5,
        messageRetentionDays: 4,
      };
      assert.match(
        problemFor("queues[1].name", "dev", `queues=${JSON.stringify([queue, queue])}`).allowed,
        /no other queue/,
      );
      assert.match(problemFor("slackChannelId", "dev", "slackWorkspaceId=T0AMSEXAMPLE").allowed, /together/);
    });
  });
});

import { strict as assert } from "assert";
import { MOCK_ACCOUNT_ID, mockInvoke, mockResource } from "../../plan/mockOutputs";

const ctx = { region: "ap-northeast-2", previousOutputs: {} };
const ARN = /^arn:aws:[a-z0-9-]+:(ap-northeast-2)?:(\d{12})?:.+$/;

describe("offline plan mocks answer like the providers would", () => {
  it("gives AWS resources ARNs in their service's format, IAM ones without a region", () => {
    const role = mockResource("aws:iam/role:Role", "api", { name: "ams-prod-api" }, ctx).state;
    assert.equal(role.arn, `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/ams-prod-api`);
    const queue = mockResource("aws:sqs/queue:Queue", "jobs", { name: "ams-prod-jobs" }, ctx);
    assert.equal(queue.id, `https://sqs.ap-northeast-2.amazonaws.com/${MOCK_ACCOUNT_ID}/ams-prod-jobs`);
    assert.equal(queue.state.arn, `arn:aws:sqs:ap-northeast-2:${MOCK_ACCOUNT_ID}:ams-prod-jobs`);
    for (const type of [
      "aws:kms/key:Key",
      "aws:sns/topic:Topic",
      "aws:ecr/repository:Repository",
      "aws:ec2/vpc:Vpc",
    ]) {
      assert.match(String(mockResource(type, "x", {}, ctx).state.arn), ARN, type);
    }
  });

  it("gives EC2 resources prefixed ids and data stores endpoints with their ports", () => {
    assert.match(mockResource("aws:ec2/subnet:Subnet", "a", {}, ctx).id, /^subnet-0[0-9a-f]{16}$/);
    const db = mockResource(
      "aws:rds/instance:Instance",
      "pg",
      { identifier: "ams-prod-pg", manageMasterUserPassword: true },
      ctx,
    ).state;
    assert.match(
      String(db.endpoint),
      /^ams-prod-pg\.c[0-9a-f]{11}\.ap-northeast-2\.rds\.amazonaws\.com:5432$/,
    );
    assert.match(
      String((db.masterUserSecrets as { secretArn: string }[])[0].secretArn),
      /:secretsmanager:.*:secret:rds!db-/,
    );
    const redis = mockResource(
      "aws:elasticache/replicationGroup:ReplicationGroup",
      "r",
      { replicationGroupId: "ams-prod" },
      ctx,
    ).state;
    assert.match(
      String(redis.primaryEndpointAddress),
      /^master\.ams-prod\.[0-9a-f]{6}\.apn2\.cache\.amazonaws\.com$/,
    );
    assert.equal(mockResource("aws:docdb/cluster:Cluster", "m", {}, ctx).state.port, 27017);
  });

  it("gives an eks.Cluster a kubeconfig that points at its endpoint and an OIDC issuer", () => {
    const cluster = mockResource("eks:index:Cluster", "ams", { name: "ams-prod" }, ctx).state;
    const kubeconfig = JSON.parse(String(cluster.kubeconfigJson));
    assert.match(
      kubeconfig.clusters[0].cluster.server,
      /^https:\/\/[0-9A-F]{32}\.gr7\.ap-northeast-2\.eks\.amazonaws\.com$/,
    );
    assert.deepEqual(kubeconfig.users[0].user.exec.args.slice(0, 4), [
      "eks",
      "get-token",
      "--cluster-name",
      "ams-prod",
    ]);
    assert.equal(cluster.oidcProviderUrl, `https://${cluster.oidcIssuer}`);
    assert.equal(
      cluster.oidcProviderArn,
      `arn:aws:iam::${MOCK_ACCOUNT_ID}:oidc-provider/${cluster.oidcIssuer}`,
    );
  });

  it("gives Kubernetes objects a name (auto-named when unset) and the default namespace", () => {
    const named = mockResource(
      "kubernetes:core/v1:Service",
      "svc",
      { metadata: { name: "ams-api", namespace: "ams-dev" } },
      ctx,
    );
    assert.equal(named.id, "ams-dev/ams-api");
    const auto = mockResource("kubernetes:core/v1:ConfigMap", "cm", { metadata: {} }, ctx);
    assert.match(auto.id, /^default\/cm-[0-9a-f]{7}$/);
    assert.equal(
      mockResource("kubernetes:core/v1:Namespace", "ns", { metadata: { name: "x" } }, ctx).id,
      "x",
    );
  });

  it("is deterministic, so comparisons show only real differences", () => {
    assert.deepEqual(
      mockResource("aws:kms/key:Key", "k", {}, ctx),
      mockResource("aws:kms/key:Key", "k", {}, ctx),
    );
    assert.notEqual(
      mockResource("aws:kms/key:Key", "k", {}, ctx).id,
      mockResource("aws:kms/key:Key", "k2", {}, ctx).id,
    );
  });

  it("answers the common invokes and refuses unknown ones loudly", () => {
    assert.equal(
      mockInvoke("aws:index/getCallerIdentity:getCallerIdentity", {}, ctx).accountId,
      MOCK_ACCOUNT_ID,
    );
    assert.deepEqual(
      (mockInvoke("aws:index/getAvailabilityZones:getAvailabilityZones", {}, ctx).zoneIds as string[]).slice(
        0,
        2,
      ),
      ["apne2-az1", "apne2-az2"],
    );
    assert.throws(
      () => mockInvoke("aws:rds/getEngineVersion:getEngineVersion", {}, ctx),
      /no answer for the invoke/,
    );
  });
});

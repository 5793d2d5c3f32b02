import { strict as assert } from "assert";
import { deliveryResourcePolicies, deliveryStackPolicies } from "../../policy/deliveryPolicies";
import { amsPolicies } from "../../policy/policies";
import { PlannedResource } from "../../plan/plan";
import { checkPolicies } from "../../plan/policyCheck";
import { firing, variant } from "../helpers/policyVariants";
import { runPlanInProcess } from "../helpers/cli";
import { planOf, STACKS } from "../helpers/plans";

const spec = (resource: PlannedResource) =>
  resource.inputs.spec as { template: { spec: { containers: Record<string, unknown>[] } } };

describe("policy pack (policy/): governance as code", () => {
  for (const stack of STACKS) {
    it(`${stack}: the committed stack passes every mandatory policy`, async () => {
      const violations = await checkPolicies(await planOf(stack));
      assert.deepEqual(
        violations.filter((v) => v.enforcementLevel === "mandatory"),
        [],
      );
    });
  }

  it("every policy says why it exists", () => {
    for (const policy of amsPolicies) assert.ok(policy.description.length > 40, policy.name);
  });

  const cases: {
    policy: string;
    stack: string;
    type: string;
    name: string;
    change: (r: PlannedResource) => void;
    add?: (r: PlannedResource) => PlannedResource[];
  }[] = [
    {
      policy: "ams-iam-role-boundary",
      stack: "prod",
      type: "aws:iam/role:Role",
      name: "ams-data-api",
      change: (r) => delete r.inputs.permissionsBoundary,
    },
    {
      policy: "ams-iam-role-boundary",
      stack: "prod",
      type: "aws:iam/role:Role",
      name: "ams-eks-nodes",
      // Another stack's boundary is no boundary for this one: its deploy role could not create the role.
      change: (r) =>
        (r.inputs.permissionsBoundary = String(r.inputs.permissionsBoundary).replace(
          "ams-prod-",
          "ams-dev-",
        )),
    },
    {
      policy: "ams-stateful-encrypted",
      stack: "dev",
      type: "aws:rds/cluster:Cluster",
      name: "ams-data-postgres",
      change: (r) => (r.inputs.storageEncrypted = false),
    },
    {
      policy: "ams-stateful-encrypted",
      stack: "dev",
      type: "aws:sqs/queue:Queue",
      name: "ams-data-queues-jobs",
      change: (r) => (r.inputs.sqsManagedSseEnabled = false),
    },
    {
      policy: "ams-prod-backups",
      stack: "prod",
      type: "aws:rds/cluster:Cluster",
      name: "ams-data-postgres",
      change: (r) => (r.inputs.backupRetentionPeriod = 1),
    },
    {
      policy: "ams-kubernetes-configmaps-in-place",
      stack: "prod",
      type: "pulumi:providers:kubernetes",
      name: "ams-eks-k8s",
      change: (r) => delete r.inputs.enableConfigMapMutable,
    },
    {
      policy: "ams-prod-backups",
      stack: "prod",
      type: "aws:docdb/cluster:Cluster",
      name: "ams-data-docdb",
      change: (r) => (r.inputs.backupRetentionPeriod = 6),
    },
    {
      policy: "ams-prod-backups",
      stack: "prod",
      type: "aws:rds/instance:Instance",
      name: "ams-flags-unleash-db",
      change: (r) => (r.inputs.backupRetentionPeriod = 0),
    },
    {
      policy: "ams-prod-backups",
      stack: "prod",
      type: "aws:elasticache/replicationGroup:ReplicationGroup",
      name: "ams-data-redis",
      change: (r) => (r.inputs.snapshotRetentionLimit = 0),
    },
    {
      policy: "ams-prod-deletion-protection",
      stack: "prod",
      type: "aws:docdb/cluster:Cluster",
      name: "ams-data-docdb",
      change: (r) => (r.inputs.deletionProtection = false),
    },
    {
      policy: "ams-prod-deletion-protection",
      stack: "prod",
      type: "aws:sqs/queue:Queue",
      name: "ams-data-queues-jobs",
      change: (r) => ((r.options as { protect: boolean }).protect = false),
    },
    {
      policy: "ams-prod-multi-az",
      stack: "prod",
      type: "aws:elasticache/replicationGroup:ReplicationGroup",
      name: "ams-data-redis",
      change: (r) => (r.inputs.multiAzEnabled = false),
    },
    {
      policy: "ams-no-public-data-stores",
      stack: "prod",
      type: "aws:rds/clusterInstance:ClusterInstance",
      name: "ams-data-postgres-1",
      change: (r) => (r.inputs.publiclyAccessible = true),
    },
    {
      policy: "ams-no-public-data-stores",
      stack: "prod",
      type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
      name: "ams-data-postgres-sg-from-cluster",
      change: (r) => {
        delete r.inputs.referencedSecurityGroupId;
        r.inputs.cidrIpv4 = "0.0.0.0/0";
      },
    },
    {
      policy: "ams-eks-hardened",
      stack: "prod",
      type: "eks:index:Cluster",
      name: "ams-eks",
      change: (r) => delete r.inputs.encryptionConfigKeyArn,
    },
    {
      policy: "ams-eks-hardened",
      stack: "prod",
      type: "eks:index:Cluster",
      name: "ams-eks",
      change: (r) => (r.inputs.enabledClusterLogTypes = ["api"]),
    },
    {
      policy: "ams-eks-hardened",
      stack: "dev",
      type: "aws:ec2/launchTemplate:LaunchTemplate",
      name: "ams-eks-nodes",
      change: (r) => ((r.inputs.metadataOptions as Record<string, unknown>).httpTokens = "optional"),
    },
    {
      policy: "ams-workload-images",
      stack: "prod",
      type: "kubernetes:apps/v1:Deployment",
      name: "ams-release-api-green",
      change: (r) => (spec(r).template.spec.containers[0].image = "docker.io/library/ams-api:1.3.2"),
    },
    {
      policy: "ams-workload-pods",
      stack: "prod",
      type: "kubernetes:apps/v1:Deployment",
      name: "ams-release-api-blue",
      change: (r) => delete spec(r).template.spec.containers[0].readinessProbe,
    },
    {
      policy: "ams-workload-pods",
      stack: "prod",
      type: "kubernetes:apps/v1:Deployment",
      name: "ams-release-worker-blue",
      change: (r) => (spec(r).template.spec.containers[0].securityContext = { privileged: true }),
    },
    {
      policy: "ams-workload-pods",
      stack: "prod",
      type: "kubernetes:apps/v1:Deployment",
      name: "ams-release-worker-blue",
      change: (r) =>
        (spec(r).template.spec.containers[0].env as { name: string; value: string }[]).push({
          name: "DB_PASSWORD",
          value: "x",
        }),
    },
    {
      policy: "ams-workload-pods",
      stack: "prod",
      type: "kubernetes:core/v1:ConfigMap",
      name: "ams-config-shared",
      change: (r) => ((r.inputs.data as Record<string, string>).REDIS_PASSWORD = "x"),
    },
    {
      policy: "ams-dev-cost-hints",
      stack: "dev",
      type: "awsx:ec2:Vpc",
      name: "ams-vpc",
      change: (r) => (r.inputs.natGateways = { strategy: "OnePerAz" }),
    },
    {
      policy: "ams-blue-green-consistent",
      stack: "prod",
      type: "kubernetes:core/v1:Service",
      name: "ams-release-api-stable",
      change: (r) => delete (r.inputs.spec as { selector: Record<string, string> }).selector["ams.io/color"],
    },
    {
      policy: "ams-blue-green-consistent",
      stack: "prod",
      type: "kubernetes:networking.k8s.io/v1:Ingress",
      name: "ams-release-api-public",
      change: (r) => {
        const annotations = (r.inputs.metadata as { annotations: Record<string, string> }).annotations;
        const key = "alb.ingress.kubernetes.io/actions.api-weighted";
        annotations[key] = annotations[key].replace('"weight":0', '"weight":20');
      },
    },
    {
      policy: "ams-blue-green-consistent",
      stack: "prod",
      type: "kubernetes:apps/v1:Deployment",
      name: "ams-release-api-green",
      change: (r) =>
        ((r.inputs.metadata as { labels: Record<string, string> }).labels["ams.io/color"] = "blue"),
    },
    {
      policy: "ams-aws-data-store-combinations",
      stack: "prod",
      type: "aws:rds/cluster:Cluster",
      name: "ams-data-postgres",
      // prod applies changes in the maintenance window: a major upgrade there would fail halfway.
      change: (r) => (r.inputs.allowMajorVersionUpgrade = true),
    },
    {
      policy: "ams-aws-data-store-combinations",
      stack: "dev",
      type: "aws:rds/clusterInstance:ClusterInstance",
      name: "ams-data-postgres-1",
      change: (r) => (r.inputs.instanceClass = "db.t4g.micro"),
    },
    {
      policy: "ams-data-kept-on-delete",
      stack: "staging",
      type: "aws:rds/cluster:Cluster",
      name: "ams-data-postgres",
      change: (r) => {
        r.inputs.skipFinalSnapshot = true;
        delete r.inputs.finalSnapshotIdentifier;
      },
    },
    {
      policy: "ams-data-kept-on-delete",
      stack: "staging",
      type: "aws:docdb/cluster:Cluster",
      name: "ams-data-docdb",
      change: (r) => (r.inputs.deletionProtection = false),
    },
    {
      policy: "ams-eks-trust-without-source-account",
      stack: "prod",
      type: "aws:iam/role:Role",
      name: "ams-eks-nodes",
      change: (r) => {
        const trust = JSON.parse(String(r.inputs.assumeRolePolicy));
        trust.Statement[0].Condition = { StringEquals: { "aws:SourceAccount": "123456789012" } };
        r.inputs.assumeRolePolicy = JSON.stringify(trust);
      },
    },
    {
      // The cluster @pulumi/eks registers inside its component, as it asks for it (eksCreatorAdmin.spec.ts).
      policy: "ams-eks-no-creator-admin",
      stack: "prod",
      type: "eks:index:Cluster",
      name: "ams-eks",
      change: () => undefined,
      add: (component) => [
        {
          ...component,
          urn: `${component.urn}$aws:eks/cluster:Cluster::ams-eks-eksCluster`,
          type: "aws:eks/cluster:Cluster",
          name: "ams-eks-eksCluster",
          inputs: {
            accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
          },
        },
      ],
    },
    {
      // More cases in parameterGroupFamily.spec.ts.
      policy: "ams-rds-parameter-group-family",
      stack: "prod",
      type: "aws:rds/parameterGroup:ParameterGroup",
      name: "ams-flags-unleash-db",
      change: (r) => (r.inputs.family = "aurora-postgresql16"),
    },
    {
      policy: "ams-no-replica-of-managed-password",
      stack: "prod",
      type: "aws:rds/cluster:Cluster",
      name: "ams-data-postgres",
      change: () => undefined,
      // The design this issue replaced: an RDS instance with a managed password and a read replica of it.
      add: (cluster) => {
        const instance = (name: string, inputs: Record<string, unknown>): PlannedResource => ({
          ...cluster,
          urn: cluster.urn.replace(
            "rds/cluster:Cluster::ams-data-postgres",
            `rds/instance:Instance::${name}`,
          ),
          type: "aws:rds/instance:Instance",
          name,
          inputs: { storageEncrypted: true, ...inputs },
        });
        return [
          instance("legacy-primary", { identifier: "ams-prod-legacy", manageMasterUserPassword: true }),
          instance("legacy-replica", {
            identifier: "ams-prod-legacy-replica",
            replicateSourceDb: "ams-prod-legacy",
          }),
        ];
      },
    },
    {
      policy: "ams-prod-failover-target",
      stack: "prod",
      type: "aws:rds/clusterInstance:ClusterInstance",
      name: "ams-data-postgres-2",
      change: (r) => (r.inputs.clusterIdentifier = "some-other-cluster"),
    },
    {
      policy: "ams-prod-failover-target",
      stack: "prod",
      type: "aws:docdb/clusterInstance:ClusterInstance",
      name: "ams-data-docdb-2",
      change: (r) => (r.inputs.availabilityZone = "ap-northeast-2a"),
    },
    {
      policy: "ams-eks-nodes-follow-control-plane",
      stack: "prod",
      type: "eks:index:ManagedNodeGroup",
      name: "ams-eks-general",
      change: (r) => delete r.inputs.version,
    },
    {
      policy: "ams-no-rotating-secret-in-services",
      stack: "prod",
      type: "kubernetes:apps/v1:Deployment",
      name: "ams-release-api-blue",
      change: (r) =>
        (spec(r).template.spec.containers[0].envFrom as object[]).push({
          secretRef: { name: "ams-postgres-admin" },
        }),
    },
    // More cases of the feature-flag policies: tests/policy/featureFlagPolicies.spec.ts.
    {
      policy: "ams-flag-exposure-steps",
      stack: "prod",
      type: "pulumi-nodejs:dynamic/unleash:FeatureFlag",
      name: "ams-flags-flag-new-checkout",
      change: (r) => (r.inputs.rolloutPercentage = 100),
    },
    {
      policy: "ams-unleash-authenticated",
      stack: "dev",
      type: "kubernetes:helm.sh/v3:Release",
      name: "ams-flags-unleash-release",
      change: (r) => ((r.inputs.values as { existingSecrets: unknown[] }).existingSecrets = []),
    },
  ];
  for (const { policy, stack, type, name, change, add } of cases) {
    it(`${policy} catches a violating ${type.split(":").pop()} ${name} (${stack})`, async () => {
      const plan = await planOf(stack);
      assert.deepEqual(await firing(plan, policy), [], "the real resource passes");
      assert.ok(
        (await firing(variant(plan, type, name, change, add), policy)).length > 0,
        "the variant is caught",
      );
    });
  }

  it("every policy is shown to fire by at least one case", () => {
    // The delivery policies have their cases in tests/policy/deliveryPolicies.spec.ts.
    const elsewhere = new Set(
      [...deliveryResourcePolicies, ...deliveryStackPolicies].map((policy) => policy.name),
    );
    for (const policy of amsPolicies.filter((p) => !elsewhere.has(p.name)))
      assert.ok(
        cases.some((c) => c.policy === policy.name),
        policy.name,
      );
  });

  it("`plan --policy` prints each violation with policy, level and URN and exits 1 on a mandatory one", async () => {
    const clean = await runPlanInProcess("--stack", "prod", "--policy");
    assert.equal(clean.status, 0, clean.stderr);
    const latest = await runPlanInProcess("--stack", "prod", "--policy", "--set", "greenVersion=latest");
    assert.equal(latest.status, 1);
    assert.match(
      latest.stdout,
      /^\[mandatory\] ams-workload-images {2}urn:pulumi:prod::ams::.*Deployment::ams-release-api-green$/m,
    );
    assert.match(latest.stdout, /must name a version, not latest/);
    // A prod retention of 1 is valid config (backups are on) but breaks governance: the pack catches it.
    const retention = await runPlanInProcess(
      "--stack",
      "prod",
      "--policy",
      "--set",
      "postgres.backupRetentionDays=1",
    );
    assert.equal(retention.status, 1, retention.stderr);
    assert.match(
      retention.stdout,
      /^\[mandatory\] ams-prod-backups {2}urn:pulumi:prod::ams::.*rds\/cluster:Cluster::ams-data-postgres$/m,
    );
  });
});

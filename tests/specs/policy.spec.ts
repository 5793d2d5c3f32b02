import { strict as assert } from "assert";
import { amsPolicies } from "../../policy/policies";
import { Plan, PlannedResource } from "../harness/plan";
import { checkPolicies } from "../harness/policyCheck";
import { runPlanInProcess } from "../helpers/cli";
import { planOf, STACKS } from "../helpers/plans";

/** A copy of a plan with one resource changed: the violating variant of a real planned resource. */
function variant(plan: Plan, type: string, name: string, change: (resource: PlannedResource) => void): Plan {
  const copy = structuredClone(plan) as Plan;
  const resource = copy.resources.find((r) => r.type === type && r.name === name);
  if (!resource) throw new Error(`no ${type} ${name} in the plan of ${plan.stack}`);
  change(resource);
  return copy;
}

async function firing(plan: Plan, policy: string): Promise<string[]> {
  return (await checkPolicies(plan)).filter((v) => v.policy === policy).map((v) => v.message);
}

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
  }[] = [
    {
      policy: "ams-stateful-encrypted",
      stack: "dev",
      type: "aws:rds/instance:Instance",
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
      type: "aws:rds/instance:Instance",
      name: "ams-data-postgres",
      change: (r) => (r.inputs.backupRetentionPeriod = 1),
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
      type: "aws:rds/instance:Instance",
      name: "ams-data-postgres",
      change: (r) => (r.inputs.multiAz = false),
    },
    {
      policy: "ams-no-public-data-stores",
      stack: "prod",
      type: "aws:rds/instance:Instance",
      name: "ams-data-postgres",
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
    // More cases of the feature-flag policies: tests/specs/featureFlagPolicies.spec.ts.
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
  for (const { policy, stack, type, name, change } of cases) {
    it(`${policy} catches a violating ${type.split(":").pop()} ${name} (${stack})`, async () => {
      const plan = await planOf(stack);
      assert.deepEqual(await firing(plan, policy), [], "the real resource passes");
      assert.ok(
        (await firing(variant(plan, type, name, change), policy)).length > 0,
        "the variant is caught",
      );
    });
  }

  it("every policy is shown to fire by at least one case", () => {
    for (const policy of amsPolicies)
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
      /^\[mandatory\] ams-prod-backups {2}urn:pulumi:prod::ams::.*rds\/instance:Instance::ams-data-postgres$/m,
    );
  });
});

import { strict as assert } from "assert";
import { ARGO_ROLLOUTS_SA, argoRolloutsPolicy } from "../../../../components/environment/addons/argoRollouts";
import { CHARTS } from "../../../../components/environment/addons/charts";
import {
  canaryMetrics,
  targetGroupNamePrefix,
  targetGroupSearch,
} from "../../../../components/delivery/canary/analysis";
import { findResource } from "../../../../plan/plan";
import { MOCK_ACCOUNT_ID } from "../../../../plan/mockOutputs";
import { parseStack } from "../../../helpers/config";
import { canAssumeWithWebIdentity, identityDecision, unknownActions } from "../../../helpers/iam";
import { planDeployed, STACKS } from "../../../helpers/plans";

const ROLE = "aws:iam/role:Role";
const POLICY = "aws:iam/rolePolicy:RolePolicy";
const RELEASE = "kubernetes:helm.sh/v3:Release";

describe("Argo Rollouts under the real AWS: identity, region, and canary metrics that can fail", () => {
  for (const stack of STACKS) {
    it(`${stack}: the controller's IRSA role trusts only system:serviceaccount:argo-rollouts:${ARGO_ROLLOUTS_SA}`, async () => {
      const plan = await planDeployed(stack, "strategy=canary");
      const trust = JSON.parse(
        String(findResource(plan, ROLE, "ams-addons-argo-rollouts").inputs.assumeRolePolicy),
      );
      const providerArn = String(plan.outputs.oidcProviderArn);
      const providerUrl = providerArn.split(":oidc-provider/")[1];
      const roleArn = `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/ams-addons-argo-rollouts`;
      const token = (subject: string) => ({ providerArn, providerUrl, subject });
      const namespace = CHARTS.argoRollouts.namespace;
      assert.equal(
        canAssumeWithWebIdentity(
          trust,
          roleArn,
          token(`system:serviceaccount:${namespace}:${ARGO_ROLLOUTS_SA}`),
        ),
        "Allowed",
      );
      for (const other of [
        `${namespace}:default`,
        `ams-${stack}:${ARGO_ROLLOUTS_SA}`,
        "kube-system:aws-load-balancer-controller",
      ])
        assert.equal(
          canAssumeWithWebIdentity(trust, roleArn, token(`system:serviceaccount:${other}`)),
          "ImplicitlyDenied",
          other,
        );
      // The chart's service account carries the role, the controller its region and target-group verification.
      const values = findResource(plan, RELEASE, "ams-addons-argo-rollouts").inputs.values as {
        serviceAccount: { name: string; annotations: Record<string, string> };
        controller: { extraEnv: { name: string; value: string }[]; extraArgs: string[] };
      };
      assert.equal(values.serviceAccount.name, ARGO_ROLLOUTS_SA);
      assert.match(
        values.serviceAccount.annotations["eks.amazonaws.com/role-arn"],
        /:role\/ams-addons-argo-rollouts/,
      );
      assert.deepEqual(values.controller.extraEnv, [
        { name: "AWS_REGION", value: parseStack(stack).awsRegion },
      ]);
      assert.deepEqual(values.controller.extraArgs, ["--aws-verify-target-group"]);
    });
  }

  it("least privilege: CloudWatch metric reads and load balancer describes, nothing that writes", async () => {
    const plan = await planDeployed("prod", "strategy=canary");
    const policy = JSON.parse(
      String(findResource(plan, POLICY, "ams-addons-argo-rollouts-permissions").inputs.policy),
    );
    assert.deepEqual(policy, argoRolloutsPolicy());
    assert.deepEqual(await unknownActions(argoRolloutsPolicy()), []);
    const tg = `arn:aws:elasticloadbalancing:ap-northeast-2:${MOCK_ACCOUNT_ID}:targetgroup/k8s-amsprod-amsapica-0123456789/0123456789abcdef`;
    const rule = `arn:aws:elasticloadbalancing:ap-northeast-2:${MOCK_ACCOUNT_ID}:listener-rule/app/ams-prod-public/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee`;
    assert.equal(await identityDecision(policy, "cloudwatch:GetMetricData", "*"), "Allowed");
    assert.equal(await identityDecision(policy, "elasticloadbalancing:DescribeTargetHealth", "*"), "Allowed");
    assert.equal(await identityDecision(policy, "elasticloadbalancing:DescribeRules", "*"), "Allowed");
    assert.equal(await identityDecision(policy, "elasticloadbalancing:ModifyRule", rule), "ImplicitlyDenied");
    assert.equal(
      await identityDecision(policy, "elasticloadbalancing:RegisterTargets", tg),
      "ImplicitlyDenied",
    );
    assert.equal(await identityDecision(policy, "cloudwatch:PutMetricData", "*"), "ImplicitlyDenied");
  });

  it("no Argo Rollouts, and no role, where no stack runs canary", async () => {
    const plan = await planDeployed("prod");
    assert.ok(!plan.resources.some((r) => r.name.startsWith("ams-addons-argo-rollouts")));
  });

  describe("the canary's CloudWatch search finds the controller-created target group", () => {
    it("the search term is the unquoted (partial-match) beginning of the name the controller gives the group", () => {
      // The AWS Load Balancer Controller's name: k8s-%.8s-%.8s-%.10s of namespace, Service and a hash
      // (pkg/ingress/model_build_target_group.go); the dimension value is targetgroup/<name>/<id>.
      const controllerName = (namespace: string, service: string, hash: string) =>
        `k8s-${namespace.replace(/[^A-Za-z0-9]/g, "").slice(0, 8)}-${service.replace(/[^A-Za-z0-9]/g, "").slice(0, 8)}-${hash.slice(0, 10)}`;
      for (const stack of STACKS) {
        const environment = parseStack(stack).environment;
        const name = controllerName(`ams-${environment}`, "ams-api-canary", "4f1e0c2b9a7d6e5f");
        const prefix = targetGroupNamePrefix(environment, "ams-api-canary");
        assert.ok(name.startsWith(`${prefix}-`), `${name} starts with ${prefix}`);
        const search = targetGroupSearch(environment, "ams-api-canary", "RequestCount", "Sum");
        assert.ok(search.includes(` TargetGroup=${prefix}'`), search);
        assert.doesNotMatch(
          search,
          /TargetGroup="/,
          "a quoted term is an exact match and would find nothing",
        );
      }
    });

    it("no data fails: every success condition requires a result before it compares one", () => {
      const config = parseStack("prod").canary;
      for (const provider of ["cloudwatch", "prometheus"] as const) {
        const metrics = canaryMetrics("prod", "ams-api-canary", {
          ...config,
          metricsProvider: provider,
          prometheusAddress: "http://prometheus:9090",
        }) as { successCondition: string; failureCondition?: string; initialDelay: string }[];
        for (const metric of metrics) {
          assert.match(
            metric.successCondition,
            provider === "cloudwatch"
              ? /^len\(result\) > 0 && len\(result\[0\]\.Values\) > 0 && /
              : /^len\(result\) > 0 && /,
          );
          assert.equal(
            metric.failureCondition,
            undefined,
            "without a failure condition, a false success fails",
          );
          assert.equal(metric.initialDelay, "2m", "the first ALB datapoints arrive about a minute late");
        }
      }
    });
  });
});

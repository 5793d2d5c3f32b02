import { strict as assert } from "assert";
import { ConfigError } from "../config/errors";
import { namespaceQuota } from "../components/environment/quota";
import { findResource, findResources, kubernetesObjects } from "../plan/plan";
import { runPlan } from "../plan/runPlan";
import { parseOverride } from "../plan/stackConfig";
import { parseStack } from "./helpers/config";
import { planOf, runExclusive, STACKS } from "./helpers/plans";

describe("program: what each stack declares", () => {
  for (const stack of STACKS) {
    describe(`stack ${stack}`, () => {
      it(`owns the namespace ams-${stack}, labelled for ALB pod readiness gates`, async () => {
        const namespaces = findResources(await planOf(stack), "kubernetes:core/v1:Namespace");
        const named = (resource: (typeof namespaces)[number]) =>
          resource.inputs.metadata as { name: string; labels: Record<string, string> };
        // Besides the flag service's own (tests/components/environment/featureFlags/featureFlags.spec.ts).
        assert.deepEqual(namespaces.map((namespace) => named(namespace).name).sort(), [
          `ams-${stack}`,
          "unleash",
        ]);
        const metadata = named(namespaces.find((namespace) => named(namespace).name === `ams-${stack}`)!);
        assert.equal(metadata.name, `ams-${stack}`);
        assert.equal(metadata.labels["elbv2.k8s.aws/pod-readiness-gate-inject"], "enabled");
        assert.equal(metadata.labels["app.kubernetes.io/part-of"], "ams");
      });

      it("puts every namespaced object into that namespace (the flag service's into its own)", async () => {
        const plan = await planOf(stack);
        const namespaced = kubernetesObjects(plan).filter((resource) => resource.inputs.kind !== "Namespace");
        const ofFlagService = (urn: string) => urn.includes("$ams:environment:FeatureFlags$");
        assert.ok(namespaced.length >= 3);
        for (const resource of namespaced) {
          assert.equal(
            (resource.inputs.metadata as { namespace: string }).namespace,
            ofFlagService(resource.urn) ? "unleash" : `ams-${stack}`,
            resource.urn,
          );
        }
      });

      it("gives pods the shared bootstrap config: Spring profile = environment, Parameter Store import", async () => {
        const configMap = findResource(
          await planOf(stack),
          "kubernetes:core/v1:ConfigMap",
          "ams-config-shared",
        );
        const data = configMap.inputs.data as Record<string, string>;
        assert.equal((configMap.inputs.metadata as { name: string }).name, "ams-shared-config");
        assert.equal(data.SPRING_PROFILES_ACTIVE, stack);
        assert.equal(data.SPRING_CONFIG_IMPORT, `aws-parameterstore:/config/ams_${stack}/`);
        assert.equal(data.SERVER_SHUTDOWN, "graceful");
        assert.equal(data.AWS_REGION, "ap-northeast-2");
      });

      it("stores the Spring properties in Parameter Store under /config/ams_<env>/", async () => {
        const plan = await planOf(stack);
        const parameters = findResources(plan, "aws:ssm/parameter:Parameter");
        const byName = new Map(
          parameters.map((p) => [p.inputs.name as string, p.inputs.insecureValue as string]),
        );
        assert.equal(byName.get(`/config/ams_${stack}/ams.environment`), stack);
        assert.equal(byName.get(`/config/ams_${stack}/logging.level.root`), parseStack(stack).app.logLevel);
        for (const parameter of parameters) assert.equal(parameter.inputs.type, "String");
      });

      it("sizes the namespace quota from the stack's sizing", async () => {
        const quota = findResource(
          await planOf(stack),
          "kubernetes:core/v1:ResourceQuota",
          "ams-namespace-quota",
        );
        const expected = namespaceQuota(parseStack(stack).sizing);
        assert.deepEqual((quota.inputs.spec as { hard: unknown }).hard, {
          pods: String(expected.pods),
          "requests.cpu": expected.requestsCpu,
          "limits.cpu": expected.limitsCpu,
          "requests.memory": expected.requestsMemory,
          "limits.memory": expected.limitsMemory,
        });
      });

      it("tags every AWS resource with its environment through the stack's provider", async () => {
        const provider = findResources(await planOf(stack), "pulumi:providers:aws");
        assert.equal(provider.length, 1);
        assert.equal(provider[0].inputs.region, "ap-northeast-2");
        assert.match(String(provider[0].inputs.defaultTags), new RegExp(`"ams:environment":"${stack}"`));
      });

      it("exports the declared release", async () => {
        const { outputs } = await planOf(stack);
        const release = parseStack(stack).release;
        assert.equal(outputs.activeColor, release.activeColor);
        assert.equal(outputs.activeVersion, release.versions[release.activeColor]);
        assert.equal(outputs.namespace, `ams-${stack}`);
        assert.equal(outputs.parameterPath, `/config/ams_${stack}/`);
      });
    });
  }

  describe("protection follows the environment", () => {
    it("prod protects its namespace and its application secret and keeps deleted secrets 30 days", async () => {
      const plan = await planOf("prod");
      assert.equal(findResource(plan, "kubernetes:core/v1:Namespace", "ams-namespace").options.protect, true);
      const secret = findResource(plan, "aws:secretsmanager/secret:Secret", "ams-secrets");
      assert.equal(secret.options.protect, true);
      assert.equal(secret.inputs.recoveryWindowInDays, 30);
    });
    it("dev protects neither and keeps deleted secrets 7 days", async () => {
      const plan = await planOf("dev");
      assert.equal(
        findResource(plan, "kubernetes:core/v1:Namespace", "ams-namespace").options.protect,
        false,
      );
      const secret = findResource(plan, "aws:secretsmanager/secret:Secret", "ams-secrets");
      assert.equal(secret.options.protect, false);
      assert.equal(secret.inputs.recoveryWindowInDays, 7);
    });
  });

  describe("optional settings", () => {
    it("an existing Unleash's URL becomes the SDK's URL in Parameter Store", async () => {
      const plan = await planOf(
        "staging",
        "featureFlagService.mode=external",
        "featureFlagService.host=",
        "featureFlagService.url=https://unleash.example.com",
        "featureFlagAdminToken=admin-token-of-the-existing-unleash",
      );
      const url = findResources(plan, "aws:ssm/parameter:Parameter").find(
        (p) => p.inputs.name === "/config/ams_staging/ams.feature-flags.url",
      );
      assert.equal(url?.inputs.insecureValue, "https://unleash.example.com/api/");
    });
    it("a dotted --set reaches the program: more api replicas raise the quota", async () => {
      const base = findResource(
        await planOf("prod"),
        "kubernetes:core/v1:ResourceQuota",
        "ams-namespace-quota",
      );
      const more = findResource(
        await planOf("prod", "api.maxReplicas=20"),
        "kubernetes:core/v1:ResourceQuota",
        "ams-namespace-quota",
      );
      const pods = (resource: typeof base) =>
        Number((resource.inputs.spec as { hard: { pods: string } }).hard.pods);
      assert.equal(pods(more) - pods(base), (20 - 12) * 2);
    });
  });

  describe("invalid config", () => {
    it("fails before any resource is registered, so nothing is half-applied", async () => {
      let registered: string[] = ["not settled"];
      await assert.rejects(
        runExclusive(() =>
          runPlan({
            stack: "prod",
            overrides: [parseOverride("activeColor=purple", "--set")],
            onSettled: (types) => (registered = types),
          }),
        ),
        (err: unknown) => ConfigError.isConfigError(err) && /activeColor/.test((err as Error).message),
      );
      assert.deepEqual(registered, ["pulumi:pulumi:Stack"]);
    });
  });
});

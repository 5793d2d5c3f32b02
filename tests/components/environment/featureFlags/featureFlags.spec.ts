import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../../../../config/errors";
import {
  UNLEASH_CHART,
  UNLEASH_IMAGE,
} from "../../../../components/environment/featureFlags/selfHostedUnleash";
import { exposureOf, highestAllowedExposure, isAllowedExposureMove } from "../../../../policy/exposureSteps";
import { comparePlans } from "../../../../plan/compare";
import { findResource, findResources, Plan } from "../../../../plan/plan";
import { PROJECT_DIR } from "../../../../tools/cli/project";
import { runPlan } from "../../../../plan/runPlan";
import { parseOverride } from "../../../../plan/stackConfig";
import { runPlanInProcess, STACK_TRACE_LINE } from "../../../helpers/cli";
import { parseStack, problemFor, problemsOf } from "../../../helpers/config";
import { planAfter, planOf, runExclusive, STACKS } from "../../../helpers/plans";

const FLAG = "pulumi-nodejs:dynamic/unleash:FeatureFlag";
const TOKEN = "pulumi-nodejs:dynamic/unleash:ClientToken";
const flagOf = (plan: Plan, name: string) => findResource(plan, FLAG, `ams-flags-flag-${name}`);
const rollout = (name: string, percentage: number) => `featureFlags.${name}.rolloutPercentage=${percentage}`;

describe("feature flags as code", function () {
  this.timeout(60_000);

  describe("config: featureFlags and featureFlagService", () => {
    it("reads every declared flag, sorted by name, with its type, state and rollout", () => {
      const { featureFlags } = parseStack("prod");
      assert.deepEqual(
        featureFlags.flags.map((flag) => [
          flag.name,
          flag.type,
          flag.enabled,
          flag.rolloutPercentage,
          flag.stickiness,
        ]),
        [
          ["new-checkout", "release", true, 5, "userId"],
          ["payments-provider", "kill-switch", true, 100, "default"],
        ],
      );
      assert.deepEqual(featureFlags.exposureSteps, [5, 20, 50, 100]);
      assert.equal(featureFlags.service.mode, "selfHosted");
    });

    it("rejects a bad name, percentage, type or stickiness, and unknown fields, naming each key", () => {
      const problems = problemsOf(
        "dev",
        'featureFlags.Bad.Name={"description":"x","type":"release","enabled":true,"rolloutPercentage":5,"stickiness":"userId"}',
        rollout("new-checkout", 120),
        "featureFlags.search-ranking-v2.type=permission",
        "featureFlags.payments-provider.stickiness=tenantId",
        "featureFlags.new-checkout.owner=team-checkout",
      );
      const byKey = Object.fromEntries(problems.map((problem) => [problem.key, problem]));
      assert.match(byKey["featureFlags.Bad"].allowed, /lower-case letters, digits/);
      assert.equal(byKey["featureFlags.new-checkout.rolloutPercentage"].value, "120");
      assert.match(byKey["featureFlags.new-checkout.rolloutPercentage"].allowed, /an integer from 0 to 100/);
      assert.match(
        byKey["featureFlags.search-ranking-v2.type"].allowed,
        /release, experiment, operational, kill-switch/,
      );
      assert.match(
        byKey["featureFlags.payments-provider.stickiness"].allowed,
        /default, userId, sessionId, random/,
      );
      assert.match(byKey["featureFlags.new-checkout.owner"].allowed, /only the fields description, type/);
    });

    it("a self-hosted Unleash needs its host; an existing one needs its URL and admin token", () => {
      assert.match(
        problemFor("featureFlagService.host", "dev", "featureFlagService.host=").allowed,
        /mode is selfHosted/,
      );
      const external = ["featureFlagService.mode=external", "featureFlagService.host="];
      assert.match(problemFor("featureFlagService.url", "dev", ...external).allowed, /mode is external/);
      const token = problemFor(
        "featureFlagAdminToken",
        "dev",
        ...external,
        "featureFlagService.url=https://u.example.com",
      );
      assert.match(token.allowed, /pulumi config set --secret featureFlagAdminToken/);
      assert.match(
        problemFor(
          "featureFlagService.url",
          "dev",
          ...external,
          "featureFlagService.url=http://u.example.com",
        ).allowed,
        /an https URL/,
      );
    });

    it("exposure steps follow the canary's rules: increasing, ending at 100", () => {
      const problem = problemFor(
        "featureFlagService.exposureSteps",
        "prod",
        "featureFlagService.exposureSteps=[5,50,20]",
      );
      assert.match(problem.allowed, /strictly increasing/);
    });

    it("the retired keys are refused with what replaced them, never echoing a (secret) value", () => {
      const problems = problemsOf(
        "dev",
        "featureFlagSdkKey=sdk-key-value-1234",
        "featureFlagServiceUrl=https://f.example",
      );
      assert.deepEqual(problems.map((problem) => problem.key).sort(), [
        "featureFlagSdkKey",
        "featureFlagServiceUrl",
      ]);
      assert.ok(!JSON.stringify(problems).includes("sdk-key-value-1234"));
      assert.match(problems[0].allowed + problems[1].allowed, /created through the Unleash API/);
    });

    it("a bad flag fails the plan with exit 2 and one paragraph naming the key, before anything is registered", async () => {
      const result = await runPlanInProcess("--stack", "dev", "--set", rollout("new-checkout", 101));
      assert.equal(result.status, 2);
      assert.match(
        result.stderr,
        /featureFlags\.new-checkout\.rolloutPercentage is 101; allowed: an integer from 0 to 100/,
      );
      assert.doesNotMatch(result.stderr, STACK_TRACE_LINE);
      assert.equal(result.stderr.trim().split("\n").length, 1);
    });
  });

  describe("the self-hosted Unleash", () => {
    let plan: Plan;
    before(async () => (plan = await planOf("prod")));

    it("is the pinned chart and image; the image is the unleash-server version the specs run against", () => {
      const release = findResource(plan, "kubernetes:helm.sh/v3:Release", "ams-flags-unleash-release");
      assert.equal(release.inputs.chart, "unleash");
      assert.equal(release.inputs.version, UNLEASH_CHART.version);
      assert.match(String(release.inputs.version), /^\d+\.\d+\.\d+$/);
      const values = release.inputs.values as { image: { repository: string; tag: string } };
      assert.deepEqual(values.image, { ...UNLEASH_IMAGE, pullPolicy: "IfNotPresent" });
      const installed = JSON.parse(
        fs.readFileSync(path.join(PROJECT_DIR, "node_modules", "unleash-server", "package.json"), "utf8"),
      ) as { version: string };
      assert.equal(values.image.tag, installed.version);
    });

    it("needs a login and takes its admin password and token from the synced Secret, never from values", () => {
      const release = findResource(plan, "kubernetes:helm.sh/v3:Release", "ams-flags-unleash-release");
      const values = release.inputs.values as {
        env: { name: string; value: string }[];
        existingSecrets: { name: string; valueFrom: { secretKeyRef: { name: string } } }[];
        postgresql: { enabled: boolean };
      };
      assert.equal(values.env.find((variable) => variable.name === "AUTH_TYPE")?.value, "open-source");
      assert.deepEqual(
        values.existingSecrets.map((secret) => [secret.name, secret.valueFrom.secretKeyRef.name]),
        [
          ["INIT_ADMIN_API_TOKENS", "unleash-secrets"],
          ["UNLEASH_DEFAULT_ADMIN_PASSWORD", "unleash-secrets"],
        ],
      );
      assert.equal(values.postgresql.enabled, false);
      const version = findResource(
        plan,
        "aws:secretsmanager/secretVersion:SecretVersion",
        "ams-flags-unleash-secrets-current",
      );
      assert.equal(version.inputs.secretString, "[secret]");
    });

    it("is reached over HTTPS only, at its host on the environment's ALB, with the API's certificate", () => {
      const ingress = findResource(
        plan,
        "kubernetes:networking.k8s.io/v1:Ingress",
        "ams-flags-unleash-ingress",
      );
      const metadata = ingress.inputs.metadata as { namespace: string; annotations: Record<string, string> };
      assert.equal(metadata.namespace, "unleash");
      assert.equal(metadata.annotations["alb.ingress.kubernetes.io/listen-ports"], '[{"HTTPS":443}]');
      assert.equal(metadata.annotations["alb.ingress.kubernetes.io/group.name"], "ams-prod-public");
      assert.equal(
        metadata.annotations["alb.ingress.kubernetes.io/certificate-arn"],
        parseStack("prod").publicEntry.certificateArn,
      );
      const rules = (ingress.inputs.spec as { rules: { host: string }[] }).rules;
      assert.deepEqual(
        rules.map((rule) => rule.host),
        ["flags.ams.example.com"],
      );
      assert.equal(
        plan.outputs.featureFlagService && (plan.outputs.featureFlagService as { adminUrl: string }).adminUrl,
        "https://flags.ams.example.com",
      );
    });

    it("keeps its data on its own managed PostgreSQL: private, encrypted, backed up, Multi-AZ and protected in prod", () => {
      const db = findResource(plan, "aws:rds/instance:Instance", "ams-flags-unleash-db");
      assert.equal(db.inputs.publiclyAccessible, false);
      assert.equal(db.inputs.storageEncrypted, true);
      assert.equal(db.inputs.multiAz, true);
      assert.equal(db.inputs.deletionProtection, true);
      assert.equal(db.inputs.backupRetentionPeriod, 14);
      assert.equal(db.inputs.password, "[secret]");
      assert.equal(db.options.protect, true);
      const devDb = async () =>
        findResource(await planOf("dev"), "aws:rds/instance:Instance", "ams-flags-unleash-db");
      return devDb().then((dev) => {
        assert.equal(dev.inputs.multiAz, false);
        assert.equal(dev.options.protect, false);
      });
    });

    it("an existing Unleash from config replaces the whole self-hosted service", async () => {
      const external = await planOf(
        "staging",
        "featureFlagService.mode=external",
        "featureFlagService.host=",
        "featureFlagService.url=https://unleash.example.com",
        "featureFlagAdminToken=admin-token",
      );
      assert.equal(
        findResources(external, "kubernetes:helm.sh/v3:Release").filter((r) => r.inputs.chart === "unleash")
          .length,
        0,
      );
      assert.equal(
        findResources(external, "aws:rds/instance:Instance").filter((r) => r.name.startsWith("ams-flags"))
          .length,
        0,
      );
      assert.equal(flagOf(external, "new-checkout").inputs.adminUrl, "https://unleash.example.com");
    });
  });

  describe("the flags and the app's token", () => {
    it("every declared flag is a resource with its state; release flags record impressions", async () => {
      for (const stack of STACKS) {
        const plan = await planOf(stack);
        const declared = parseStack(stack).featureFlags.flags;
        const resources = findResources(plan, FLAG);
        assert.deepEqual(
          resources.map((resource) => resource.inputs.name).sort(),
          declared.map((flag) => flag.name),
          stack,
        );
        for (const flag of declared) {
          const inputs = flagOf(plan, flag.name).inputs;
          assert.equal(inputs.enabled, flag.enabled);
          assert.equal(inputs.rolloutPercentage, flag.rolloutPercentage);
          assert.equal(inputs.stickiness, flag.stickiness);
          assert.equal(inputs.impressionData, flag.type === "release");
          assert.equal(inputs.adminToken, "[secret]");
          // The plan shows the provider's code as size and digest; it captured no secret, or it would be one.
          assert.match(
            String(inputs.__provider),
            /^\[dynamic provider code: \d+ bytes, sha256 [0-9a-f]{12}\]$/,
          );
        }
      }
    });

    it("the stack outputs list every flag's state beside the release, and the flag service", async () => {
      const plan = await planOf("prod");
      assert.deepEqual(plan.outputs.featureFlags, {
        "new-checkout": {
          type: "release",
          enabled: true,
          rolloutPercentage: 5,
          stickiness: "userId",
          impressionData: true,
        },
        "payments-provider": {
          type: "kill-switch",
          enabled: true,
          rolloutPercentage: 100,
          stickiness: "default",
          impressionData: false,
        },
      });
      assert.deepEqual(plan.outputs.featureFlagService, {
        mode: "selfHosted",
        adminUrl: "https://flags.ams.example.com",
        clientUrl: "http://unleash.unleash.svc.cluster.local:4242/api/",
        environment: "production",
        chart: `unleash ${UNLEASH_CHART.version}`,
        image: `${UNLEASH_IMAGE.repository}:${UNLEASH_IMAGE.tag}`,
      });
    });

    it("the client token is created through the API and reaches the pods only as a secret", async () => {
      const plan = await planOf("prod");
      const token = findResource(plan, TOKEN, "ams-flags-client-token");
      assert.equal(token.inputs.tokenName, "ams-prod-backend");
      assert.equal(token.inputs.environment, "production");
      const version = findResource(
        plan,
        "aws:secretsmanager/secretVersion:SecretVersion",
        "ams-secrets-current",
      );
      assert.equal(version.inputs.secretString, "[secret]");
      // The mocks answer with a token the way Unleash formats them; it must not surface anywhere.
      assert.ok(!JSON.stringify(plan).includes("default:production."));
      const url = findResources(plan, "aws:ssm/parameter:Parameter").find(
        (parameter) => parameter.inputs.name === "/config/ams_prod/ams.feature-flags.url",
      );
      assert.equal(url?.inputs.insecureValue, "http://unleash.unleash.svc.cluster.local:4242/api/");
      const api = findResource(plan, "kubernetes:apps/v1:Deployment", "ams-release-api-blue");
      const envFrom = (
        api.inputs.spec as {
          template: { spec: { containers: { envFrom: { secretRef?: { name: string } }[] }[] } };
        }
      ).template.spec.containers[0].envFrom;
      assert.ok(envFrom.some((source) => source.secretRef?.name === "ams-app"));
    });
  });

  describe("exposure by steps in prod", () => {
    it("the rule: up one step at a time, down or off always", () => {
      const steps = [5, 20, 50, 100];
      assert.equal(highestAllowedExposure(steps, 0), 5);
      assert.equal(highestAllowedExposure(steps, 20), 50);
      assert.equal(highestAllowedExposure(steps, 30), 50);
      assert.equal(highestAllowedExposure(steps, 100), 100);
      assert.ok(isAllowedExposureMove(steps, 20, 50));
      assert.ok(!isAllowedExposureMove(steps, 20, 100));
      assert.ok(!isAllowedExposureMove(steps, 20, 30));
      assert.ok(isAllowedExposureMove(steps, 50, 5));
      assert.ok(isAllowedExposureMove(steps, 50, 0));
      assert.equal(exposureOf({ enabled: false, rolloutPercentage: 100 }), 0);
    });

    it("--compare of a percentage change shows only that flag's change", async () => {
      const changes = comparePlans(
        await planOf("prod"),
        await planOf("prod", rollout("new-checkout", 20)),
      ).changes;
      assert.deepEqual(
        changes.map((change) => [change.op, change.type, change.name, change.paths]),
        [["update", FLAG, "ams-flags-flag-new-checkout", ["rolloutPercentage"]]],
      );
      const text = await runPlanInProcess("--stack", "prod", "--compare", rollout("new-checkout", 20));
      assert.equal(text.status, 0, text.stderr);
      assert.match(
        text.stdout,
        /~ update pulumi-nodejs:dynamic\/unleash:FeatureFlag {2}ams-flags-flag-new-checkout\n {4}rolloutPercentage: 5 → 20\n/,
      );
      assert.match(text.stdout, /1 resource changes: 0 create, 1 update, 0 replace, 0 delete\./);
    });

    it("a jump past a step fails before anything changes, naming the flag and the allowed step", async () => {
      let registered: string[] = [];
      await assert.rejects(
        runExclusive(() =>
          runPlan({
            stack: "prod",
            overrides: [parseOverride(rollout("new-checkout", 100), "--set")],
            onSettled: (types) => (registered = types),
          }),
        ),
        (err: unknown) =>
          ConfigError.isConfigError(err) &&
          /featureFlags\.new-checkout\.rolloutPercentage is 100; allowed: at most 20 in this update/.test(
            err.message,
          ),
      );
      // Only the read of the stack's own previous outputs happened.
      assert.deepEqual([...new Set(registered)].sort(), [
        "pulumi:pulumi:Stack",
        "pulumi:pulumi:StackReference",
      ]);
      const cli = await runPlanInProcess("--stack", "prod", "--compare", rollout("new-checkout", 100));
      assert.equal(cli.status, 2);
      assert.doesNotMatch(cli.stderr, STACK_TRACE_LINE);
    });

    it("down, off, the next step and a staged flag's first step pass; a new flag cannot start above it", async () => {
      await planAfter("prod", [rollout("new-checkout", 50)], [rollout("new-checkout", 5)]);
      await planOf("prod", "featureFlags.new-checkout.enabled=false");
      await planAfter("prod", [rollout("new-checkout", 50)], [rollout("new-checkout", 100)]);
      const fresh = (percentage: number) =>
        `featureFlags.beta-search={"description":"Search v2","type":"release","enabled":true,"rolloutPercentage":${percentage},"stickiness":"userId"}`;
      assert.equal(flagOf(await planOf("prod", fresh(5)), "beta-search").inputs.rolloutPercentage, 5);
      await assert.rejects(
        planOf("prod", fresh(20)),
        /beta-search\.rolloutPercentage is 20; allowed: at most 5/,
      );
      // Switching a release flag back on after a rollback starts at the first step again.
      await assert.rejects(
        planAfter(
          "prod",
          [rollout("new-checkout", 20), "featureFlags.new-checkout.enabled=false"],
          ["featureFlags.new-checkout.enabled=true"],
        ),
        /new-checkout\.rolloutPercentage is 20; allowed: at most 5/,
      );
    });

    it("only prod release flags are guarded: staging jumps, and a prod kill switch is the UI's and config's", async () => {
      await planOf("staging", rollout("new-checkout", 100));
      await planOf("prod", "featureFlags.payments-provider.enabled=false");
      await planAfter(
        "prod",
        ["featureFlags.payments-provider.enabled=false"],
        ["featureFlags.payments-provider.enabled=true"],
      );
    });

    it("the prod release flag carries the steps and its previous exposure for the policy pack", async () => {
      const plan = await planAfter("prod", [rollout("new-checkout", 50)], [rollout("new-checkout", 100)]);
      assert.deepEqual(flagOf(plan, "new-checkout").inputs.exposureGuard, {
        steps: [5, 20, 50, 100],
        previousExposure: 50,
      });
      assert.equal(flagOf(plan, "payments-provider").inputs.exposureGuard, undefined);
      assert.equal(flagOf(await planOf("staging"), "new-checkout").inputs.exposureGuard, undefined);
    });
  });
});

import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Policies, ResourceValidationPolicy } from "@pulumi/policy";
import {
  configEnvironments,
  packConfigFileName,
  packConfigFor,
  renderPackConfig,
} from "../../policy/packConfig";
import { amsPolicies, resourcePolicies, workloadImages } from "../../policy/policies";
import { Plan } from "../../plan/plan";
import { checkPolicies, policyConfigFile } from "../../plan/policyCheck";
import {
  configOf,
  enforcementLevelOf,
  parsePolicyPackConfig,
  resolvePolicyPackConfig,
} from "../../plan/policyConfig";
import { UsageError } from "../../tools/cli/usageError";
import { PROJECT_DIR } from "../../tools/cli/project";
import { planOf, STACKS } from "../helpers/plans";

/**
 * The policy pack's config as the engine resolves it (plan/policyConfig.ts follows pulumi/pulumi
 * pkg/resource/analyzer/config.go and @pulumi/policy's server): each policy gets only what is filed under its
 * own name, so the per-environment files must name every policy that takes config.
 */

const committedFile = (environment: string) =>
  path.join(PROJECT_DIR, "policy", packConfigFileName(environment));
const resolve = (text: string, policies: Policies = amsPolicies) =>
  resolvePolicyPackConfig(policies, parsePolicyPackConfig(text, "test.json"), "test.json");
const takesEnvironment = amsPolicies.filter((policy) => policy.configSchema?.properties.environment);

function withConfigFile(text: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ams-policy-config-")), "config.json");
  fs.writeFileSync(file, text);
  return file;
}

function copyWith(plan: Plan, type: string, name: string, change: (inputs: Record<string, unknown>) => void) {
  const copy = structuredClone(plan) as Plan;
  const resource = copy.resources.find((r) => r.type === type && r.name === name);
  if (!resource) throw new Error(`no ${type} ${name}`);
  change(resource.inputs);
  return copy;
}

describe("policy pack config: what the engine hands each policy", () => {
  it("the committed policy/config.<env>.json files are what `npm run docs` generates from the policy list", () => {
    const environments = configEnvironments(amsPolicies);
    assert.deepEqual([...environments].sort(), ["dev", "prod", "staging"]);
    for (const environment of environments)
      assert.equal(
        fs.readFileSync(committedFile(environment), "utf8"),
        renderPackConfig(packConfigFor(amsPolicies, environment)),
        `policy/${packConfigFileName(environment)} is stale: run npm run docs`,
      );
  });

  for (const environment of ["dev", "staging", "prod"])
    it(`${environment}: every policy that takes config gets environment "${environment}" under its own name`, () => {
      const resolved = resolve(fs.readFileSync(committedFile(environment), "utf8"));
      assert.ok(takesEnvironment.length >= 5);
      for (const policy of takesEnvironment)
        assert.deepEqual(configOf(resolved, policy.name), { environment }, policy.name);
    });

  it("every committed stack's environment has its config file, and each policy that reads config declares it", async () => {
    const readers = new Set<string>();
    for (const stack of STACKS) {
      const plan = await planOf(stack);
      assert.ok(fs.existsSync(policyConfigFile(plan)), `${stack}: ${policyConfigFile(plan)}`);
      await checkPolicies(plan, { onConfigRead: (policy) => readers.add(policy) });
    }
    assert.ok(readers.has("ams-workload-images") && readers.has("ams-prod-backups"), [...readers].join());
    for (const name of readers) {
      const policy = amsPolicies.find((p) => p.name === name);
      // Without a schema the engine validates nothing, and a missing entry would read as {}.
      assert.deepEqual(policy?.configSchema?.required, ["environment"], `${name} reads config`);
    }
  });

  it('"all" carries an enforcement level only: the old shape ({"all": {"environment": …}}) is refused as the engine refuses it', () => {
    const oldShape = '{ "all": { "environment": "prod" } }';
    assert.throws(
      () => resolve(oldShape),
      (error: Error) =>
        error instanceof UsageError &&
        /validating policy config/.test(error.message) &&
        takesEnvironment.every((policy) =>
          error.message.includes(`${policy.name}: must have required property 'environment'`),
        ),
    );
    // The pack as it was (environment defaulting to dev): validation passes, but `all` stays an entry of its
    // own with properties and no level, which the analyzer's Configure refuses.
    const withDefault = amsPolicies.map((policy) =>
      policy.configSchema
        ? {
            ...policy,
            configSchema: {
              properties: { environment: { type: "string" as const, default: "dev" } },
            },
          }
        : policy,
    );
    assert.throws(() => resolve(oldShape, withDefault), /invalid enforcement level "" \(entry "all"/);
  });

  it('"all" sets every policy\'s enforcement level; a policy\'s own entry overrides it; "disabled" policies do not run', async () => {
    const config = JSON.parse(fs.readFileSync(committedFile("prod"), "utf8")) as Record<string, object>;
    const resolved = resolve(
      JSON.stringify({
        ...config,
        all: "advisory",
        "ams-workload-images": { environment: "prod", enforcementLevel: "mandatory" },
      }),
    );
    for (const policy of amsPolicies)
      assert.equal(
        enforcementLevelOf(resolved, policy),
        policy.name === "ams-workload-images" ? "mandatory" : "advisory",
        policy.name,
      );

    const plan = await planOf("prod", "greenVersion=latest");
    const images = (file: string) =>
      checkPolicies(plan, { configFile: file }).then((all) =>
        all.filter((v) => v.policy === "ams-workload-images").map((v) => v.enforcementLevel),
      );
    assert.ok((await images(committedFile("prod"))).includes("mandatory"));
    const disabled = withConfigFile(
      JSON.stringify({
        ...config,
        // A level alone would drop the entry's properties, and the required environment would be missing.
        "ams-workload-images": { environment: "prod", enforcementLevel: "disabled" },
      }),
    );
    assert.deepEqual(await images(disabled), []);
  });

  it("prod's file makes the prod-only rules run and the dev hints stay quiet; dev's file would judge prod as dev", async () => {
    const prod = copyWith(await planOf("prod"), "aws:rds/cluster:Cluster", "ams-data-postgres", (inputs) => {
      inputs.backupRetentionPeriod = 1;
    });
    const policiesFiring = async (file?: string) =>
      new Set((await checkPolicies(prod, file ? { configFile: file } : {})).map((v) => v.policy));
    const asProd = await policiesFiring();
    assert.ok(asProd.has("ams-prod-backups"));
    assert.ok(!asProd.has("ams-dev-cost-hints"));
    assert.ok(!asProd.has("ams-workload-images"));
    const asDev = await policiesFiring(committedFile("dev"));
    assert.ok(!asDev.has("ams-prod-backups"));
    assert.ok(asDev.has("ams-dev-cost-hints"));
    // The symptom of the old files in a real prod preview: prod's images judged against dev's registry.
    assert.ok(asDev.has("ams-workload-images"));
  });

  it("a policy added to the pack without its config in the files fails the check, naming it", async () => {
    const added: ResourceValidationPolicy = { ...workloadImages, name: "ams-new-rule" };
    await assert.rejects(
      checkPolicies(await planOf("dev"), { resourcePolicies: [...resourcePolicies, added] }),
      /ams-new-rule: must have required property 'environment'/,
    );
    // Regenerating the files (npm run docs) gives it its entry.
    assert.deepEqual(packConfigFor([...amsPolicies, added], "dev")["ams-new-rule"], { environment: "dev" });
  });

  it("malformed entries fail the way the CLI fails: a bad level, an unknown name, a non-object", () => {
    assert.throws(
      () => resolve('{ "ams-workload-images": "sometimes" }'),
      /parsing enforcement level for "ams-workload-images": "sometimes" is not a valid enforcement level/,
    );
    const prod = JSON.parse(fs.readFileSync(committedFile("prod"), "utf8")) as Record<string, object>;
    assert.throws(
      () => resolve(JSON.stringify({ ...prod, "ams-workload-image": { environment: "prod" } })),
      /invalid enforcement level "" \(entry "ams-workload-image": no policy has this name/,
    );
    assert.throws(
      () => resolve(JSON.stringify({ ...prod, "ams-workload-images": { environment: "production" } })),
      /ams-workload-images: environment must be equal to one of the allowed values/,
    );
    assert.throws(() => resolve("[]"), /must be a JSON object/);
  });
});

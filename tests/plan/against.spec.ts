import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { APP_CONFIG_TYPE } from "../../components/environment/appSettings";
import { comparePlans } from "../../plan/compare";
import { Plan } from "../../plan/plan";
import { runPlanInProcess } from "../helpers/cli";
import { planOf } from "../helpers/plans";

const APP_SETTINGS_TYPE = "ams:environment:AppSettings";

/**
 * The plan as it was before `AmsAppConfig` was renamed `AppSettings`: the component under its old type token,
 * so its children under the old parent, and no aliases (the old program declared none).
 */
function beforeTheRename(plan: Plan): Plan {
  const old = JSON.parse(JSON.stringify(plan).replaceAll(APP_SETTINGS_TYPE, APP_CONFIG_TYPE)) as Plan;
  return {
    ...old,
    resources: old.resources.map((resource) => ({
      ...resource,
      options: { ...resource.options, aliases: [] },
    })),
  };
}

describe("plan --against: what a refactor changes, as the engine would pair resources", function () {
  this.timeout(60_000);

  it("a component renamed with an alias moves with its children: no create, no delete, no changed input", async () => {
    const plan = await planOf("dev");
    const changes = comparePlans(beforeTheRename(plan), plan).changes;
    const subtree = plan.resources.filter((resource) => resource.urn.includes(`$${APP_SETTINGS_TYPE}`));
    assert.ok(subtree.length > 3, "the settings component has its parameters and ConfigMap as children");
    assert.deepEqual(
      changes.map((change) => change.urn).sort(),
      subtree.map((resource) => resource.urn).sort(),
    );
    for (const change of changes) {
      assert.equal(change.op, "update", change.urn);
      assert.deepEqual(change.paths, [], change.urn);
      assert.equal(change.previousUrn, change.urn.replace(APP_SETTINGS_TYPE, APP_CONFIG_TYPE));
    }
  });

  it("without the alias the same rename would replace the subtree: every child deleted and created", async () => {
    const plan = await planOf("dev");
    const unaliased: Plan = {
      ...plan,
      resources: plan.resources.map((resource) => ({
        ...resource,
        options: {
          ...resource.options,
          aliases: resource.options.aliases.filter((a) => !a.includes(APP_CONFIG_TYPE)),
        },
      })),
    };
    const ops = comparePlans(beforeTheRename(plan), unaliased).changes.map((change) => change.op);
    const subtree = plan.resources.filter((resource) => resource.urn.includes(APP_SETTINGS_TYPE)).length;
    assert.equal(ops.filter((op) => op === "create").length, subtree);
    assert.equal(ops.filter((op) => op === "delete").length, subtree);
  });

  describe("the command", () => {
    let dir: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "ams-plan-against-"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("against its own --json output: nothing changes", async () => {
      const saved = await runPlanInProcess("--stack", "staging", "--json");
      fs.writeFileSync(path.join(dir, "staging.json"), saved.stdout);
      const result = await runPlanInProcess(
        "--stack",
        "staging",
        "--against",
        path.join(dir, "staging.json"),
      );
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /^No resource changes\.$/m);
    });

    it("shows only the changes of --type or --resource, as --compare does", async () => {
      const saved = path.join(dir, "dev-before-rename.json");
      fs.writeFileSync(saved, JSON.stringify(beforeTheRename(await planOf("dev"))));
      const all = await runPlanInProcess("--stack", "dev", "--json", "--against", saved);
      const one = await runPlanInProcess(
        "--stack",
        "dev",
        "--json",
        "--against",
        saved,
        "--type",
        "ConfigMap",
      );
      assert.equal(one.status, 0, one.stderr);
      const names = (result: { stdout: string }) =>
        (JSON.parse(result.stdout) as { changes: { type: string }[] }).changes.map((change) => change.type);
      assert.ok(names(all).length > 1);
      assert.deepEqual(names(one), ["kubernetes:core/v1:ConfigMap"]);
    });

    it("refuses another stack's plan, a file that is not a plan, and --compare beside it (exit 2)", async () => {
      const devPlan = path.join(dir, "dev.json");
      fs.writeFileSync(devPlan, JSON.stringify(await planOf("dev")));
      fs.writeFileSync(path.join(dir, "other.json"), "{}");
      const cases: [string[], RegExp][] = [
        [["--stack", "prod", "--against", devPlan], /is the plan of ams\/dev; this is ams\/prod/],
        [["--stack", "dev", "--against", path.join(dir, "other.json")], /not a plan written by/],
        [["--stack", "dev", "--against", path.join(dir, "missing.json")], /not a readable JSON file/],
        [["--stack", "dev", "--against", devPlan, "--compare", "appLogLevel=WARN"], /give one of them/],
      ];
      for (const [args, message] of cases) {
        const result = await runPlanInProcess(...args);
        assert.equal(result.status, 2, args.join(" "));
        assert.match(result.stderr, message);
      }
    });
  });
});

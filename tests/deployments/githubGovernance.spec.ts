import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { findResource, findResources, Plan } from "../../plan/plan";
import { listStacks } from "../../plan/projectFiles";
import { PROJECT_DIR } from "../../tools/cli/project";
import { programIn, runPlan } from "../../plan/runPlan";
import { runExclusive } from "../helpers/plans";
import { PLAN_PROJECTS } from "../../plan/projects";
import { GITHUB_ACTIONS_APP_ID, requiredChecks } from "../../deployments/githubGovernance";
import { RELEASE_ENVIRONMENT, RELEASE_TAG_PATTERN } from "../../deployments/githubIssuer";

const DIR = PLAN_PROJECTS.deployments.dir;
const WORKFLOWS = path.join(PROJECT_DIR, ".github", "workflows");
const RULESET = "github:index/repositoryRuleset:RepositoryRuleset";
const ENVIRONMENT = "github:index/repositoryEnvironment:RepositoryEnvironment";
const ENVIRONMENT_POLICY =
  "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy";

const ADMIN = (() => {
  const text = fs.readFileSync(path.join(DIR, "Pulumi.admin.yaml"), "utf8");
  const value = (key: string) =>
    new RegExp(`^\\s*ams-deployments:${key}: "?([^"\\n]+)"?$`, "m").exec(text)?.[1] as string;
  return { repository: value("githubRepository"), codeOwnersTeam: value("codeOwnersTeam") };
})();

interface Job {
  readonly name?: string;
  readonly if?: string;
  readonly environment?: string | { name: string };
  readonly strategy?: { matrix?: Record<string, unknown> };
}
interface Workflow {
  readonly on: Record<string, unknown>;
  readonly jobs: Record<string, Job>;
}
const readWorkflow = (file: string) =>
  YAML.parse(fs.readFileSync(path.join(WORKFLOWS, file), "utf8")) as Workflow;

/**
 * The check runs a job reports, named as GitHub names them: the job's `name:` (its id when it has none),
 * one per matrix combination with `${{ matrix.<key> }}` filled in
 * (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#jobsjob_idname).
 * A matrix job whose name leaves a matrix key out is refused: GitHub would add the values in its own format,
 * and a required check must not depend on guessing it.
 */
function checkRunNames(jobId: string, job: Job): string[] {
  const name = job.name ?? jobId;
  const matrix = job.strategy?.matrix ?? {};
  const keys = Object.keys(matrix).filter((key) => Array.isArray(matrix[key]));
  let combinations: Record<string, string>[] = [{}];
  for (const key of keys)
    combinations = combinations.flatMap((combination) =>
      (matrix[key] as unknown[]).map((value) => ({ ...combination, [key]: String(value) })),
    );
  for (const key of keys)
    if (!new RegExp(`\\$\\{\\{\\s*matrix\\.${key}\\s*\\}\\}`).test(name))
      throw new Error(
        `job ${jobId}: name "${name}" does not show matrix.${key}; its check names would be GitHub's guess`,
      );
  return combinations.map((combination) =>
    name.replace(/\$\{\{\s*matrix\.(\w+)\s*\}\}/g, (_, key: string) => combination[key]),
  );
}

/** The checks a pull request into develop or main gets from the workflows: jobs of workflows that run on pull_request. */
function pullRequestChecks(): string[] {
  const checks: string[] = [];
  for (const file of fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f))) {
    const workflow = readWorkflow(file);
    if (!("pull_request" in workflow.on)) continue;
    for (const [id, job] of Object.entries(workflow.jobs)) {
      // A job limited to pushes never reports on a pull request.
      if (/github\.event_name\s*==\s*'push'/.test(job.if ?? "")) continue;
      checks.push(...checkRunNames(id, job));
    }
  }
  return checks.sort();
}

describe("Git governance as code (deployments/githubGovernance.ts)", function () {
  this.timeout(60_000);
  let plan: Plan;
  before(async () => {
    plan = await runExclusive(() => runPlan({ stack: "admin", projectDir: DIR, program: programIn(DIR) }));
  });
  const ruleset = (name: string) => findResource(plan, RULESET, name).inputs as Record<string, never>;
  const rulesOf = (name: string) => ruleset(name).rules as Record<string, unknown>;

  describe("required status checks are the CI jobs, by the names GitHub reports", () => {
    it("every required check is a job of a workflow that runs on pull requests, and every such job is required", () => {
      assert.deepEqual([...requiredChecks(listStacks())].sort(), pullRequestChecks());
    });

    it("the rulesets of develop and main require exactly those checks, from GitHub Actions only", () => {
      for (const branch of ["develop", "main"]) {
        const { requiredChecks: checks, strictRequiredStatusChecksPolicy } = rulesOf(`${branch}-ruleset`)
          .requiredStatusChecks as {
          requiredChecks: { context: string; integrationId: number }[];
          strictRequiredStatusChecksPolicy: boolean;
        };
        assert.deepEqual(checks.map((c) => c.context).sort(), pullRequestChecks(), branch);
        assert.ok(
          checks.every((c) => c.integrationId === GITHUB_ACTIONS_APP_ID),
          branch,
        );
        assert.equal(strictRequiredStatusChecksPolicy, true, branch);
      }
    });

    it("a renamed job or an unnamed matrix job is caught", () => {
      const ci = readWorkflow("ci.yml");
      const renamed = { ...ci.jobs.test, name: "unit tests" };
      assert.ok(!requiredChecks(listStacks()).includes(checkRunNames("test", renamed)[0]));
      assert.deepEqual(
        checkRunNames("plan", ci.jobs.plan).sort(),
        listStacks()
          .map((s) => `offline plan (${s})`)
          .sort(),
      );
      assert.throws(
        () => checkRunNames("plan", { ...ci.jobs.plan, name: "offline plan" }),
        /does not show matrix\.stack/,
      );
    });
  });

  describe("develop and main", () => {
    for (const [branch, approvals] of [
      ["develop", 1],
      ["main", 2],
    ] as const) {
      it(`${branch}: pull request with ${approvals} approval(s) and code-owner review; no force push, no deletion, no bypass`, () => {
        const inputs = ruleset(`${branch}-ruleset`) as Record<string, unknown>;
        assert.equal(inputs.target, "branch");
        assert.equal(inputs.enforcement, "active");
        assert.equal(inputs.repository, ADMIN.repository.split("/")[1]);
        assert.deepEqual((inputs.conditions as { refName: { includes: string[] } }).refName.includes, [
          `refs/heads/${branch}`,
        ]);
        assert.equal(inputs.bypassActors, undefined, "nobody merges around the rules");
        const rules = rulesOf(`${branch}-ruleset`);
        assert.equal(rules.nonFastForward, true);
        assert.equal(rules.deletion, true);
        const pr = rules.pullRequest as Record<string, unknown>;
        assert.equal(pr.requiredApprovingReviewCount, approvals);
        assert.ok(Number(pr.requiredApprovingReviewCount) >= 1);
        assert.equal(pr.requireCodeOwnerReview, true);
        assert.equal(pr.dismissStaleReviewsOnPush, true);
        assert.equal(pr.requireLastPushApproval, true);
      });
    }
  });

  describe("release tags and the production environment", () => {
    it(`${RELEASE_TAG_PATTERN} tags: only the release team creates, moves or deletes them — the tags release.yml runs on`, () => {
      const inputs = ruleset("release-tags-ruleset") as Record<string, unknown>;
      assert.equal(inputs.target, "tag");
      assert.deepEqual((inputs.conditions as { refName: { includes: string[] } }).refName.includes, [
        `refs/tags/${RELEASE_TAG_PATTERN}`,
      ]);
      assert.deepEqual(rulesOf("release-tags-ruleset"), {
        creation: true,
        update: true,
        deletion: true,
        nonFastForward: true,
      });
      const bypass = inputs.bypassActors as { actorType: string; actorId: number }[];
      assert.equal(bypass.length, 1);
      assert.equal(bypass[0].actorType, "Team");
      assert.deepEqual((readWorkflow("release.yml").on.push as { tags: string[] }).tags, [
        RELEASE_TAG_PATTERN,
      ]);
    });

    it("production: the release team approves, not the one who started it, no admin bypass, v* tags only", () => {
      const environment = findResource(plan, ENVIRONMENT, "production-environment").inputs as Record<
        string,
        unknown
      >;
      assert.equal(environment.environment, RELEASE_ENVIRONMENT);
      const reviewers = environment.reviewers as { teams: number[] }[];
      const releaseTeam = (ruleset("release-tags-ruleset").bypassActors as { actorId: number }[])[0].actorId;
      assert.deepEqual(reviewers, [{ teams: [releaseTeam] }]);
      assert.equal(environment.preventSelfReview, true);
      assert.equal(environment.canAdminsBypass, false);
      assert.deepEqual(environment.deploymentBranchPolicy, {
        protectedBranches: false,
        customBranchPolicies: true,
      });
      const [policy] = findResources(plan, ENVIRONMENT_POLICY);
      assert.equal(policy.inputs.environment, RELEASE_ENVIRONMENT);
      assert.equal(policy.inputs.tagPattern, RELEASE_TAG_PATTERN);
      assert.equal(policy.inputs.branchPattern, undefined);
      // The job that deploys prod is the one in this environment.
      const jobs = Object.values(readWorkflow("release.yml").jobs);
      assert.deepEqual(
        jobs.map((job) => job.environment),
        [RELEASE_ENVIRONMENT],
      );
    });
  });

  describe("GitHub Actions settings", () => {
    it("GitHub itself refuses an action or reusable workflow not pinned to a full commit SHA", () => {
      const [permissions] = findResources(
        plan,
        "github:index/actionsRepositoryPermissions:ActionsRepositoryPermissions",
      );
      assert.equal(permissions.inputs.repository, ADMIN.repository.split("/")[1]);
      assert.equal(permissions.inputs.shaPinningRequired, true);
      assert.equal(permissions.inputs.enabled, true);
    });

    it("the application repository of the organization may call this repository's reusable workflow", () => {
      const [access] = findResources(
        plan,
        "github:index/actionsRepositoryAccessLevel:ActionsRepositoryAccessLevel",
      );
      assert.deepEqual(access.inputs, {
        repository: ADMIN.repository.split("/")[1],
        accessLevel: "organization",
      });
      assert.ok(fs.existsSync(path.join(WORKFLOWS, "ams-app-pipeline.yml")));
    });
  });

  describe("CODEOWNERS", () => {
    const owners = () => {
      const lines = fs
        .readFileSync(path.join(PROJECT_DIR, ".github", "CODEOWNERS"), "utf8")
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line !== "" && !line.startsWith("#"));
      return lines.map((line) => line.split(/\s+/));
    };
    const team = () => `@${ADMIN.repository.split("/")[0]}/${ADMIN.codeOwnersTeam}`;

    it("the code-owners team owns Pulumi.prod.yaml, policy/, deployments/ and .github/", () => {
      const byPath = new Map(owners().map(([pattern, ...who]) => [pattern, who]));
      for (const guarded of ["/Pulumi.prod.yaml", "/policy/", "/deployments/", "/.github/"])
        assert.deepEqual(byPath.get(guarded), [team()], guarded);
    });

    it("no later line takes a guarded path away from the team (the last match wins)", () => {
      const patterns = owners().map(([pattern]) => pattern);
      assert.ok(!patterns.some((p) => p === "*" || p === "/" || p === "**"), patterns.join(" "));
      assert.equal(new Set(patterns).size, patterns.length, "a pattern listed twice");
    });
  });
});

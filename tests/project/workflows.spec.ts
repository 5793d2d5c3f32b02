import { strict as assert } from "assert";
import { listStacks } from "../../plan/projectFiles";
import {
  GITHUB_TOKEN_MAX_SECONDS,
  PREVIEW_TEAM,
  RELEASE_ENVIRONMENT,
  RELEASE_TEAM,
} from "../../deployments/githubIssuer";
import { githubPreviewRoleName } from "../../deployments/names";
import {
  Job,
  readWorkflow,
  Step,
  Workflow,
  workflowErrors,
  workflowFiles,
  workflowParts,
  workflowText,
} from "../helpers/workflows";

const runs = (job: Job) => job.steps.map((step) => step.run ?? "").join("\n");

const AUTH_ACTION = /^pulumi\/auth-actions@/;
/** The token type the Pulumi organization's GitHub policies issue (deployments/githubIssuer.ts). */
const TEAM_TOKEN = "urn:pulumi:token-type:access_token:team";
/** The teams the issuer's policies issue tokens of: nothing else can be asked for. */
const TOKEN_TEAMS = [PREVIEW_TEAM, RELEASE_TEAM];

/** A step that needs a Pulumi Cloud token: the Pulumi action, the Pulumi CLI or the REST API. */
function talksToPulumiCloud(step: Step): boolean {
  if (step.uses?.startsWith("pulumi/actions@")) return true;
  const run = step.run ?? "";
  return (
    /api\.pulumi\.com/.test(run) ||
    /(^|[;&|]\s*)pulumi\s+(login|preview|up|refresh|destroy|stack|config|env)\b/m.test(run) ||
    "PULUMI_ACCESS_TOKEN" in (step.env ?? {})
  );
}

/**
 * What is wrong with how a workflow's jobs get their Pulumi Cloud token: each job with a step that talks to
 * Pulumi Cloud must exchange its GitHub id token first (pulumi/auth-actions, a team token of one of the
 * issuer's teams, of the organization in a repository variable) and be allowed to request one
 * (`id-token: write`; a job's own `permissions` replace the workflow's). Returns one line per problem; none
 * means the workflow is right.
 */
function pulumiCloudAuthProblems(workflow: Workflow): string[] {
  const problems: string[] = [];
  for (const [name, job] of Object.entries(workflow.jobs)) {
    const first = job.steps.findIndex(talksToPulumiCloud);
    if (first < 0) continue;
    const auth = job.steps.findIndex((step) => AUTH_ACTION.test(step.uses ?? ""));
    if (auth < 0 || auth > first) {
      problems.push(`${name}: step ${first + 1} talks to Pulumi Cloud before pulumi/auth-actions runs`);
      continue;
    }
    const permissions = job.permissions ?? workflow.permissions ?? {};
    if (permissions["id-token"] !== "write") problems.push(`${name}: no id-token: write`);
    const inputs = job.steps[auth].with ?? {};
    if (!/^\$\{\{ vars\.\w+ \}\}$/.test(String(inputs.organization)))
      problems.push(`${name}: organization is ${String(inputs.organization)}, not a repository variable`);
    if (inputs["requested-token-type"] !== TEAM_TOKEN)
      problems.push(`${name}: requested-token-type is ${String(inputs["requested-token-type"])}`);
    if (!TOKEN_TEAMS.some((team) => inputs.scope === `team:${team}`))
      problems.push(`${name}: scope ${String(inputs.scope)} is not one of the issuer's teams`);
  }
  return problems;
}
/** Jobs a pull request runs: the workflow listens to pull_request and the job is not limited to pushes. */
const runsOnPullRequests = (job: Job) => !/github\.event_name\s*==\s*'push'/.test(job.if ?? "");

/**
 * Each `uses:` GitHub's parser finds (steps and reusable-workflow jobs) that is not `@<40-hex SHA>` with a
 * `# vX.Y.Z` comment on its line: a tag or branch can be moved to other code, as trivy-action's tags were in
 * March 2026 (https://github.com/aquasecurity/trivy-action/issues/541); the comment says which release the
 * SHA is, for review and for Dependabot. Local actions (`./…`) are the repository's own code.
 */
async function pinProblems(file: string, content: string): Promise<string[]> {
  const lines = content.split("\n");
  return (await workflowParts(file, content)).uses
    .filter((uses) => !uses.value.startsWith("./"))
    .filter(
      (uses) =>
        !/@[0-9a-f]{40}$/.test(uses.value) || !/# v\d+(\.\d+){0,2}\s*$/.test(lines[uses.line - 1] ?? ""),
    )
    .map((uses) => `${file}:${uses.line} ${uses.value}`);
}

describe("GitHub Actions workflows", function () {
  this.timeout(30_000);

  it("there are workflows to check", () => {
    assert.ok(workflowFiles().length >= 2, workflowFiles().join(", "));
  });

  for (const file of workflowFiles()) {
    it(`${file} is a valid workflow by GitHub's own parser (@actions/workflow-parser)`, async () => {
      const content = workflowText(file);
      assert.deepEqual(await workflowErrors(file, content), []);
    });
  }

  it("the validator rejects a broken workflow (so the checks above can fail)", async () => {
    const broken = [
      "on: push",
      "permissions:",
      "  id-token: writ", // not read / write / none
      "jobs:",
      "  build:",
      "    runs-on: ubuntu-latest",
      "    needs: [missing-job]",
      "    steps:",
      "      - uses: actions/checkout@v4",
      "        run: echo a step cannot both use an action and run a command",
    ].join("\n");
    const errors = await workflowErrors("broken.yml", broken);
    assert.ok(errors.length >= 2, errors.join("\n"));
    assert.ok(
      errors.some((error) => /writ/.test(error)),
      errors.join("\n"),
    );
  });

  it("every `uses:` is pinned to a full commit SHA, the release it is in named in a comment", async () => {
    const problems: string[] = [];
    for (const file of workflowFiles()) problems.push(...(await pinProblems(file, workflowText(file))));
    assert.deepEqual(problems, []);
  });

  it("the pin check refuses a tag, a branch, a short SHA and a SHA without its release comment", async () => {
    const steps = [
      "actions/checkout@v4",
      "actions/checkout@main",
      "actions/checkout@3d3c42e",
      "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1",
      "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1",
    ];
    const workflow = [
      "on: push",
      "jobs:",
      "  build:",
      "    runs-on: ubuntu-latest",
      "    steps:",
      ...steps.map((uses) => `      - uses: ${uses}`),
    ].join("\n");
    const problems = await pinProblems("pins.yml", workflow);
    assert.deepEqual(
      problems.map((problem) => problem.replace(/^pins\.yml:\d+ /, "")),
      steps.slice(0, 4),
    );
  });

  it("no workflow uses long-lived AWS keys or a stored Pulumi token", () => {
    for (const file of workflowFiles()) {
      const text = workflowText(file);
      assert.doesNotMatch(text, /aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/, file);
      assert.doesNotMatch(text, /secrets\.PULUMI_ACCESS_TOKEN|secrets\[\s*'PULUMI_ACCESS_TOKEN'/i, file);
    }
  });

  describe("Pulumi Cloud tokens come from GitHub's OIDC provider (pulumi/auth-actions)", () => {
    it("every job that talks to Pulumi Cloud exchanges its id token first, with id-token: write", () => {
      const talking: string[] = [];
      for (const file of workflowFiles()) {
        const workflow = readWorkflow(file);
        assert.deepEqual(pulumiCloudAuthProblems(workflow), [], file);
        for (const [name, job] of Object.entries(workflow.jobs))
          if (job.steps.some(talksToPulumiCloud)) talking.push(`${file} ${name}`);
      }
      // The check above covers the jobs that matter: the CI preview and the prod release.
      assert.deepEqual(talking.sort(), ["ci.yml preview", "release.yml deploy-prod"]);
    });

    it("the check fails a job without the exchange, with it too late, or without id-token: write", () => {
      const preview: Step = { uses: "pulumi/actions@v6", with: { command: "preview" } };
      const api: Step = {
        run: 'curl -H "Authorization: token $PULUMI_ACCESS_TOKEN" https://api.pulumi.com/api/user',
      };
      const auth: Step = {
        uses: "pulumi/auth-actions@v1",
        with: {
          organization: "${{ vars.PULUMI_ORG }}",
          "requested-token-type": TEAM_TOKEN,
          scope: `team:${PREVIEW_TEAM}`,
        },
      };
      const job = (steps: Step[], permissions?: Record<string, string>): Job => ({ steps, permissions });
      const problems = (jobs: Record<string, Job>, permissions?: Record<string, string>) =>
        pulumiCloudAuthProblems({ on: {}, permissions, jobs });

      assert.deepEqual(problems({ a: job([preview]) }), [
        "a: step 1 talks to Pulumi Cloud before pulumi/auth-actions runs",
      ]);
      assert.deepEqual(problems({ a: job([api, auth], { "id-token": "write" }) }), [
        "a: step 1 talks to Pulumi Cloud before pulumi/auth-actions runs",
      ]);
      // The job's permissions replace the workflow's: id-token: write at the top does not reach it.
      assert.deepEqual(problems({ a: job([auth, api], { contents: "read" }) }, { "id-token": "write" }), [
        "a: no id-token: write",
      ]);
      const admin: Step = { ...auth, with: { ...auth.with, scope: "team:admins" } };
      assert.deepEqual(problems({ a: job([admin, preview], { "id-token": "write" }) }), [
        "a: scope team:admins is not one of the issuer's teams",
      ]);
      const organization: Step = {
        ...auth,
        with: { ...auth.with, "requested-token-type": "urn:pulumi:token-type:access_token:organization" },
      };
      assert.deepEqual(problems({ a: job([organization, preview], { "id-token": "write" }) }), [
        "a: requested-token-type is urn:pulumi:token-type:access_token:organization",
      ]);
      const stored: Step = {
        run: "echo",
        env: { PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}" },
      };
      assert.deepEqual(problems({ a: job([stored]) }), [
        "a: step 1 talks to Pulumi Cloud before pulumi/auth-actions runs",
      ]);
      // Right: the workflow's permissions apply to a job without its own; an offline plan needs no token.
      assert.deepEqual(
        problems({ a: job([auth, preview]), b: job([{ run: "npm run plan" }]) }, { "id-token": "write" }),
        [],
      );
    });

    it("each token lives no longer than its job and than the issuer allows", () => {
      for (const file of workflowFiles()) {
        for (const [name, job] of Object.entries(readWorkflow(file).jobs)) {
          for (const step of job.steps.filter((s) => AUTH_ACTION.test(s.uses ?? ""))) {
            const seconds = Number(step.with?.["token-expiration"]);
            const timeout = Number(job["timeout-minutes"]) * 60;
            assert.ok(Number.isInteger(seconds) && seconds > 0, `${file} ${name}: ${seconds}`);
            assert.ok(seconds <= timeout, `${file} ${name}: token ${seconds} s, job ${timeout} s`);
            assert.ok(seconds <= GITHUB_TOKEN_MAX_SECONDS, `${file} ${name}: ${seconds} s`);
          }
        }
      }
    });
  });

  describe("ci.yml", () => {
    const ci = () => readWorkflow("ci.yml");
    const stacks = listStacks();

    it("runs on every pull request and on pushes to main and develop", () => {
      const { on } = ci();
      assert.ok("pull_request" in on);
      const push = on.push as { branches: string[] };
      assert.deepEqual([...push.branches].sort(), ["develop", "main"]);
    });

    it("every pull request runs npm ci and npm test", () => {
      const jobs = Object.values(ci().jobs).filter(runsOnPullRequests);
      assert.ok(
        jobs.some((job) => /^npm ci$/m.test(runs(job)) && /^npm test$/m.test(runs(job))),
        "no job runs npm ci then npm test on pull requests",
      );
    });

    it("every pull request plans every stack of the repository offline", () => {
      const planJobs = Object.values(ci().jobs).filter(
        (job) =>
          runsOnPullRequests(job) && /npm run plan -- --stack \$\{\{ matrix\.stack \}\}/.test(runs(job)),
      );
      assert.equal(planJobs.length, 1);
      assert.deepEqual([...(planJobs[0].strategy?.matrix?.stack as string[])].sort(), stacks);
      assert.match(runs(planJobs[0]), /^npm ci$/m);
    });

    it("previews every stack with pulumi/actions, AWS credentials through GitHub's OIDC, no keys", () => {
      const [preview] = Object.values(ci().jobs).filter((job) =>
        job.steps.some((step) => step.uses?.startsWith("pulumi/actions@")),
      );
      assert.ok(preview, "no job uses pulumi/actions");
      assert.deepEqual([...(preview.strategy?.matrix?.stack as string[])].sort(), stacks);
      assert.equal(preview.permissions?.["id-token"], "write");
      assert.match(preview.if ?? "", /pull_request/);

      const pulumi = preview.steps.find((step) => step.uses?.startsWith("pulumi/actions@")) as Step;
      assert.match(pulumi.uses ?? "", /^pulumi\/actions@[0-9a-f]{40}$/);
      assert.equal(pulumi.with?.command, "preview");
      assert.match(
        String(pulumi.with?.["stack-name"]),
        /^\$\{\{ vars\.\w+ \}\}\/ams\/\$\{\{ matrix\.stack \}\}$/,
      );
      assert.equal(pulumi.with?.["comment-on-pr"], true);
      // The token is the one pulumi/auth-actions exported, not one set on the step.
      assert.equal(pulumi.env?.PULUMI_ACCESS_TOKEN, undefined);
      const authIndex = preview.steps.findIndex((step) => AUTH_ACTION.test(step.uses ?? ""));
      assert.ok(authIndex >= 0 && authIndex < preview.steps.indexOf(pulumi), "Pulumi token comes first");
      // No environment: the job's sub is repo:<owner>/<repo>:pull_request, what the issuer's policy admits.
      assert.equal(preview.environment, undefined);

      const awsIndex = preview.steps.findIndex((step) =>
        step.uses?.startsWith("aws-actions/configure-aws-credentials@"),
      );
      assert.ok(awsIndex >= 0 && awsIndex < preview.steps.indexOf(pulumi), "AWS credentials come first");
      const aws = preview.steps[awsIndex];
      // The stack's own read-only role (deployments/awsAccess.ts), in the account of a repository variable.
      assert.equal(
        aws.with?.["role-to-assume"],
        `arn:aws:iam::\${{ vars.AWS_ACCOUNT_ID }}:role/${githubPreviewRoleName("${{ matrix.stack }}")}`,
      );
      // The read-only team's token: it cannot start or approve a deployment.
      assert.equal(preview.steps[authIndex].with?.scope, `team:${PREVIEW_TEAM}`);
      assert.deepEqual(
        Object.keys(aws.with ?? {}).filter((key) => /key|secret/i.test(key)),
        [],
      );
    });
  });

  describe("release.yml (the deliberate prod trigger)", () => {
    const release = () => readWorkflow("release.yml");
    const job = () => Object.values(release().jobs)[0];

    it("a v* tag, approved through the production environment, gets the release team's token after the tag check", () => {
      assert.deepEqual((release().on.push as { tags: string[] }).tags, ["v*"]);
      assert.ok(!("branches" in (release().on.push as object)), "prod must not deploy on a branch push");
      assert.equal(Object.values(release().jobs).length, 1);
      // The environment the Pulumi organization's release policy names in its sub claim.
      assert.equal(job().environment, RELEASE_ENVIRONMENT);
      assert.equal(job().permissions?.["id-token"], "write");
      const check = job().steps.findIndex((s) => /merge-base --is-ancestor/.test(s.run ?? ""));
      const auth = job().steps.findIndex((s) => AUTH_ACTION.test(s.uses ?? ""));
      assert.ok(check >= 0 && auth > check, `tag check at ${check}, token at ${auth}`);
      assert.equal(job().steps[auth].with?.scope, `team:${RELEASE_TEAM}`);
    });
  });
});

import { strict as assert } from "assert";
import * as fs from "fs";
import { register } from "module";
import * as path from "path";
import * as YAML from "yaml";
import { listStacks, PROJECT_DIR } from "../harness/projectFiles";
import { GITHUB_TOKEN_MAX_SECONDS, RELEASE_ENVIRONMENT } from "../../deployments/githubIssuer";

const WORKFLOWS_DIR = path.join(PROJECT_DIR, ".github", "workflows");

/**
 * Validates a workflow the way GitHub does, with GitHub's own parser and schema: the YAML against the
 * workflow schema (keys, types, expressions), then the conversion to the workflow model (jobs, needs,
 * matrices). Returns every error message; none means GitHub would accept the file.
 */
async function workflowErrors(name: string, content: string): Promise<string[]> {
  const parser = await loadWorkflowParser();
  const parsed = parser.parseWorkflow({ name, content }, new parser.NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((error) => error.message);
  if (errors.length > 0 || parsed.value === undefined) return errors.length > 0 ? errors : ["no workflow"];
  const template = await parser.convertWorkflowTemplate(parsed.context, parsed.value);
  return [
    ...parsed.context.errors.getErrors().map((error) => error.message),
    ...(template.errors ?? []).map((error) => error.Message),
  ];
}

/**
 * The parser is ESM-only, and it imports its schema JSON without `with { type: "json" }` (its own build
 * bundles it). Node 20 refuses that, so a loader hook supplies the attribute for JSON files imported
 * without one — nothing else changes — before the package is imported natively.
 */
const JSON_IMPORT_HOOK = `export async function load(url, context, nextLoad) {
  if (url.endsWith(".json") && !context.importAttributes?.type) {
    return nextLoad(url, { ...context, importAttributes: { ...context.importAttributes, type: "json" } });
  }
  return nextLoad(url, context);
}`;
let parserModule: Promise<typeof import("@actions/workflow-parser")> | undefined;
function loadWorkflowParser(): Promise<typeof import("@actions/workflow-parser")> {
  if (!parserModule) {
    register(`data:text/javascript,${encodeURIComponent(JSON_IMPORT_HOOK)}`);
    parserModule = import("@actions/workflow-parser");
  }
  return parserModule;
}

interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, unknown>;
}
interface Job {
  readonly if?: string;
  readonly needs?: string | string[];
  readonly permissions?: Record<string, string>;
  readonly "timeout-minutes"?: number;
  readonly strategy?: { matrix?: Record<string, unknown> };
  readonly environment?: string;
  readonly steps: Step[];
}
interface Workflow {
  readonly on: Record<string, unknown>;
  readonly permissions?: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

function workflowFiles(): string[] {
  return fs
    .readdirSync(WORKFLOWS_DIR)
    .filter((file) => /\.ya?ml$/.test(file))
    .sort();
}
function readWorkflow(file: string): Workflow {
  return YAML.parse(fs.readFileSync(path.join(WORKFLOWS_DIR, file), "utf8")) as Workflow;
}
const runs = (job: Job) => job.steps.map((step) => step.run ?? "").join("\n");

const AUTH_ACTION = /^pulumi\/auth-actions@/;
/** The token type the Pulumi organization's GitHub policies issue (deployments/githubIssuer.ts). */
const ORGANIZATION_TOKEN = "urn:pulumi:token-type:access_token:organization";

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
 * Pulumi Cloud must exchange its GitHub id token first (pulumi/auth-actions, an organization token of the
 * organization in a repository variable) and be allowed to request one (`id-token: write`; a job's own
 * `permissions` replace the workflow's). Returns one line per problem; none means the workflow is right.
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
    if (inputs["requested-token-type"] !== ORGANIZATION_TOKEN)
      problems.push(`${name}: requested-token-type is ${String(inputs["requested-token-type"])}`);
    if (inputs.scope !== undefined) problems.push(`${name}: scope ${String(inputs.scope)} asks for more`);
  }
  return problems;
}
/** Jobs a pull request runs: the workflow listens to pull_request and the job is not limited to pushes. */
const runsOnPullRequests = (job: Job) => !/github\.event_name\s*==\s*'push'/.test(job.if ?? "");

describe("GitHub Actions workflows", function () {
  this.timeout(30_000);

  it("there are workflows to check", () => {
    assert.ok(workflowFiles().length >= 2, workflowFiles().join(", "));
  });

  for (const file of fs.existsSync(WORKFLOWS_DIR) ? workflowFiles() : []) {
    it(`${file} is a valid workflow by GitHub's own parser (@actions/workflow-parser)`, async () => {
      const content = fs.readFileSync(path.join(WORKFLOWS_DIR, file), "utf8");
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

  it("every action is pinned to a major version or a commit", () => {
    for (const file of workflowFiles()) {
      for (const [name, job] of Object.entries(readWorkflow(file).jobs)) {
        for (const step of job.steps.filter((s) => s.uses !== undefined)) {
          assert.match(
            step.uses as string,
            /@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/,
            `${file} ${name}: ${step.uses}`,
          );
        }
      }
    }
  });

  it("no workflow uses long-lived AWS keys or a stored Pulumi token", () => {
    for (const file of workflowFiles()) {
      const text = fs.readFileSync(path.join(WORKFLOWS_DIR, file), "utf8");
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
        with: { organization: "${{ vars.PULUMI_ORG }}", "requested-token-type": ORGANIZATION_TOKEN },
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
      const admin: Step = { ...auth, with: { ...auth.with, scope: "admin" } };
      assert.deepEqual(problems({ a: job([admin, preview], { "id-token": "write" }) }), [
        "a: scope admin asks for more",
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
      assert.equal(pulumi.uses, "pulumi/actions@v6");
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
      assert.match(String(aws.with?.["role-to-assume"]), /^\$\{\{ vars\.\w+ \}\}$/);
      assert.deepEqual(
        Object.keys(aws.with ?? {}).filter((key) => /key|secret/i.test(key)),
        [],
      );
    });
  });

  describe("release.yml (the deliberate prod trigger)", () => {
    it("a v* tag, approved through the production environment, starts an update of ams/prod", () => {
      const release = readWorkflow("release.yml");
      assert.deepEqual((release.on.push as { tags: string[] }).tags, ["v*"]);
      assert.ok(!("branches" in (release.on.push as object)), "prod must not deploy on a branch push");
      const jobs = Object.values(release.jobs);
      assert.equal(jobs.length, 1);
      // The environment the Pulumi organization's release policy names in its sub claim.
      assert.equal(jobs[0].environment, RELEASE_ENVIRONMENT);
      assert.equal(jobs[0].permissions?.["id-token"], "write");
      const script = runs(jobs[0]);
      // The token comes from the exchange only after the tag check passed.
      const check = jobs[0].steps.findIndex((step) => /git rev-parse origin\/main/.test(step.run ?? ""));
      const auth = jobs[0].steps.findIndex((step) => AUTH_ACTION.test(step.uses ?? ""));
      assert.ok(check >= 0 && auth > check, `tag check at ${check}, token at ${auth}`);
      assert.match(script, /git rev-parse origin\/main/);
      assert.match(script, /api\.pulumi\.com\/api\/stacks\/\$PULUMI_ORG\/ams\/prod\/deployments/);
      assert.match(script, /"operation":"update"/);
    });
  });
});

import { strict as assert } from "assert";
import * as fs from "fs";
import { register } from "module";
import * as path from "path";
import * as YAML from "yaml";
import { listStacks, PROJECT_DIR } from "../harness/projectFiles";

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
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, unknown>;
}
interface Job {
  readonly if?: string;
  readonly needs?: string | string[];
  readonly permissions?: Record<string, string>;
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

  it("no workflow uses long-lived AWS keys", () => {
    for (const file of workflowFiles()) {
      const text = fs.readFileSync(path.join(WORKFLOWS_DIR, file), "utf8");
      assert.doesNotMatch(text, /aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/, file);
    }
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
      assert.match(String(pulumi.env?.PULUMI_ACCESS_TOKEN), /^\$\{\{ secrets\.\w+ \}\}$/);

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
      assert.equal(jobs[0].environment, "production");
      const script = runs(jobs[0]);
      assert.match(script, /git rev-parse origin\/main/);
      assert.match(script, /api\.pulumi\.com\/api\/stacks\/\$PULUMI_ORG\/ams\/prod\/deployments/);
      assert.match(script, /"operation":"update"/);
    });
  });
});

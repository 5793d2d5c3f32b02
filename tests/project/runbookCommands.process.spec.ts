import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { planCommand } from "../../plan/command";
import { Plan } from "../../plan/plan";
import { PlanRequest, runPlan } from "../../plan/runPlan";
import { parseCutoverFlags, parseRollbackFlags } from "../../tools/cutover/flags";
import { parseDoraArgs } from "../../tools/dora/cli";
import { doraCommand } from "../../tools/dora/command";
import { parsePromoteFlags } from "../../tools/promote/flags";
import { PROJECT_DIR } from "../../tools/cli/project";
import { EXIT } from "../../tools/cli/exitCodes";
import {
  DocCommand,
  docCommands,
  docSamples,
  findSampleLines,
  unmarkedPlanOutput,
} from "../helpers/docCommands";
import { planAfter, runExclusive } from "../helpers/plans";

/**
 * The operator documents, whose commands a reader copies: each `npm run …` line of their shell blocks, and
 * each sample output marked `<!-- output of: … -->`, is checked against what the command really does.
 */
const DOCUMENTS = [
  ...fs
    .readdirSync(path.join(PROJECT_DIR, "docs"))
    .filter((file) => /^runbook-.+\.md$/.test(file))
    .map((file) => `docs/${file}`),
  "docs/release-day.md",
  "docs/offline-plan.md",
  "docs/dora.md",
].sort();

interface Result {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A plan run reuses this process's plans (tests/helpers/plans.ts), so a document's ten commands cost few runs. */
function evaluate(request: PlanRequest): Promise<Plan> {
  const text = (overrides: PlanRequest["overrides"]) => (overrides ?? []).map((o) => `${o.key}=${o.value}`);
  const [overrides, deployed] = [text(request.overrides), text(request.deployed)];
  const ownProgram = request.projectDir === undefined || request.projectDir === PROJECT_DIR;
  if (ownProgram && deployed.every((value, i) => overrides[i] === value)) {
    return planAfter(request.stack, deployed, overrides.slice(deployed.length));
  }
  return runExclusive(() => runPlan(request));
}

async function run(command: DocCommand): Promise<Result> {
  let [stdout, stderr] = ["", ""];
  const out = { stdout: (text: string) => (stdout += text), stderr: (text: string) => (stderr += text) };
  switch (command.script) {
    case "plan":
      return { status: await planCommand(command.args, out, evaluate), stdout, stderr };
    case "dora": {
      // Without a saved history it asks the Pulumi CLI for one, which this machine does not have; a history
      // file the reader writes first (`pulumi stack history … > history-prod.json`) is not here either.
      const history = historyFile(command.args);
      if (history !== undefined && fs.existsSync(path.join(PROJECT_DIR, history)))
        return { status: await doraCommand(command.args, out), stdout, stderr };
      parseDoraArgs(command.args, () => new Date());
      return { status: EXIT.ok, stdout, stderr };
    }
    // These act on a real stack (Pulumi CLI, cloud) or write the stack file: their flags are checked.
    case "cutover":
      parseCutoverFlags(command.args, PROJECT_DIR);
      return { status: EXIT.ok, stdout, stderr };
    case "rollback":
      parseRollbackFlags(command.args, PROJECT_DIR);
      return { status: EXIT.ok, stdout, stderr };
    case "promote":
      parsePromoteFlags(command.args, PROJECT_DIR);
      return { status: EXIT.ok, stdout, stderr };
    default:
      throw new Error(`no npm script "${command.script}" in package.json is known to this spec`);
  }
}

function historyFile(args: readonly string[]): string | undefined {
  const at = args.indexOf("--history");
  return at < 0 ? undefined : args[at + 1];
}

const results = new Map<string, Promise<Result>>();
function resultOf(command: DocCommand): Promise<Result> {
  let result = results.get(command.text);
  if (!result) {
    result = run(command).catch((err: unknown) => ({
      status: EXIT.usage,
      stdout: "",
      stderr: err instanceof Error ? err.message : String(err),
    }));
    results.set(command.text, result);
  }
  return result;
}

describe("runbooks: every command they show runs, and prints what they quote", function () {
  this.timeout(240_000);

  for (const document of DOCUMENTS) {
    const markdown = fs.readFileSync(path.join(PROJECT_DIR, document), "utf8");
    describe(document, () => {
      it("its npm run commands exit as the document says (0 unless a comment says `exits N`)", async () => {
        const failures: string[] = [];
        for (const command of docCommands(markdown)) {
          const result = await resultOf(command);
          if (result.status !== command.exitCode)
            failures.push(
              `line ${command.line}: ${command.text} exited ${result.status}, not ${command.exitCode}: ` +
                result.stderr.split("\n")[0],
            );
        }
        assert.deepEqual(failures, []);
      });

      it("each quoted output is what its command prints, line by line and in order", async () => {
        const failures: string[] = [];
        for (const sample of docSamples(markdown)) {
          const result = await resultOf(sample.command);
          const { missing } = findSampleLines(sample.lines, result.stdout + result.stderr);
          if (missing !== undefined)
            failures.push(
              `line ${sample.line} (${sample.command.text}) quotes a line it does not print: ${missing}`,
            );
        }
        assert.deepEqual(failures, []);
      });

      it("every quoted plan output says which command printed it", () => {
        assert.deepEqual(
          unmarkedPlanOutput(markdown).map(
            (line) => `line ${line}: add <!-- output of: npm run plan -- … -->`,
          ),
          [],
        );
      });
    });
  }

  it("the checks can fail: a wrong exit code, a line the command never prints, an unmarked sample", async () => {
    const doc = [
      "```bash",
      "npm run plan -- --stack staging --set activeColor=purple   # review",
      "```",
      "<!-- output of: npm run plan -- --stack dev --compare appLogLevel=WARN -->",
      "```",
      "~ update aws:ssm/parameter:Parameter  ams-config-logging-level-root",
      '    insecureValue: "DEBUG" → "ERROR"',
      "```",
      "```",
      "~ update kubernetes:core/v1:Service  ams-release-api-stable",
      "```",
    ].join("\n");
    const [command] = docCommands(doc);
    assert.equal((await resultOf(command)).status, EXIT.usage);
    assert.equal(command.exitCode, 0);
    const [sample] = docSamples(doc);
    const result = await resultOf(sample.command);
    assert.equal(result.status, EXIT.ok, result.stderr);
    assert.deepEqual(findSampleLines(sample.lines, result.stdout), {
      missing: '    insecureValue: "DEBUG" → "ERROR"',
    });
    assert.deepEqual(findSampleLines(['    insecureValue: "DEBUG" → "W…"'], result.stdout), {});
    assert.deepEqual(unmarkedPlanOutput(doc), [9]);
  });
});

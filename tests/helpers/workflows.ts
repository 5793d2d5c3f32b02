import { spawnSync } from "child_process";
import * as fs from "fs";
import { register } from "module";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { PROJECT_DIR } from "../../tools/cli/project";

export const WORKFLOWS_DIR = path.join(PROJECT_DIR, ".github", "workflows");

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
type WorkflowParser = typeof import("@actions/workflow-parser");
let parserModule: Promise<WorkflowParser> | undefined;
export function loadWorkflowParser(): Promise<WorkflowParser> {
  if (!parserModule) {
    register(`data:text/javascript,${encodeURIComponent(JSON_IMPORT_HOOK)}`);
    parserModule = import("@actions/workflow-parser");
  }
  return parserModule;
}

type Template = Awaited<ReturnType<WorkflowParser["convertWorkflowTemplate"]>>;

/** GitHub's own parse and conversion of a workflow; `errors` empty means GitHub would accept it. */
export async function parseWithGithub(
  name: string,
  content: string,
): Promise<{ errors: string[]; template: Template | undefined }> {
  const parser = await loadWorkflowParser();
  const parsed = parser.parseWorkflow({ name, content }, new parser.NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((error) => error.message);
  if (errors.length > 0 || parsed.value === undefined)
    return { errors: errors.length > 0 ? errors : ["no workflow"], template: undefined };
  const template = await parser.convertWorkflowTemplate(parsed.context, parsed.value);
  return {
    errors: [
      ...parsed.context.errors.getErrors().map((error) => error.message),
      ...(template.errors ?? []).map((error) => error.Message),
    ],
    template,
  };
}

/**
 * Validates a workflow the way GitHub does, with GitHub's own parser and schema: the YAML against the
 * workflow schema (keys, types, expressions), then the conversion to the workflow model (jobs, needs,
 * matrices). Returns every error message; none means GitHub would accept the file.
 */
export async function workflowErrors(name: string, content: string): Promise<string[]> {
  return (await parseWithGithub(name, content)).errors;
}

/** A `uses:` of a step or of a job calling a reusable workflow, with the line it is on (1-based). */
export interface UsesReference {
  readonly value: string;
  readonly line: number;
}

/** A step's `run:` script as written (expressions still in `${{ }}`), with its job. */
export interface RunScript {
  readonly job: string;
  readonly script: string;
  readonly line: number;
}

interface Located {
  readonly value?: unknown;
  readonly source?: string;
  readonly range?: { start: { line: number } };
}

/** Every `uses:` and `run:` of a workflow, as GitHub's parser reads them. */
export async function workflowParts(
  name: string,
  content: string,
): Promise<{ uses: UsesReference[]; runs: RunScript[] }> {
  const { errors, template } = await parseWithGithub(name, content);
  if (template === undefined) throw new Error(`${name}: ${errors.join("; ")}`);
  const uses: UsesReference[] = [];
  const runs: RunScript[] = [];
  const line = (token: Located) => token.range?.start.line ?? 0;
  for (const job of template.jobs) {
    if (job.type === "reusableWorkflowJob") {
      uses.push({ value: String(job.ref.value), line: line(job.ref as Located) });
      continue;
    }
    for (const step of job.steps) {
      if ("uses" in step) uses.push({ value: String(step.uses.value), line: line(step.uses as Located) });
      if ("run" in step) {
        // A script with `${{ }}` is an expression token; its source is the text as written.
        const token = step.run as Located;
        runs.push({
          job: String(job.id.value),
          script: token.source ?? String(token.value),
          line: line(token),
        });
      }
    }
  }
  return { uses, runs };
}

export function workflowFiles(): string[] {
  return fs
    .readdirSync(WORKFLOWS_DIR)
    .filter((file) => /\.ya?ml$/.test(file))
    .sort();
}

export function workflowText(file: string): string {
  return fs.readFileSync(path.join(WORKFLOWS_DIR, file), "utf8");
}

export interface Step {
  readonly id?: string;
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, unknown>;
  readonly "working-directory"?: string;
}
export interface Job {
  readonly name?: string;
  readonly if?: string;
  readonly needs?: string | string[];
  readonly permissions?: Record<string, string>;
  readonly "timeout-minutes"?: number;
  readonly strategy?: { matrix?: Record<string, unknown> };
  readonly environment?: string;
  readonly services?: Record<string, { image: string; env?: Record<string, string> }>;
  readonly concurrency?: { group: string; "cancel-in-progress"?: boolean };
  readonly outputs?: Record<string, string>;
  readonly steps: Step[];
}
export interface Workflow {
  readonly on: Record<string, unknown>;
  readonly permissions?: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

export function readWorkflow(file: string): Workflow {
  return YAML.parse(workflowText(file)) as Workflow;
}

/** The step of a job whose name matches; fails loudly when there is none. */
export function stepNamed(job: Job, pattern: RegExp): Step {
  const found = job.steps.find((candidate) => pattern.test(candidate.name ?? ""));
  if (!found) throw new Error(`no step named like ${pattern}`);
  return found;
}

export interface StepResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** A file the step or a stub wrote into the stub directory, read before it went. */
  read(file: string): string;
  /** The step's `$GITHUB_OUTPUT` as key → value. */
  readonly outputs: Record<string, string>;
}

/**
 * Runs a step's script as GitHub runs a `run:` step (`bash -e -o pipefail`), with commands replaced by
 * the given stubs (scripts first on PATH; `$STUB_DIR`, which is also `$RUNNER_TEMP`, is where they may
 * record what they saw). Real Git, jq and coreutils stay available. Runs in `cwd`.
 */
export function runStep(
  script: string,
  options: {
    env?: Record<string, string>;
    stubs?: Record<string, string>;
    /** Files placed in `$RUNNER_TEMP` (the stub directory) before the step runs. */
    files?: Record<string, string>;
    cwd?: string;
  },
): StepResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ams-workflow-step-"));
  for (const [file, text] of Object.entries(options.files ?? {}))
    fs.writeFileSync(path.join(dir, file), text);
  for (const [command, body] of Object.entries(options.stubs ?? {})) {
    fs.writeFileSync(path.join(dir, command), `#!/usr/bin/env bash\n${body}\n`, { mode: 0o755 });
  }
  const output = path.join(dir, "github-output");
  fs.writeFileSync(output, "");
  const result = spawnSync("bash", ["--noprofile", "--norc", "-e", "-o", "pipefail", "-c", script], {
    cwd: options.cwd ?? dir,
    env: {
      PATH: `${dir}:${process.env.PATH}`,
      HOME: dir,
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: path.join(dir, "summary"),
      RUNNER_TEMP: dir,
      STUB_DIR: dir,
      ...options.env,
    },
    encoding: "utf8",
  });
  const written = new Map(
    fs
      .readdirSync(dir)
      .filter((file) => fs.statSync(path.join(dir, file)).isFile())
      .map((file) => [file, fs.readFileSync(path.join(dir, file), "utf8")]),
  );
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
  const outputs = Object.fromEntries(
    (written.get("github-output") ?? "")
      .split("\n")
      .filter((line) => line.includes("="))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
  return { ...result, read: (file) => written.get(file) ?? "", outputs };
}

import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../config/errors";
import { comparePlans } from "./compare";
import { EXIT } from "../tools/cli/exitCodes";
import { Output } from "../tools/cli/main";
import { UsageError } from "../tools/cli/usageError";
import { Plan } from "./plan";
import { kubernetesManifests, manifestYaml, renderComparisonText, renderPlanText } from "./render";
import { checkPolicies } from "./policyCheck";
import { PlanRequest, planWarnings, programIn, runPlan } from "./runPlan";
import { PlanArgs, parsePlanArgs, USAGE } from "./args";
import { PLAN_PROJECTS } from "./projects";
import { isSelective, selectChanges, Selection, selectPlan } from "./select";
import { flipWarnings } from "./warnings";

/**
 * `npm run plan`: what a stack declares, or what a config change would change, without a cloud.
 * Returns the exit code: 0 plan printed; 2 invalid config or arguments (one paragraph, no stack trace);
 * 1 anything else (a bug: printed with its stack).
 */
export async function planCommand(
  argv: readonly string[],
  out: Output,
  /** Evaluates one run; a test passes one that reuses the plans it already has. */
  evaluate: (request: PlanRequest) => Promise<Plan> = runPlan,
): Promise<number> {
  try {
    return await run(argv, out, evaluate);
  } catch (err) {
    if (ConfigError.isConfigError(err) || err instanceof UsageError) {
      out.stderr(`${err.message}\n`);
      return EXIT.usage;
    }
    out.stderr(
      `plan failed unexpectedly: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return EXIT.failed;
  }
}

async function run(
  argv: readonly string[],
  out: Output,
  runPlan: (request: PlanRequest) => Promise<Plan>,
): Promise<number> {
  const args = parsePlanArgs(argv);
  if (args.help) {
    out.stdout(`${USAGE}\n`);
    return EXIT.ok;
  }
  const { dir } = PLAN_PROJECTS[args.project];
  // The program loads when the run calls it, after the config files have been read and checked.
  const project: Pick<PlanRequest, "projectDir" | "program"> = {
    projectDir: dir,
    program: () => programIn(dir)(),
  };
  const plan = await runPlan({
    ...project,
    stack: args.stack,
    overrides: [...args.deployed, ...args.overrides],
    deployed: args.deployed,
  });
  printWarnings(plan, out);
  if (args.outDir !== undefined) writeManifests(plan, args.outDir);
  if (args.policy) return reportPolicies(plan, args.json, out);

  if (args.against !== undefined) {
    const saved = readSavedPlan(args.against, plan);
    printComparison(out, args, saved, plan, {
      title: `${args.against} vs this checkout (secret values are not compared: a saved plan keeps none)`,
    });
    return EXIT.ok;
  }
  if (args.compare.length > 0) {
    const variant = await runPlan({
      ...project,
      stack: args.stack,
      overrides: [...args.deployed, ...args.overrides, ...args.compare],
      deployed: [...args.deployed, ...args.overrides],
    });
    printWarnings(variant, out);
    const description = args.compare.map((o) => `${o.key}=${o.value}`).join(" ");
    printComparison(out, args, plan, variant, {
      title: `stack config vs --compare ${description}`,
      warnings: flipWarnings(plan.outputs, variant.outputs),
    });
    return EXIT.ok;
  }
  const shown = selectPlan(plan, args.selection);
  if (isSelective(args.selection) && shown.resources.length === 0) {
    throw new UsageError(
      `No resource of ${plan.project}/${plan.stack} matches ${describeSelection(args.selection)}; ` +
        `allowed: a type or kind this plan declares (${[...new Set(plan.resources.map((r) => r.type))].sort().join(", ")}), or a resource name.`,
    );
  }
  out.stdout(
    args.json
      ? `${JSON.stringify(shown, null, 2)}\n`
      : renderPlanText(
          shown,
          isSelective(args.selection)
            ? { of: plan.resources.length, description: describeSelection(args.selection) }
            : undefined,
        ),
  );
  return EXIT.ok;
}

/** What changes from one plan to the other, limited to `--type`/`--resource`: text, or one JSON document. */
function printComparison(
  out: Output,
  args: Pick<PlanArgs, "json" | "selection">,
  before: Plan,
  after: Plan,
  heading: { title: string; warnings?: readonly string[] },
): void {
  const comparison = selectChanges(comparePlans(before, after), args.selection);
  const document =
    heading.warnings === undefined ? comparison : { ...comparison, warnings: heading.warnings };
  out.stdout(
    args.json
      ? `${JSON.stringify(document, null, 2)}\n`
      : renderComparisonText(comparison, before, after, heading.title),
  );
}

/** The program's warnings go to stderr, as the Pulumi CLI shows them: `--json` stays one document on stdout. */
function printWarnings(plan: Plan, out: Output): void {
  for (const warning of planWarnings(plan)) out.stderr(`warning: ${warning}\n`);
}

function describeSelection(selection: Selection): string {
  return [
    ...selection.types.map((type) => `--type ${type}`),
    ...selection.resources.map((name) => `--resource ${name}`),
  ].join(" ");
}

/** Exit 1 when a mandatory policy is violated, like `pulumi preview --policy-pack`. */
async function reportPolicies(plan: Plan, json: boolean, out: Output): Promise<number> {
  const violations = await checkPolicies(plan);
  const mandatory = violations.filter((violation) => violation.enforcementLevel === "mandatory");
  if (json) {
    out.stdout(`${JSON.stringify({ violations }, null, 2)}\n`);
  } else {
    for (const v of violations)
      out.stdout(`[${v.enforcementLevel}] ${v.policy}  ${v.urn}\n    ${v.message}\n`);
    out.stdout(
      `Policy pack ams over ${plan.project}/${plan.stack}: ${mandatory.length} mandatory, ` +
        `${violations.length - mandatory.length} advisory violations.\n`,
    );
  }
  return mandatory.length > 0 ? EXIT.failed : EXIT.ok;
}

/** A plan `--json` wrote, of the same project and stack; anything else is a usage error naming the file. */
function readSavedPlan(file: string, current: Plan): Plan {
  let saved: unknown;
  try {
    saved = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new UsageError(`--against ${file}: not a readable JSON file (${(err as Error).message}).`);
  }
  const candidate = saved as Partial<Plan> | null;
  if (
    typeof candidate !== "object" ||
    candidate === null ||
    !Array.isArray(candidate.resources) ||
    typeof candidate.project !== "string" ||
    typeof candidate.stack !== "string"
  ) {
    throw new UsageError(`--against ${file}: not a plan written by \`npm run plan -- --json\`.`);
  }
  if (candidate.project !== current.project || candidate.stack !== current.stack) {
    throw new UsageError(
      `--against ${file} is the plan of ${candidate.project}/${candidate.stack}; ` +
        `this is ${current.project}/${current.stack} (give the same --project and --stack).`,
    );
  }
  return candidate as Plan;
}

function writeManifests(plan: Plan, outDir: string): void {
  try {
    fs.mkdirSync(outDir, { recursive: true });
  } catch (err) {
    throw new UsageError(`--out ${outDir} cannot be used as a directory: ${(err as Error).message}`);
  }
  for (const manifest of kubernetesManifests(plan)) {
    fs.writeFileSync(path.join(outDir, manifest.fileName), manifestYaml(manifest));
  }
}

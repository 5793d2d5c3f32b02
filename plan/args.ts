import { PlanInputError } from "./errors";
import { ConfigOverride, parseOverride } from "./stackConfig";
import { DEFAULT_PLAN_PROJECT, PLAN_PROJECTS } from "./projects";

export interface PlanArgs {
  /** Which Pulumi project of the repository: `ams` (the default) or `deployments`. */
  readonly project: string;
  readonly stack: string;
  readonly overrides: ConfigOverride[];
  readonly compare: ConfigOverride[];
  readonly json: boolean;
  readonly outDir: string | undefined;
  readonly help: boolean;
  /** Run the policy pack over the plan instead of printing it. */
  readonly policy: boolean;
}

export const USAGE = `Usage: npm run plan -- [--project <name>] [--stack <name>] [--set key=value]... [--json] [--out <dir>] [--compare key=value]...

  --project <name>      ${Object.keys(PLAN_PROJECTS).join(" or ")}: the AMS program (default) or deployments/, its Pulumi Deployments
  --stack <name>        stack whose Pulumi.<name>.yaml drives the plan (default: dev; admin for --project deployments)
  --set key=value       override a config value; repeatable; path.to.field=value sets a field of a structured key
  --json                print one JSON document instead of the tree
  --out <dir>           also write every Kubernetes object as a YAML manifest into <dir>
  --compare key=value   evaluate again with these values on top and print only what differs; repeatable
  --policy              run the CrossGuard policy pack (policy/) over the plan; exit 1 on a mandatory violation
  --help                show this text`;

/** Parses the plan command's arguments; bad usage is a `PlanInputError` (exit 2). */
export function parsePlanArgs(argv: readonly string[]): PlanArgs {
  let project = DEFAULT_PLAN_PROJECT;
  let stack: string | undefined;
  let json = false;
  let help = false;
  let policy = false;
  let outDir: string | undefined;
  const overrides: ConfigOverride[] = [];
  const compare: ConfigOverride[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith("--"))
        throw new PlanInputError(`${flag} needs a value.\n${USAGE}`);
      return next;
    };
    switch (flag) {
      case "--project":
        project = value();
        if (!Object.hasOwn(PLAN_PROJECTS, project)) {
          throw new PlanInputError(
            `--project "${project}" is not a project of this repository; allowed: ${Object.keys(PLAN_PROJECTS).join(", ")}.`,
          );
        }
        break;
      case "--stack":
        stack = value();
        break;
      case "--set":
        overrides.push(parseOverride(value(), "--set"));
        break;
      case "--compare":
        compare.push(parseOverride(value(), "--compare"));
        break;
      case "--json":
        json = true;
        break;
      case "--out":
        outDir = value();
        break;
      case "--policy":
        policy = true;
        break;
      case "--help":
      case "-h":
        help = true;
        break;
      default:
        throw new PlanInputError(`Unknown argument "${flag}".\n${USAGE}`);
    }
  }
  if (policy && !PLAN_PROJECTS[project].policy) {
    throw new PlanInputError(`--policy runs the AMS policy pack; it does not apply to --project ${project}.`);
  }
  stack ??= PLAN_PROJECTS[project].defaultStack;
  return { project, stack, overrides, compare, json, outDir, help, policy };
}

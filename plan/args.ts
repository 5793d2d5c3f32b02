import { helpRequested, walkFlags } from "../tools/cli/flags";
import { UsageError } from "../tools/cli/usageError";
import { ConfigOverride, parseOverride } from "./stackConfig";
import { DEFAULT_PLAN_PROJECT, PLAN_PROJECTS } from "./projects";
import { Selection } from "./select";

export interface PlanArgs {
  /** Which Pulumi project of the repository: `ams` (the default) or `deployments`. */
  readonly project: string;
  readonly stack: string;
  readonly overrides: ConfigOverride[];
  /** `--deployed`: config the stack's last `pulumi up` applied on top of its stack file. */
  readonly deployed: ConfigOverride[];
  readonly compare: ConfigOverride[];
  /** A plan saved with `--json` (another commit's) to compare this one with. */
  readonly against: string | undefined;
  readonly json: boolean;
  readonly outDir: string | undefined;
  readonly help: boolean;
  /** Run the policy pack over the plan instead of printing it. */
  readonly policy: boolean;
  /** `--type` and `--resource`: show only these resources (or their changes). */
  readonly selection: Selection;
}

export const USAGE = `Usage: npm run plan -- [--project <name>] [--stack <name>] [--set key=value]... [--deployed key=value]... [--json] [--out <dir>] [--compare key=value]... [--against <plan.json>] [--type <type>]... [--resource <name>]...

  --project <name>      ${Object.keys(PLAN_PROJECTS).join(" or ")}: the AMS program (default) or deployments/, its Pulumi Deployments
  --stack <name>        stack whose Pulumi.<name>.yaml drives the plan (default: dev; admin for --project deployments)
  --set key=value       override a config value; repeatable; path.to.field=value sets a field of a structured key
  --deployed key=value  like --set, for a stack that already runs with this value (its last update applied it)
  --json                print one JSON document instead of the tree
  --out <dir>           also write every Kubernetes object as a YAML manifest into <dir>
  --compare key=value   evaluate again with these values on top and print only what differs; repeatable
  --against <plan.json> print only what differs from a plan saved with --json (e.g. on another commit), as the
                        engine would pair resources (aliases included): a refactor that moves nothing shows none
  --type <type>         show only resources of this type (kubernetes:batch/v1:Job, or just Job); repeatable
  --resource <name>     show only the resource with this name (or URN); repeatable
  --policy              run the CrossGuard policy pack (policy/) over the plan; exit 1 on a mandatory violation
  --help                show this text`;

/** Parses the plan command's arguments; bad usage is a `UsageError` (exit 2). */
export function parsePlanArgs(argv: readonly string[]): PlanArgs {
  let project = DEFAULT_PLAN_PROJECT;
  let stack: string | undefined;
  let json = false;
  let policy = false;
  let outDir: string | undefined;
  let against: string | undefined;
  const overrides: ConfigOverride[] = [];
  const deployed: ConfigOverride[] = [];
  const compare: ConfigOverride[] = [];
  const types: string[] = [];
  const resources: string[] = [];
  const help = helpRequested(argv);
  const known = {
    valued: [
      "--project",
      "--stack",
      "--set",
      "--deployed",
      "--compare",
      "--against",
      "--out",
      "--type",
      "--resource",
    ],
    booleans: ["--json", "--policy", "--help", "-h"],
  };
  walkFlags(argv, USAGE, known, (flag, value) => {
    switch (flag) {
      case "--project":
        if (!Object.hasOwn(PLAN_PROJECTS, value)) {
          throw new UsageError(
            `--project "${value}" is not a project of this repository; allowed: ${Object.keys(PLAN_PROJECTS).join(", ")}.`,
          );
        }
        project = value;
        return;
      case "--stack":
        stack = value;
        return;
      case "--set":
        overrides.push(parseOverride(value, "--set"));
        return;
      case "--deployed":
        deployed.push(parseOverride(value, "--deployed"));
        return;
      case "--compare":
        compare.push(parseOverride(value, "--compare"));
        return;
      case "--json":
        json = true;
        return;
      case "--out":
        outDir = value;
        return;
      case "--against":
        against = value;
        return;
      case "--policy":
        policy = true;
        return;
      case "--type":
        types.push(value);
        return;
      case "--resource":
        resources.push(value);
        return;
    }
  });
  if (policy && !PLAN_PROJECTS[project].policy) {
    throw new UsageError(`--policy runs the AMS policy pack; it does not apply to --project ${project}.`);
  }
  if (against !== undefined && compare.length > 0) {
    throw new UsageError("--against and --compare each name what to compare with; give one of them.");
  }
  stack ??= PLAN_PROJECTS[project].defaultStack;
  return {
    project,
    stack,
    overrides,
    deployed,
    compare,
    against,
    json,
    outDir,
    help,
    policy,
    selection: { types, resources },
  };
}

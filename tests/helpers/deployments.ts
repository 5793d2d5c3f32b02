import { findResource, Plan } from "../../plan/plan";
import { PLAN_PROJECTS } from "../../plan/projects";
import { programIn, runPlan } from "../../plan/runPlan";
import { parseOverride } from "../../plan/stackConfig";
import { runExclusive } from "./plans";

/** What the deployments project's specs share: its plan, its settings, and Pulumi's path-filter matching. */

export const DIR = PLAN_PROJECTS.deployments.dir;

export const SETTINGS = "pulumiservice:index:DeploymentSettings";

export function planDeployments(...overrides: string[]): Promise<Plan> {
  return runExclusive(() =>
    runPlan({
      stack: "admin",
      projectDir: DIR,
      program: programIn(DIR),
      overrides: overrides.map((text) => parseOverride(text, "--set")),
    }),
  );
}

export interface Settings {
  organization: string;
  project: string;
  stack: string;
  sourceContext: { git: Record<string, unknown> };
  vcs: Record<string, unknown> & { paths: string[] };
  github?: unknown;
  operationContext: {
    preRunCommands: string[];
    environmentVariables: Record<string, string>;
    oidc: { aws: { roleARN: string; sessionName: string; duration: string } };
  };
}

export function settingsOf(plan: Plan, stack: string): Settings {
  return findResource(plan, SETTINGS, `${stack}-settings`).inputs as unknown as Settings;
}

/** Pulumi's path filters: a file matches a glob on its whole path; `!` excludes, and exclusion wins. */
export function globToRegExp(glob: string): RegExp {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*" && glob[i + 1] === "*") {
      source += glob[i + 2] === "/" ? "(?:.*/)?" : ".*";
      i += glob[i + 2] === "/" ? 2 : 1;
    } else if (c === "*") source += "[^/]*";
    else source += c.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

export function triggersDeployment(paths: readonly string[], changedFile: string): boolean {
  const includes = paths.filter((p) => !p.startsWith("!")).map(globToRegExp);
  const excludes = paths.filter((p) => p.startsWith("!")).map((p) => globToRegExp(p.slice(1)));
  const included = includes.length === 0 || includes.some((r) => r.test(changedFile));
  return included && !excludes.some((r) => r.test(changedFile));
}

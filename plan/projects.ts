import * as path from "path";
import { PROJECT_DIR } from "../tools/cli/project";

/** A Pulumi project of this repository that `npm run plan -- --project <name>` can evaluate. */
export interface PlanProject {
  /** Where its `Pulumi.yaml`, stack files and `index.ts` are. */
  readonly dir: string;
  /** The stack planned when `--stack` is not given. */
  readonly defaultStack: string;
  /** Whether `--policy` applies: the policy pack judges AMS resources only. */
  readonly policy: boolean;
}

export const PLAN_PROJECTS: Readonly<Record<string, PlanProject>> = {
  ams: { dir: PROJECT_DIR, defaultStack: "dev", policy: true },
  deployments: { dir: path.join(PROJECT_DIR, "deployments"), defaultStack: "admin", policy: false },
};

export const DEFAULT_PLAN_PROJECT = "ams";

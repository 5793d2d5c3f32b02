import * as fs from "fs";
import * as path from "path";
import { loadProject } from "../plan/projectFiles";
import { PROJECT_DIR } from "./cli/project";
import { amsPolicies } from "../policy/policies";
import {
  configEnvironments,
  packConfigFileName,
  packConfigFor,
  renderPackConfig,
} from "../policy/packConfig";
import { EXIT } from "./cli/exitCodes";
import { Output, runMain } from "./cli/main";
import { renderConfigReference, withConfigReference } from "./configReference";

/**
 * `npm run docs`: regenerates what is derived from a declaration — the README's config reference from
 * Pulumi.yaml, and the policy pack's per-environment config files from the policy list.
 */
async function docs(_argv: readonly string[], out: Output): Promise<number> {
  const readmePath = path.join(PROJECT_DIR, "README.md");
  const readme = fs.readFileSync(readmePath, "utf8");
  const updated = await withConfigReference(readme, renderConfigReference(loadProject()), readmePath);
  fs.writeFileSync(readmePath, updated);
  out.stdout(
    `${updated === readme ? "README config reference is up to date." : "README config reference updated."}\n`,
  );
  for (const environment of configEnvironments(amsPolicies)) {
    const file = path.join(PROJECT_DIR, "policy", packConfigFileName(environment));
    const text = renderPackConfig(packConfigFor(amsPolicies, environment));
    const before = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    if (before !== text) fs.writeFileSync(file, text);
    out.stdout(
      `policy/${packConfigFileName(environment)} ${before === text ? "is up to date" : "updated"}.\n`,
    );
  }
  return EXIT.ok;
}

runMain(docs);

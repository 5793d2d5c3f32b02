import * as fs from "fs";
import * as path from "path";
import { loadProject, PROJECT_DIR } from "../plan/projectFiles";
import { amsPolicies } from "../policy/policies";
import {
  configEnvironments,
  packConfigFileName,
  packConfigFor,
  renderPackConfig,
} from "../policy/packConfig";
import { renderConfigReference, withConfigReference } from "./configReference";

/**
 * `npm run docs`: regenerates what is derived from a declaration — the README's config reference from
 * Pulumi.yaml, and the policy pack's per-environment config files from the policy list.
 */
async function main(): Promise<void> {
  const readmePath = path.join(PROJECT_DIR, "README.md");
  const readme = fs.readFileSync(readmePath, "utf8");
  const updated = await withConfigReference(readme, renderConfigReference(loadProject()), readmePath);
  fs.writeFileSync(readmePath, updated);
  console.log(
    updated === readme ? "README config reference is up to date." : "README config reference updated.",
  );
  for (const environment of configEnvironments(amsPolicies)) {
    const file = path.join(PROJECT_DIR, "policy", packConfigFileName(environment));
    const text = renderPackConfig(packConfigFor(amsPolicies, environment));
    const before = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    if (before !== text) fs.writeFileSync(file, text);
    console.log(
      `policy/${packConfigFileName(environment)} ${before === text ? "is up to date" : "updated"}.`,
    );
  }
}

void main();

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
import { CONFIG_REFERENCE_DOC, renderConfigReference, withConfigReference } from "./configReference";

/**
 * `npm run docs`: regenerates what is derived from a declaration — the config reference from
 * Pulumi.yaml, and the policy pack's per-environment config files from the policy list.
 */
async function docs(_argv: readonly string[], out: Output): Promise<number> {
  const referencePath = path.join(PROJECT_DIR, CONFIG_REFERENCE_DOC);
  const reference = fs.readFileSync(referencePath, "utf8");
  const updated = await withConfigReference(reference, renderConfigReference(loadProject()), referencePath);
  fs.writeFileSync(referencePath, updated);
  out.stdout(`${CONFIG_REFERENCE_DOC} ${updated === reference ? "is up to date" : "updated"}.\n`);
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

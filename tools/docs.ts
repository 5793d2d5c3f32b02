import * as fs from "fs";
import * as path from "path";
import { loadProject, PROJECT_DIR } from "../tests/harness/projectFiles";
import { renderConfigReference, withConfigReference } from "./configReference";

/** `npm run docs`: regenerates the README's config reference from Pulumi.yaml. */
async function main(): Promise<void> {
  const readmePath = path.join(PROJECT_DIR, "README.md");
  const readme = fs.readFileSync(readmePath, "utf8");
  const updated = await withConfigReference(readme, renderConfigReference(loadProject()), readmePath);
  fs.writeFileSync(readmePath, updated);
  console.log(
    updated === readme ? "README config reference is up to date." : "README config reference updated.",
  );
}

void main();

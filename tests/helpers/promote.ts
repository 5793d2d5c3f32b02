import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promoteCommand } from "../../tools/promote/command";
import { PROJECT_DIR } from "../../tools/cli/project";
import { runExclusive, STACKS } from "./plans";

/** What the promote specs share: a scratch copy of the project files and the command run in-process. */

export const APP_COMMIT = `ams-team/ams@${"0123456789abcdef".repeat(2)}01234567`;

/** A copy of the project files (Pulumi.yaml and every committed stack file): promote edits only copies. */
export function copyOfProject(edit: (stack: string, text: string) => string = (_, text) => text): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ams-promote-"));
  fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  for (const stack of STACKS) {
    const text = fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8");
    fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), edit(stack, text));
  }
  return dir;
}

export async function promote(dir: string, ...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const status = await runExclusive(() =>
    promoteCommand(
      [...argv, "--cwd", dir],
      { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) },
      PROJECT_DIR,
    ),
  );
  return { status, stdout, stderr };
}

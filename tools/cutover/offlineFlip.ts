import { execFile } from "child_process";
import * as path from "path";
import { promisify } from "util";
import { stackFileName } from "../cli/flags";
import { ExpectedChange, ExpectedFlip } from "./ports";

const run = promisify(execFile);

/**
 * What a flip changes, from the offline plan of the checkout being deployed: `npm run plan -- --stack <s>
 * --compare activeColor=<to> --json` (the contract of docs/offline-plan.md), run as its own process so the
 * mocked Pulumi runtime never shares a process with the Automation API.
 */
export function offlineFlipChanges(workDir: string, stack: string): ExpectedFlip {
  return async (to) => {
    const args = [
      "--require",
      "tsx/cjs",
      path.join(workDir, "plan", "cli.ts"),
      "--stack",
      stackFileName(stack),
      "--compare",
      `activeColor=${to}`,
      "--json",
    ];
    const { stdout } = await run(process.execPath, args, {
      cwd: workDir,
      timeout: 300_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    const { changes } = JSON.parse(stdout) as { changes: ExpectedChange[] };
    return changes.map(({ urn, op }) => ({ urn, op }));
  };
}

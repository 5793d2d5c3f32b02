import * as path from "path";
import { doraCommand, DoraDependencies } from "../../tools/dora/command";
import { CommitTimeLookup } from "../../tools/dora/git";
import { readStackHistory } from "../../tools/dora/automation";
import { PROJECT_DIR } from "../../tools/cli/project";

/** What the DORA specs share: the fixture histories, the commit dates behind them, and the command in-process. */

export const FIXTURES = path.join(PROJECT_DIR, "tests", "fixtures", "dora");
export const fixture = (name: string) => path.join(FIXTURES, name);

// Every fixture is read with --now 2024-05-31T00:00:00Z --since 30d: the window is May 1 00:00 to May 31 00:00 UTC.
export const NOW = new Date("2024-05-31T00:00:00Z");
export const THIRTY_DAYS = 30 * 86_400_000;
export const MINUTE = 60_000;

/** The commits of typical.json, dated by hand (author dates). 1a… was deployed before the window. */
export const COMMIT_TIMES: Record<string, string> = {
  ["1a".repeat(20)]: "2024-04-27T12:00:00Z",
  ["2b".repeat(20)]: "2024-05-01T16:10:00Z",
  ["3c".repeat(20)]: "2024-05-08T10:00:00Z",
  ["4d".repeat(20)]: "2024-05-08T11:45:00Z",
  ["5e".repeat(20)]: "2024-05-19T09:10:00Z",
};
export const knownCommits: CommitTimeLookup = (sha) =>
  COMMIT_TIMES[sha] === undefined ? undefined : new Date(COMMIT_TIMES[sha]);

/** `npm run dora -- <argv>` in-process, at the fixtures' clock and commit dates unless overridden. */
export async function runDora(
  argv: string[],
  overrides: Partial<DoraDependencies> = {},
): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const status = await doraCommand(
    argv,
    { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) },
    {
      clock: () => NOW,
      stackHistory: readStackHistory,
      commitTimes: () => knownCommits,
      projectDir: PROJECT_DIR,
      ...overrides,
    },
  );
  return { status, stdout, stderr };
}

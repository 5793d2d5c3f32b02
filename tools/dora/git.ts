import { spawnSync } from "child_process";

/** When a commit was made, or undefined when it is unknown here. */
export type CommitTimeLookup = (sha: string) => Date | undefined;

/**
 * Pulumi records the deployed commit (`git.head`) but not its time, so the time comes from a local clone:
 * `git show -s --format=%aI <sha>` — the author date, i.e. when the change was written, which survives
 * rebases and merges (the committer date would measure from the merge instead). Local only, no fetch.
 */
export function gitCommitTimes(repoDir: string): CommitTimeLookup {
  const cache = new Map<string, Date | undefined>();
  return (sha) => {
    if (!/^[0-9a-f]{7,64}$/i.test(sha)) return undefined;
    if (!cache.has(sha)) cache.set(sha, lookUp(repoDir, sha));
    return cache.get(sha);
  };
}

function lookUp(repoDir: string, sha: string): Date | undefined {
  const result = spawnSync("git", ["show", "-s", "--format=%aI", `${sha}^{commit}`], {
    cwd: repoDir,
    encoding: "utf8",
    timeout: 10_000,
  });
  if (result.status !== 0) return undefined;
  const date = new Date(result.stdout.trim());
  return Number.isNaN(date.getTime()) ? undefined : date;
}

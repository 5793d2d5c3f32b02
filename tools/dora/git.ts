import { spawnSync } from "child_process";
import { PROMOTION_TRAILERS } from "../promote/trailers";
import { parseInstant } from "../cli/time";

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

/** The application commit a promotion carried (`npm run promote`'s trailers), for lead time. */
export interface PromotedAppCommit {
  /** `owner/name@sha` of the application commit. */
  readonly commit: string;
  /** Its author time; undefined when the trailer is not an RFC 3339 time. */
  readonly committedAt: Date | undefined;
}

/**
 * The newest promotion of one stack among the commits a deployment brought: those reachable from `head` and
 * not from `since` (the head of the stack's previous succeeded deployment; without one, what `head` itself
 * brought — for a merge commit, the merged side).
 */
export type PromotionLookup = (head: string, since: string | undefined) => PromotedAppCommit | undefined;

const SHA = /^[0-9a-f]{7,64}$/i;
const FIELD = "%x1f";
const VALUES = "valueonly,separator=%x1d";

/**
 * Reads the promotion trailers (`tools/promote/trailers.ts`) of this repository's history with Git's own
 * trailer parser (`%(trailers:key=…)` of `git log --format`, https://git-scm.com/docs/pretty-formats), so a
 * promotion is recognised however it was merged. `stack` may be `org/project/stack`: trailers name the stack.
 */
export function gitPromotions(repoDir: string, stack: string): PromotionLookup {
  const name = stack.split("/").pop() ?? stack;
  const cache = new Map<string, PromotedAppCommit | undefined>();
  return (head, since) => {
    if (!SHA.test(head) || (since !== undefined && !SHA.test(since))) return undefined;
    const key = `${since ?? ""}..${head}`;
    if (!cache.has(key)) cache.set(key, newestPromotion(repoDir, name, head, since));
    return cache.get(key);
  };
}

function newestPromotion(
  repoDir: string,
  stack: string,
  head: string,
  since: string | undefined,
): PromotedAppCommit | undefined {
  const base = since ?? firstParent(repoDir, head);
  const range = base === undefined ? [head, "--max-count=1"] : [head, "--not", base];
  const trailer = (key: string) => `%(trailers:key=${key},${VALUES})`;
  const format = [
    trailer(PROMOTION_TRAILERS.stack),
    trailer(PROMOTION_TRAILERS.appCommit),
    trailer(PROMOTION_TRAILERS.appCommitTime),
  ].join(FIELD);
  const result = spawnSync("git", ["log", `--format=${format}%x1e`, ...range, "--"], {
    cwd: repoDir,
    encoding: "utf8",
    timeout: 10_000,
  });
  if (result.status !== 0) return undefined;
  for (const record of result.stdout.split("\x1e")) {
    const [stacks, commits, times] = record
      .trim()
      .split("\x1f")
      .map((field) => field.split("\x1d")[0]?.trim() ?? "");
    if (stacks !== stack || !commits) continue;
    return { commit: commits, committedAt: parseInstant(times ?? "") };
  }
  return undefined;
}

function firstParent(repoDir: string, head: string): string | undefined {
  const result = spawnSync("git", ["rev-parse", "--verify", "--quiet", `${head}^1`], {
    cwd: repoDir,
    encoding: "utf8",
    timeout: 10_000,
  });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

import { execFile } from "child_process";
import { promisify } from "util";
import { CheckoutPort } from "./ports";

const run = promisify(execFile);

/**
 * The Git checkout a `pulumi up` from `dir` deploys. Clean means what Pulumi itself records as
 * `git.dirty: false`: `git status --porcelain` prints nothing (pulumi/pulumi pkg/cmd/pulumi/metadata/
 * metadata.go, isGitWorkTreeDirty) — untracked files included, since the program would load them too.
 */
export function gitCheckout(dir: string): CheckoutPort {
  const git = async (...args: string[]) => (await run("git", args, { cwd: dir, timeout: 30_000 })).stdout;
  return {
    head: async () => (await git("rev-parse", "HEAD")).trim(),
    changes: async () =>
      (await git("status", "--porcelain", "-z"))
        .split("\0")
        .filter((entry) => entry !== "")
        .map((entry) => entry.slice(3)),
  };
}

import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** Runs `git` in one repository, with a fixed committer, and returns its trimmed output. */
export type Git = (...args: string[]) => string;

/** Gives `work` a fresh Git repository (its directory and a `git` runner) and removes it afterwards. */
export function withGitRepo<T>(work: (repo: string, git: Git) => T): T {
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), "ams-git-"));
  const git: Git = (...args) =>
    execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
      encoding: "utf8",
    }).trim();
  try {
    git("init", "-q", "-b", "main");
    return work(repo, git);
  } finally {
    fs.rmSync(repo, { recursive: true, force: true });
  }
}

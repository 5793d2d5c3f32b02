import { formatInstant } from "../cli/time";
import { UsageError } from "../cli/usageError";

/**
 * The commit message of a promotion is a contract with `npm run dora`: its Git trailers name the stack, the
 * version and the application commit the image was built from, with that commit's author time. Pulumi keeps
 * only a commit's first line as the update message (`gitCommitTitle` in
 * https://github.com/pulumi/pulumi/blob/master/pkg/cmd/pulumi/metadata/metadata.go) and `git.head` in the
 * update's environment, so the report reads the trailers from a clone of this repository, by `git.head`.
 * Trailers survive every merge method: a merge commit brings the commit in, a rebase or squash of a
 * one-commit pull request keeps its message, and the pull request's body ends with the same lines for a
 * squash configured to use the body.
 */
export const PROMOTION_TRAILERS = {
  stack: "AMS-Stack",
  version: "AMS-Version",
  appCommit: "AMS-App-Commit",
  appCommitTime: "AMS-App-Commit-Time",
} as const;

/** The application commit an image was built from. */
export interface AppCommit {
  /** `owner/name` of the application repository. */
  readonly repository: string;
  /** Full 40-hex commit id. */
  readonly sha: string;
  /** Author time: when the change was written, which rebases and merges keep. */
  readonly time: Date;
}

/** `owner/name@sha`, how reports and trailers name an application commit. */
export function appCommitRef(commit: Pick<AppCommit, "repository" | "sha">): string {
  return `${commit.repository}@${commit.sha}`;
}

const APP_COMMIT = /^([A-Za-z0-9-]+\/[A-Za-z0-9_.-]+)@([0-9a-f]{40})$/;

/** Reads `owner/name@<40 hex>`; anything else is a `UsageError` naming the flag. */
export function parseAppCommit(text: string, time: Date): AppCommit {
  const match = APP_COMMIT.exec(text);
  if (!match)
    throw new UsageError(
      `--app-commit "${text}" is not a commit reference; allowed: owner/name@<40-hex commit id>, ` +
        "e.g. ams-team/ams@$GITHUB_SHA.",
    );
  return { repository: match[1], sha: match[2], time };
}

/** What a promotion changes, in the terms of the stack file. */
export interface PromotionChange {
  readonly stack: string;
  /** The config key set, without the project prefix (`greenVersion`). */
  readonly key: string;
  /** The value before; undefined when the file did not set the key. */
  readonly from: string | undefined;
  readonly version: string;
  /** One sentence: what deploying the change does (which color, whether traffic moves). */
  readonly effect: string;
}

/**
 * Subject, a body that says what deploying the change does, and the trailers (`git interpret-trailers`
 * format: the last paragraph, one `Key: value` per line).
 */
export function promotionMessage(change: PromotionChange, app: AppCommit | undefined): string {
  const before = change.from === undefined ? "unset" : change.from;
  const body = [
    ...wrap(
      `Sets ${change.key} ${before} → ${change.version} in Pulumi.${change.stack}.yaml. ${change.effect}`,
    ),
    ...(app === undefined
      ? []
      : ["", ...wrap(`Built from ${appCommitRef(app)}, written ${formatInstant(app.time)}.`)]),
  ];
  return [
    `promote(${change.stack}): ${change.key} ${change.version}`,
    "",
    ...body,
    "",
    ...promotionTrailers(change, app),
    "",
  ].join("\n");
}

/** The trailer lines alone: the end of the commit message and of the pull request's body. */
export function promotionTrailers(
  change: Pick<PromotionChange, "stack" | "version">,
  app: AppCommit | undefined,
): string[] {
  return [
    `${PROMOTION_TRAILERS.stack}: ${change.stack}`,
    `${PROMOTION_TRAILERS.version}: ${change.version}`,
    ...(app === undefined
      ? []
      : [
          `${PROMOTION_TRAILERS.appCommit}: ${appCommitRef(app)}`,
          `${PROMOTION_TRAILERS.appCommitTime}: ${formatInstant(app.time)}`,
        ]),
  ];
}

/** Commit message body lines of at most 72 characters (a word longer than that keeps its own line). */
function wrap(text: string, width = 72): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((part) => part !== "")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}

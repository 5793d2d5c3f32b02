import * as path from "path";
import { helpRequested, stackFlag, walkFlags } from "../cli/flags";
import { Color, COLORS } from "../../config/types";
import { isColor } from "../../config/release";
import { UsageError } from "../cli/usageError";
import { parseInstant } from "../cli/time";
import { AppCommit, parseAppCommit } from "./trailers";

export interface PromoteFlags {
  /** A stack of this repository: its `Pulumi.<stack>.yaml` is edited. */
  readonly stack: string;
  /** The image tag to deploy (checked by the program's own config validation, not here). */
  readonly version: string;
  /** Blue-green only: the color to give the version; default the idle one. */
  readonly color: Color | undefined;
  /** `pulumi stack output --json` of the stack: the applied state the guard rails judge against. */
  readonly deployedFile: string | undefined;
  /** The application commit the image was built from, carried into the commit message (DORA lead time). */
  readonly appCommit: AppCommit | undefined;
  /** Where to write the commit message of the change; none without the flag. */
  readonly messageFile: string | undefined;
  /** Check and print the plan, but leave the stack file as it is. */
  readonly dryRun: boolean;
  /** The Pulumi project directory (holds Pulumi.yaml and the stack files). */
  readonly workDir: string;
}

export const PROMOTE_USAGE = `Usage: npm run promote -- --stack <name> --version <tag> [--color <blue|green>] [--deployed <outputs.json>]
         [--app-commit <owner/repo@sha> --app-commit-time <RFC 3339>] [--message-file <file>] [--dry-run] [--cwd <dir>]

  --stack <name>            stack whose Pulumi.<name>.yaml gets the version (dev, staging, prod)
  --version <tag>           the image tag to deploy, e.g. 1.5.0
  --color <color>           blueGreen only: give the version to this color (default: the idle color); naming the
                            live color is refused unless the stack sets allowLiveUpdate
  --deployed <file>         the stack's applied outputs (pulumi stack output --json): judge against them instead of
                            taking the committed stack file as what is deployed
  --app-commit <repo@sha>   the application commit the image was built from (e.g. ams-team/ams@<40 hex>)
  --app-commit-time <time>  its author time, e.g. 2024-05-20T10:00:00Z; both app flags or neither
  --message-file <file>     write the commit message of the change there (trailers carry the app commit)
  --dry-run                 check and print the plan of the change; leave the stack file untouched
  --cwd <dir>               the Pulumi project directory (default: this repository)`;

/** Parses `npm run promote` arguments; throws `UsageError` (exit 2) before anything is read. */
export function parsePromoteFlags(argv: readonly string[], defaultWorkDir: string): PromoteFlags | "help" {
  if (helpRequested(argv)) return "help";
  let stack: string | undefined;
  let version: string | undefined;
  let color: Color | undefined;
  let deployedFile: string | undefined;
  let appCommitRef: string | undefined;
  let appCommitTime: Date | undefined;
  let messageFile: string | undefined;
  let dryRun = false;
  let workDir = defaultWorkDir;
  const known = {
    valued: [
      "--stack",
      "--version",
      "--color",
      "--deployed",
      "--app-commit",
      "--app-commit-time",
      "--message-file",
      "--cwd",
    ],
    booleans: ["--dry-run"],
  };
  walkFlags(argv, PROMOTE_USAGE, known, (flag, value) => {
    switch (flag) {
      case "--stack":
        stack = value;
        return;
      case "--version":
        // Only emptiness is a usage error: whether a tag is valid is the program's config rule, and the
        // refusal quotes it (exit 4), exactly as `pulumi up` would.
        if (value.trim() === "")
          throw new UsageError(
            `--version "${value}" is empty; allowed: the image tag to deploy, e.g. 1.5.0.`,
          );
        version = value;
        return;
      case "--color":
        if (!isColor(value))
          throw new UsageError(`--color "${value}" is not a color; allowed: ${COLORS.join(", ")}.`);
        color = value;
        return;
      case "--deployed":
        deployedFile = value;
        return;
      case "--app-commit":
        appCommitRef = value;
        return;
      case "--app-commit-time":
        appCommitTime = parseInstant(value);
        if (appCommitTime === undefined)
          throw new UsageError(
            `--app-commit-time "${value}" is not an RFC 3339 time; allowed: e.g. 2024-05-20T10:00:00Z (git show -s --format=%aI).`,
          );
        return;
      case "--message-file":
        messageFile = path.resolve(value);
        return;
      case "--dry-run":
        dryRun = true;
        return;
      case "--cwd":
        workDir = path.resolve(value);
        return;
    }
  });
  const name = stackFlag(stack, PROMOTE_USAGE);
  if (version === undefined)
    throw new UsageError(`--version is required (the image tag to deploy).\n${PROMOTE_USAGE}`);
  if ((appCommitRef === undefined) !== (appCommitTime === undefined))
    throw new UsageError(
      "--app-commit and --app-commit-time go together: the commit and its author time make the DORA lead time.",
    );
  const appCommit =
    appCommitRef === undefined ? undefined : parseAppCommit(appCommitRef, appCommitTime as Date);
  return { stack: name, version, color, deployedFile, appCommit, messageFile, dryRun, workDir };
}

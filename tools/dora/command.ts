import * as fs from "fs";
import { describePulumiError } from "../cli/pulumiStack";
import { readStackHistory, StackHistoryOptions } from "./automation";
import { parseDoraArgs, USAGE } from "./cli";
import { CommitTimeLookup, gitCommitTimes, gitPromotions, PromotionLookup } from "./git";
import { readHistoryFile } from "./historyFile";
import { renderJson } from "./json";
import { renderMarkdown } from "./markdown";
import { computeDora } from "./metrics";
import { DoraSourceError, UpdateRecord } from "./model";
import { EXIT } from "../cli/exitCodes";
import { Output } from "../cli/main";
import { PROJECT_DIR } from "../cli/project";
import { UsageError } from "../cli/usageError";
import { Report } from "./report";
import { renderSvg } from "./svg";

/** What the command reaches outside itself for; tests replace them. */
export interface DoraDependencies {
  readonly clock: () => Date;
  readonly stackHistory: (options: StackHistoryOptions) => Promise<UpdateRecord[]>;
  readonly commitTimes: (repoDir: string) => CommitTimeLookup;
  /** Promotions of the stack in that clone (`npm run promote`'s trailers); without it, `git.head` only. */
  readonly promotions?: (repoDir: string, stack: string) => PromotionLookup;
  /** The Pulumi project directory: the Automation API's workDir and the default Git clone. */
  readonly projectDir: string;
}

export const DEFAULT_DEPENDENCIES: DoraDependencies = {
  clock: () => new Date(),
  stackHistory: readStackHistory,
  commitTimes: gitCommitTimes,
  promotions: gitPromotions,
  projectDir: PROJECT_DIR,
};

/**
 * `npm run dora`: deployment frequency, change failure rate, time to restore and lead time of one stack.
 * Returns the exit code: 0 report printed; 2 bad flags or a malformed history file; 1 anything else.
 */
export async function doraCommand(
  argv: readonly string[],
  out: Output,
  dependencies: DoraDependencies = DEFAULT_DEPENDENCIES,
): Promise<number> {
  try {
    return await run(argv, out, dependencies);
  } catch (err) {
    if (err instanceof UsageError) {
      out.stderr(`${err.message}\n`);
      return EXIT.usage;
    }
    if (err instanceof DoraSourceError) {
      out.stderr(`${err.message}\n`);
      return EXIT.failed;
    }
    out.stderr(`dora failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT.failed;
  }
}

async function run(argv: readonly string[], out: Output, dependencies: DoraDependencies): Promise<number> {
  const args = parseDoraArgs(argv, dependencies.clock);
  if (args.help) {
    out.stdout(`${USAGE}\n`);
    return EXIT.ok;
  }
  const repo = args.repo ?? dependencies.projectDir;
  if (!fs.existsSync(repo) || !fs.statSync(repo).isDirectory())
    throw new UsageError(
      `--repo "${repo}" is not a directory; give the path of a Git clone of this repository.`,
    );

  const updates =
    args.history !== undefined
      ? readHistoryFile(args.history)
      : await fromPulumi(dependencies, args.stack, new Date(args.now.getTime() - args.windowMs));
  const metrics = computeDora({
    updates,
    now: args.now,
    windowMs: args.windowMs,
    commitTime: dependencies.commitTimes(repo),
    promotions: dependencies.promotions?.(repo, args.stack),
  });
  const report: Report = {
    metrics,
    context: {
      stack: args.stack,
      source: args.history !== undefined ? `\`${args.history}\`` : "the Pulumi CLI (`pulumi stack history`)",
      chart: args.svg,
    },
  };
  if (args.svg !== undefined) writeChart(args.svg, renderSvg(report));
  out.stdout(args.json ? renderJson(report) : renderMarkdown(report));
  return EXIT.ok;
}

async function fromPulumi(
  dependencies: DoraDependencies,
  stack: string,
  notBefore: Date,
): Promise<UpdateRecord[]> {
  try {
    return await dependencies.stackHistory({ stackName: stack, workDir: dependencies.projectDir, notBefore });
  } catch (err) {
    // Not a bug of ours: no CLI, not logged in, no such stack. Say how to work around it.
    throw new DoraSourceError(
      `Could not read the history of stack "${stack}" through the Pulumi CLI: ` +
        `${describePulumiError(err, stack).replace(/\s*\n\s*/g, " ")} ` +
        `Or pass --history with the output of \`pulumi stack history --stack ${stack} --json --page-size 1000\`.`,
      { cause: err },
    );
  }
}

function writeChart(file: string, svg: string): void {
  try {
    fs.writeFileSync(file, svg);
  } catch (err) {
    throw new UsageError(
      `--svg "${file}" cannot be written (${err instanceof Error ? err.message : String(err)}).`,
    );
  }
}

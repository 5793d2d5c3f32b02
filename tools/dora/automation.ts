import { UpdateSummary } from "@pulumi/pulumi/automation";
import { openStack } from "../cli/pulumiStack";
import { featureFlagsOf } from "./flagChanges";
import { activeColorOf } from "../../release/history";
import { UPDATE_RESULTS, UpdateRecord, UpdateResult } from "./model";

/** The one Automation API call the report needs; a `Stack` is one. */
export interface HistoryPages {
  history(pageSize: number, page: number, showSecrets: boolean): Promise<UpdateSummary[]>;
}

export interface StackHistoryOptions {
  readonly stackName: string;
  /** The Pulumi project directory (holds Pulumi.yaml). */
  readonly workDir: string;
  /** Pages are read until one reaches back before this instant (the window start). */
  readonly notBefore: Date;
  readonly pageSize?: number;
}

/**
 * The stack's history through the Automation API, which runs `pulumi stack history --json` for us. The
 * stack is opened without `pulumi stack select`, so the operator's selected stack stays what it was.
 */
export async function readStackHistory(options: StackHistoryOptions): Promise<UpdateRecord[]> {
  const stack = await openStack({ stackName: options.stackName, workDir: options.workDir });
  const summaries = await collectPages(stack, options.notBefore, options.pageSize ?? 100);
  return summaries.map(fromUpdateSummary);
}

// The CLI returns 10 updates unless asked for a page size, newest first; a month of a busy stack is more.
const MAX_PAGES = 50;

/**
 * Reads pages until one is short (the history's end) or reaches back before `notBefore`, so the window and
 * the update just before it (whose failure a rollback in the window may undo) are covered.
 */
export async function collectPages(
  source: HistoryPages,
  notBefore: Date,
  pageSize: number,
): Promise<UpdateSummary[]> {
  const all: UpdateSummary[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    // showSecrets=false: the Automation API would otherwise decrypt every secret config value for nothing.
    const entries = await source.history(pageSize, page, false);
    all.push(...entries);
    const reachedBack = entries.some((entry) => entry.startTime < notBefore);
    if (entries.length < pageSize || reachedBack) break;
  }
  return all;
}

/** Maps one Automation API summary (times already parsed into `Date`s) into the report's model. */
export function fromUpdateSummary(summary: UpdateSummary): UpdateRecord {
  const result: UpdateResult = (UPDATE_RESULTS as readonly string[]).includes(summary.result)
    ? summary.result
    : "in-progress";
  const finished = result === "succeeded" || result === "failed";
  const end =
    summary.endTime instanceof Date && !Number.isNaN(summary.endTime.getTime()) ? summary.endTime : undefined;
  if (!(summary.startTime instanceof Date) || Number.isNaN(summary.startTime.getTime()))
    throw new Error(`Automation API returned update version ${summary.version} without a valid startTime.`);
  if (finished && end === undefined)
    throw new Error(
      `Automation API returned ${result} update version ${summary.version} without an endTime.`,
    );
  const head = summary.environment?.["git.head"];
  const featureFlags = featureFlagsOf(summary.config);
  return {
    version: summary.version,
    kind: summary.kind,
    result,
    start: summary.startTime,
    end: finished ? end : undefined,
    message: summary.message ?? "",
    gitHead: typeof head === "string" && head !== "" ? head : undefined,
    activeColor: activeColorOf(summary.config),
    ...(featureFlags === undefined ? {} : { featureFlags }),
  };
}

import * as fs from "fs";
import { otherColor, versionKey } from "../../config/release";
import { PreviousRelease, readPreviousRelease } from "../../release/outputs";
import { ConfigOverride } from "../../plan/stackConfig";
import { UsageError } from "../cli/usageError";

/**
 * The stack's applied release, read from `pulumi stack output --json` (the outputs `index.ts` records once
 * an update applied the release): what the program's guard rails judge the next update against
 * (`lastRecordedRelease`, through the same reader). A stack that was never deployed has none of them, and nothing to protect.
 */
export function readDeployedOutputs(file: string): PreviousRelease {
  let document: unknown;
  try {
    document = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new UsageError(
      `--deployed "${file}" cannot be read as JSON (${err instanceof Error ? err.message : String(err)}); ` +
        "allowed: the output of `pulumi stack output --json --stack <name>`.",
    );
  }
  if (typeof document !== "object" || document === null || Array.isArray(document))
    throw new UsageError(`--deployed "${file}" must hold the JSON object of \`pulumi stack output --json\`.`);
  const read = readPreviousRelease(document as Record<string, unknown>);
  if (!read.ok) throw new UsageError(`--deployed "${file}": ${read.problems.join("; ")}.`);
  return read.release;
}

/**
 * The applied release as `--set`-style overrides on the stack file: how the offline plan (`runPlan`'s
 * `deployed`) is told what the last update applied, so its guard rails judge the change as the real
 * `pulumi up` would.
 */
export function deployedOverrides(previous: PreviousRelease): ConfigOverride[] {
  const overrides: ConfigOverride[] = [];
  if (previous.strategy !== undefined) overrides.push({ key: "strategy", value: previous.strategy });
  if (previous.activeColor !== undefined) {
    overrides.push({ key: "activeColor", value: previous.activeColor });
    if (previous.activeVersion !== undefined)
      overrides.push({ key: versionKey(previous.activeColor), value: previous.activeVersion });
    if (previous.idleVersion !== undefined)
      overrides.push({ key: versionKey(otherColor(previous.activeColor)), value: previous.idleVersion });
  }
  return overrides;
}

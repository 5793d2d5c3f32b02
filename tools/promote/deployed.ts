import * as fs from "fs";
import { otherColor, versionKey } from "../../config/release";
import { STRATEGIES, Strategy } from "../../config/types";
import { PreviousRelease } from "../../components/delivery/liveUpdateGuard";
import { ConfigOverride } from "../../plan/stackConfig";
import { isColor } from "../cutover/color";
import { UsageError } from "../cli/usageError";

/**
 * The stack's applied release, read from `pulumi stack output --json` (the outputs `index.ts` records once
 * an update applied the release): what the program's guard rails judge the next update against
 * (`readPreviousRelease`). A stack that was never deployed has none of them, and nothing to protect.
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
  const outputs = document as Record<string, unknown>;
  const field = <T>(name: string, valid: (value: unknown) => value is T, allowed: string): T | undefined => {
    const value = outputs[name];
    if (value === undefined) return undefined;
    if (!valid(value))
      throw new UsageError(
        `--deployed "${file}": output ${name} is ${JSON.stringify(value)}; allowed: ${allowed}.`,
      );
    return value;
  };
  const isString = (value: unknown): value is string => typeof value === "string";
  const isStrategy = (value: unknown): value is Strategy =>
    (STRATEGIES as readonly unknown[]).includes(value);
  return {
    strategy: field("strategy", isStrategy, STRATEGIES.join(", ")),
    activeColor: field("activeColor", isColor, "blue or green"),
    activeVersion: field("activeVersion", isString, "an image tag"),
    idleVersion: field("idleVersion", isString, 'an image tag or ""'),
    lastSwitchTime: field("lastSwitchTime", isString, "an RFC 3339 time"),
  };
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

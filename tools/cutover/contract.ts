import { IDLE_COLOR_POLICIES, IdleColorPolicy } from "../../config/types";
import { Color, isColor } from "./color";
import { ProbeTarget } from "./ports";

/** The stack outputs the cut-over reads (the contract with index.ts), validated. */
export interface ReleaseOutputs {
  readonly strategy: string;
  readonly activeColor: Color;
  readonly idleColor: Color;
  readonly activeVersion: string;
  /** "" when the idle color has no version. */
  readonly idleVersion: string;
  readonly region: string;
  readonly idleColorPolicy: IdleColorPolicy;
  readonly previewProbe: ProbeTarget;
  readonly cutoverAlarmNames: readonly string[];
}

export type ReadResult =
  | { readonly ok: true; readonly release: ReleaseOutputs }
  | { readonly ok: false; readonly problems: readonly string[] };

function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === "string")
  );
}

/**
 * Reads the release outputs. A stack that does not export them was last updated by an older program (or
 * is not blue-green): every missing or malformed output is named, so the operator knows what to run first.
 */
export function readRelease(outputs: Record<string, unknown>): ReadResult {
  const problems: string[] = [];
  const text = (key: string): string => {
    const value = outputs[key];
    if (typeof value !== "string") {
      problems.push(`stack output "${key}" is ${value === undefined ? "missing" : "not a string"}`);
      return "";
    }
    return value;
  };
  const strategy = text("strategy");
  if (problems.length === 0 && strategy !== "blueGreen")
    return { ok: false, problems: [`strategy is "${strategy}"; cut-over and rollback need "blueGreen"`] };
  const color = (key: string): Color => {
    const value = text(key);
    if (value !== "" && !isColor(value))
      problems.push(`stack output "${key}" is "${value}", not blue or green`);
    return isColor(value) ? value : "blue";
  };
  const activeColor = color("activeColor");
  const idleColor = color("idleColor");
  const activeVersion = text("activeVersion");
  const idleVersion = text("idleVersion");
  const region = text("region");
  const policy = text("idleColorPolicy");
  const isPolicy = (value: string): value is IdleColorPolicy =>
    (IDLE_COLOR_POLICIES as readonly string[]).includes(value);
  if (policy !== "" && !isPolicy(policy))
    problems.push(`stack output "idleColorPolicy" is "${policy}", not ${IDLE_COLOR_POLICIES.join(" or ")}`);
  const probe = outputs.previewProbe as { url?: unknown; headers?: unknown } | undefined;
  if (typeof probe?.url !== "string" || !isStringRecord(probe.headers ?? {}))
    problems.push(`stack output "previewProbe" is missing or not { url, headers }`);
  const names = outputs.cutoverAlarmNames;
  if (!Array.isArray(names) || !names.every((n) => typeof n === "string"))
    problems.push(`stack output "cutoverAlarmNames" is missing or not a list of names`);
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    release: {
      strategy,
      activeColor,
      idleColor,
      activeVersion,
      idleVersion,
      region,
      idleColorPolicy: policy as IdleColorPolicy,
      previewProbe: { url: probe?.url as string, headers: (probe?.headers ?? {}) as Record<string, string> },
      cutoverAlarmNames: names as string[],
    },
  };
}

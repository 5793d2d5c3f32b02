import * as pulumi from "@pulumi/pulumi";
import { FlagType } from "../config/featureFlags";
import { isColor } from "../config/release";
import {
  AmsConfig,
  Color,
  IDLE_COLOR_POLICIES,
  IdleColorPolicy,
  STRATEGIES,
  Strategy,
} from "../config/types";
import { ReleaseState } from "./state";

/**
 * The release contract: the stack outputs every `pulumi up` records about the release, by name and type.
 * `index.ts` writes them with `releaseOutputs`; everyone who reads them back goes through the readers
 * below — the program's own guard rails (`readPreviousRelease`, the next update judged against the last),
 * the cut-over and rollback (`readCutoverRelease`), `npm run promote` (a `--deployed` outputs file), the
 * offline plan (which stands in for the last update's outputs) and the fake Pulumi CLI of the specs.
 */

/** A feature flag's state as the outputs record it (`featureFlags.<name>`), and as the next update reads it. */
export interface FlagState {
  readonly type: FlagType;
  readonly enabled: boolean;
  /** `null` when Unleash had no rollout strategy for the flag at the last refresh. */
  readonly rolloutPercentage: number | null;
  readonly stickiness: string | null;
  readonly impressionData: boolean;
}

/** The previous update's flag states by name; `undefined` before the first update that recorded them. */
export type PreviousFlagStates = Readonly<Record<string, FlagState>> | undefined;

/** How a caller outside the cluster reaches the idle color (through the preview route). */
export interface ProbeTarget {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** The release as an update records it once applied: what the next update's guard rails compare with. */
export interface RecordedRelease {
  readonly strategy: Strategy;
  readonly activeColor: Color;
  readonly activeVersion: string;
  readonly idleColor: Color;
  /** "" while the idle color has never been given a version. */
  readonly idleVersion: string;
  /** Percent of public traffic per color; always sums to 100. */
  readonly weights: Readonly<Record<Color, number>>;
}

/** The release state in the outputs' terms (the idle color's missing version is ""). */
export function recordedRelease(release: ReleaseState): RecordedRelease {
  return {
    strategy: release.strategy,
    activeColor: release.activeColor,
    activeVersion: release.activeVersion,
    idleColor: release.idleColor,
    idleVersion: release.idleVersion ?? "",
    weights: release.weights,
  };
}

/** What `index.ts` hands `releaseOutputs`. */
export interface ReleaseOutputArgs<FlagService> {
  readonly release: ReleaseState;
  readonly previous: PreviousRelease;
  /** The update's start: the switch time of an update that moves traffic. */
  readonly now: Date;
  /** Resolves once the release is applied; the release outputs wait for it. */
  readonly settled: pulumi.Output<unknown>;
  readonly config: Pick<AmsConfig, "delivery" | "release">;
  /** Where testers and the cut-over's health probe reach the idle color. */
  readonly preview: { readonly url: string; readonly probe: ProbeTarget };
  /** Alarms a traffic switch is judged by. */
  readonly cutoverAlarmNames: readonly string[];
  readonly featureFlagService: FlagService;
  readonly featureFlags: pulumi.Output<Record<string, FlagState>>;
}

/**
 * The release outputs of one update, in the order `pulumi stack output` lists them. What the release
 * declares is recorded only once it is applied (`settled`): the guard rails of the next update read these,
 * and must not mistake a failed flip for a done one.
 */
export function releaseOutputs<FlagService>(args: ReleaseOutputArgs<FlagService>) {
  const recorded = recordedRelease(args.release);
  const afterRelease = <T>(value: T) => args.settled.apply(() => value);
  return {
    strategy: afterRelease(recorded.strategy),
    activeColor: afterRelease(recorded.activeColor),
    activeVersion: afterRelease(recorded.activeVersion),
    idleColor: afterRelease(recorded.idleColor),
    idleVersion: afterRelease(recorded.idleVersion),
    weights: afterRelease(recorded.weights),
    previewUrl: args.preview.url,
    lastSwitchTime: afterRelease(lastSwitchTime(args.previous, recorded.activeColor, args.now)),
    allowLiveUpdate: args.config.delivery.allowLiveUpdate,
    // What `npm run cutover` reads: how to reach the idle color, and the alarms a switch is judged by.
    idleColorPolicy: args.config.release.idleColorPolicy,
    previewProbe: args.preview.probe,
    cutoverAlarmNames: args.cutoverAlarmNames,
    // Flag state beside the release state: what incident reviews and the next update's exposure guard read.
    featureFlagService: args.featureFlagService,
    featureFlags: args.featureFlags,
  };
}

/** The outputs `releaseOutputs` writes, by name: every key a reader may look up. */
export type ReleaseOutputs = ReturnType<typeof releaseOutputs>;
export type ReleaseOutputName = keyof ReleaseOutputs;

/** When traffic last moved: now if this update flips, else whatever the previous update recorded. */
export function lastSwitchTime(previous: PreviousRelease, activeColor: Color, now: Date): string {
  return previous.activeColor !== undefined && previous.activeColor === activeColor
    ? (previous.lastSwitchTime ?? "")
    : now.toISOString();
}

/**
 * What the previous `pulumi up` of a stack recorded, as the next update's guard rails read it. Every field is
 * optional: a stack's first update has none, and one last updated by an older program lacks the newer ones.
 */
export interface PreviousRelease {
  readonly strategy?: Strategy;
  readonly activeColor?: Color;
  readonly activeVersion?: string;
  readonly idleVersion?: string;
  readonly lastSwitchTime?: string;
  /** Feature flag states by name (the prod exposure guard reads them). */
  readonly featureFlags?: Readonly<Record<string, FlagState>>;
}

/** The names `readPreviousRelease` looks up, in the order a `StackReference` is asked for them. */
export const PREVIOUS_RELEASE_OUTPUTS = [
  "strategy",
  "activeColor",
  "activeVersion",
  "idleVersion",
  "lastSwitchTime",
  "featureFlags",
] as const satisfies readonly (keyof PreviousRelease & ReleaseOutputName)[];

export type ReadResult<T> =
  { readonly ok: true; readonly release: T } | { readonly ok: false; readonly problems: readonly string[] };

const isString = (value: unknown): value is string => typeof value === "string";
const isStrategy = (value: unknown): value is Strategy => (STRATEGIES as readonly unknown[]).includes(value);
const isIdleColorPolicy = (value: unknown): value is IdleColorPolicy =>
  (IDLE_COLOR_POLICIES as readonly unknown[]).includes(value);
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Reads the release a stack's outputs record for the guard rails of its next update. A missing output is
 * `undefined` (nothing to protect); one that is there but not what `releaseOutputs` writes is a problem.
 */
export function readPreviousRelease(outputs: Readonly<Record<string, unknown>>): ReadResult<PreviousRelease> {
  const problems: string[] = [];
  const field = <T>(name: string, valid: (value: unknown) => value is T, allowed: string): T | undefined => {
    const value = outputs[name];
    if (value === undefined) return undefined;
    if (valid(value)) return value;
    problems.push(`output ${name} is ${JSON.stringify(value)}; allowed: ${allowed}`);
    return undefined;
  };
  const release: PreviousRelease = {
    strategy: field("strategy", isStrategy, STRATEGIES.join(", ")),
    activeColor: field("activeColor", isColor, "blue or green"),
    activeVersion: field("activeVersion", isString, "an image tag"),
    idleVersion: field("idleVersion", isString, 'an image tag or ""'),
    lastSwitchTime: field("lastSwitchTime", isString, "an RFC 3339 time"),
    featureFlags: field(
      "featureFlags",
      (value): value is Record<string, FlagState> => isRecord(value) && Object.values(value).every(isRecord),
      "flag states by name",
    ),
  };
  return problems.length > 0 ? { ok: false, problems } : { ok: true, release };
}

/** The release as the cut-over and rollback need it: blue-green, with everything a guarded flip reads. */
export interface CutoverRelease {
  readonly strategy: string;
  readonly activeColor: Color;
  readonly idleColor: Color;
  readonly activeVersion: string;
  /** "" when the idle color has no version. */
  readonly idleVersion: string;
  /** The stack's AWS region (`region`, an output of the environment), where its alarms are. */
  readonly region: string;
  readonly idleColorPolicy: IdleColorPolicy;
  readonly previewProbe: ProbeTarget;
  readonly cutoverAlarmNames: readonly string[];
}

/**
 * Reads the outputs the cut-over needs. A stack that does not export them was last updated by an older
 * program (or is not blue-green): every missing or malformed output is named, so the operator knows what to
 * run first.
 */
export function readCutoverRelease(outputs: Readonly<Record<string, unknown>>): ReadResult<CutoverRelease> {
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
  if (policy !== "" && !isIdleColorPolicy(policy))
    problems.push(`stack output "idleColorPolicy" is "${policy}", not ${IDLE_COLOR_POLICIES.join(" or ")}`);
  const probe = outputs.previewProbe as { url?: unknown; headers?: unknown } | undefined;
  const headers = probe?.headers ?? {};
  if (typeof probe?.url !== "string" || !isRecord(headers) || !Object.values(headers).every(isString))
    problems.push(`stack output "previewProbe" is missing or not { url, headers }`);
  const names = outputs.cutoverAlarmNames;
  if (!Array.isArray(names) || !names.every(isString))
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
      previewProbe: { url: probe?.url as string, headers: headers as Record<string, string> },
      cutoverAlarmNames: names as string[],
    },
  };
}

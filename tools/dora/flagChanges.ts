import { UpdateRecord } from "./model";

/**
 * Feature-flag changes beside deployments. Each update's config snapshot holds the `ams:featureFlags` the
 * update applied (never a secret); comparing a succeeded update's with the one before it says what it
 * changed. In the CLI's JSON an object value comes as `objectValue` beside its JSON text in `value`
 * (pulumi/pulumi pkg/cmd/pulumi/stack/stack_history.go, buildUpdatesJSON); the Automation API passes the
 * text. A kill switch flipped in the Unleash UI is not in Pulumi's history (see docs/dora.md).
 */

export const FEATURE_FLAGS_KEY = "ams:featureFlags";

/** A flag as an update's config declared it. */
export interface DeclaredFlag {
  readonly type?: string;
  readonly enabled?: boolean;
  readonly rolloutPercentage?: number;
}

export type DeclaredFlags = Readonly<Record<string, DeclaredFlag>>;

/** What one succeeded update changed about one flag. */
export interface FlagChange {
  readonly version: number;
  /** When the update ended: when the change reached Unleash. */
  readonly at: Date;
  readonly flag: string;
  /** `created (on, 5 %)`, `rollout 5 % → 20 %`, `on → off`, `removed (archived)`, `type release → operational`. */
  readonly change: string;
}

/** The flags of a history entry's config, when it recorded them (plain: the key is never a secret). */
export function featureFlagsOf(config: unknown): DeclaredFlags | undefined {
  if (typeof config !== "object" || config === null) return undefined;
  const entry = (config as Record<string, unknown>)[FEATURE_FLAGS_KEY];
  if (typeof entry !== "object" || entry === null) return undefined;
  const { value, objectValue, secret } = entry as {
    value?: unknown;
    objectValue?: unknown;
    secret?: unknown;
  };
  if (secret === true) return undefined;
  let flags = objectValue;
  if (flags === undefined && typeof value === "string") {
    try {
      flags = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (typeof flags !== "object" || flags === null || Array.isArray(flags)) return undefined;
  return Object.fromEntries(
    Object.entries(flags as Record<string, unknown>).map(([name, flag]) => [name, declaredFlag(flag)]),
  );
}

function declaredFlag(value: unknown): DeclaredFlag {
  const flag = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  return {
    type: typeof flag.type === "string" ? flag.type : undefined,
    enabled: typeof flag.enabled === "boolean" ? flag.enabled : undefined,
    rolloutPercentage: typeof flag.rolloutPercentage === "number" ? flag.rolloutPercentage : undefined,
  };
}

/**
 * The flag changes of the succeeded updates that ended in the window, oldest first, each against the last
 * succeeded update before it that recorded flags (the first such update is the baseline, not a change).
 */
export function flagChanges(
  updates: readonly UpdateRecord[],
  inWindow: (date: Date) => boolean,
): FlagChange[] {
  const changes: FlagChange[] = [];
  let applied: DeclaredFlags | undefined;
  const succeeded = updates
    .filter((update) => update.kind === "update" && update.result === "succeeded" && update.end !== undefined)
    .sort((a, b) => a.end!.getTime() - b.end!.getTime() || a.version - b.version);
  for (const update of succeeded) {
    if (update.featureFlags === undefined) continue;
    if (applied !== undefined && inWindow(update.end!)) {
      const names = [...new Set([...Object.keys(applied), ...Object.keys(update.featureFlags)])].sort();
      for (const flag of names) {
        const change = describeFlagChange(applied[flag], update.featureFlags[flag]);
        if (change !== undefined) changes.push({ version: update.version, at: update.end!, flag, change });
      }
    }
    applied = update.featureFlags;
  }
  return changes;
}

export function describeFlagChange(
  before: DeclaredFlag | undefined,
  after: DeclaredFlag | undefined,
): string | undefined {
  if (before === undefined && after === undefined) return undefined;
  if (before === undefined) return `created (${state(after!)})`;
  if (after === undefined) return "removed (archived)";
  const parts: string[] = [];
  if (before.type !== after.type) parts.push(`type ${before.type} → ${after.type}`);
  if (before.enabled !== after.enabled) parts.push(`${onOff(before.enabled)} → ${onOff(after.enabled)}`);
  if (before.rolloutPercentage !== after.rolloutPercentage)
    parts.push(`rollout ${before.rolloutPercentage} % → ${after.rolloutPercentage} %`);
  return parts.length === 0 ? undefined : parts.join(", ");
}

function state(flag: DeclaredFlag): string {
  return `${onOff(flag.enabled)}, ${flag.rolloutPercentage} %`;
}

function onOff(enabled: boolean | undefined): string {
  return enabled ? "on" : "off";
}

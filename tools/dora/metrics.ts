import { FlagChange, flagChanges } from "./flagChanges";
import { CommitTimeLookup, PromotionLookup } from "./git";
import { isoWeek, isoWeeksBetween } from "./isoWeek";
import { UpdateRecord } from "./model";
import { ROLLBACK_PREFIX } from "../../release/history";

/**
 * Rollback flips are recognised by the update message `npm run cutover` (automatic rollback) and
 * `npm run rollback` give them (`ROLLBACK_PREFIX`). A config-only detection (activeColor returning to an
 * earlier value) is not attempted: in blue-green every release alternates colors, so blue → green → blue is
 * the normal cadence, not a rollback.
 */

export interface DoraInput {
  readonly updates: readonly UpdateRecord[];
  /** The end of the window; everything after it is ignored, as if not yet happened. */
  readonly now: Date;
  readonly windowMs: number;
  /** Commit times for lead time; undefined when there is no Git clone to ask. */
  readonly commitTime: CommitTimeLookup | undefined;
  /**
   * The application commit a deployment's promotion carried (`npm run promote`): lead time then runs from
   * that commit instead of from the promotion's own. Undefined: every deployment is measured by `git.head`.
   */
  readonly promotions?: PromotionLookup;
}

/** A finished `update` (a `pulumi up`): what DORA calls a deployment. */
export interface Deployment {
  readonly version: number;
  readonly start: Date;
  readonly end: Date;
  readonly succeeded: boolean;
  readonly message: string;
  readonly gitHead: string | undefined;
  /** `ams:activeColor` the update applied, when its config recorded it. */
  readonly activeColor: string | undefined;
  /** A succeeded update whose message starts with `rollback:`; it undoes a change and is not one itself. */
  readonly rollbackFlip: boolean;
  /** Why this change counts as failed (it failed, or a later rollback flip undid it); undefined if it did not. */
  readonly failure: string | undefined;
}

/** From a failure signal until the next succeeded update (the end of service restoration). */
export interface Incident {
  readonly start: Date;
  /** Undefined while no succeeded update has followed yet. */
  readonly end: Date | undefined;
  readonly cause: string;
  readonly restoredBy: number | undefined;
}

export interface LeadTimeSample {
  readonly version: number;
  readonly commit: string;
  readonly committedAt: Date;
  readonly deployedAt: Date;
  readonly ms: number;
}

export interface LeadTime {
  /** Why lead time cannot be given; undefined when there is at least one sample. */
  readonly unavailable: string | undefined;
  readonly samples: LeadTimeSample[];
  /** Commits deployed in the window whose time could not be used. */
  readonly unresolved: { readonly version: number; readonly commit: string; readonly reason: string }[];
  readonly medianMs: number | undefined;
  readonly meanMs: number | undefined;
}

export interface WeekBucket {
  readonly week: string;
  readonly monday: Date;
  readonly deployments: number;
  readonly failedChanges: number;
}

export interface DoraMetrics {
  readonly window: { readonly start: Date; readonly end: Date; readonly days: number };
  /** Deployments that started in the window, oldest first. */
  readonly deployments: Deployment[];
  readonly counts: {
    readonly deployments: number;
    readonly succeeded: number;
    readonly failed: number;
    readonly rollbackFlips: number;
    /** Deployments that are not rollback flips: the denominator of the change failure rate. */
    readonly changes: number;
    readonly failedChanges: number;
  };
  readonly deployFrequency: { readonly perDay: number; readonly perWeek: number };
  /** failedChanges / changes; undefined without changes. */
  readonly changeFailureRate: number | undefined;
  readonly mttr: {
    readonly restored: Incident[];
    readonly open: Incident[];
    readonly meanMs: number | undefined;
    readonly medianMs: number | undefined;
  };
  readonly leadTime: LeadTime;
  readonly weeks: WeekBucket[];
  /** Feature-flag changes of the succeeded updates in the window, oldest first (see flagChanges.ts). */
  readonly flagChanges: FlagChange[];
  /** What the window held that is not a deployment. */
  readonly ignored: {
    readonly inProgress: number[];
    /** Updates queued but never started (a cancelled Pulumi Deployments run): no deployment happened. */
    readonly notStarted: number[];
    readonly otherKinds: Record<string, number>;
  };
}

const DAY_MS = 86_400_000;

/** All four figures for one window. Pure: `now` and the commit-time lookup are given, nothing is read. */
export function computeDora(input: DoraInput): DoraMetrics {
  const start = new Date(input.now.getTime() - input.windowMs);
  const inWindow = (date: Date) => date >= start && date <= input.now;
  const known = [...input.updates]
    .filter((update) => update.start <= input.now)
    .sort((a, b) => a.start.getTime() - b.start.getTime() || a.version - b.version);

  // The whole known history is classified, so a rollback in the window can mark a change made before it.
  const { deployments: history, undone } = classify(known);
  const deployments = history.filter((deployment) => inWindow(deployment.start));
  const changes = deployments.filter((deployment) => !deployment.rollbackFlip);
  const failedChanges = changes.filter((deployment) => deployment.failure !== undefined);
  const days = input.windowMs / DAY_MS;

  const incidents = findIncidents(history, undone).filter((incident) => inWindow(incident.start));
  const restored = incidents.filter((incident) => incident.end !== undefined);
  const restoreTimes = restored.map((incident) => incident.end!.getTime() - incident.start.getTime());

  const inWindowRecords = known.filter((update) => inWindow(update.start));
  const otherKinds: Record<string, number> = {};
  for (const update of inWindowRecords)
    if (update.kind !== "update") otherKinds[update.kind] = (otherKinds[update.kind] ?? 0) + 1;

  return {
    window: { start, end: input.now, days },
    deployments,
    counts: {
      deployments: deployments.length,
      succeeded: deployments.filter((deployment) => deployment.succeeded).length,
      failed: deployments.filter((deployment) => !deployment.succeeded).length,
      rollbackFlips: deployments.length - changes.length,
      changes: changes.length,
      failedChanges: failedChanges.length,
    },
    deployFrequency: { perDay: deployments.length / days, perWeek: (deployments.length / days) * 7 },
    changeFailureRate: changes.length === 0 ? undefined : failedChanges.length / changes.length,
    mttr: {
      restored,
      open: incidents.filter((incident) => incident.end === undefined),
      meanMs: mean(restoreTimes),
      medianMs: median(restoreTimes),
    },
    leadTime: leadTime(history, inWindow, input.commitTime, input.promotions),
    weeks: isoWeeksBetween(start, input.now).map((week) => ({
      week: week.key,
      monday: week.monday,
      deployments: deployments.filter((deployment) => isoWeek(deployment.start).key === week.key).length,
      failedChanges: failedChanges.filter((deployment) => isoWeek(deployment.start).key === week.key).length,
    })),
    flagChanges: flagChanges(known, inWindow),
    ignored: {
      inProgress: inWindowRecords
        .filter((update) => update.kind === "update" && update.result === "in-progress")
        .map((update) => update.version),
      notStarted: inWindowRecords
        .filter((update) => update.kind === "update" && update.result === "not-started")
        .map((update) => update.version),
      otherKinds,
    },
  };
}

type MutableDeployment = { -readonly [K in keyof Deployment]: Deployment[K] };

/**
 * The change a rollback flip undoes: the latest flip before it — the deployment whose applied `activeColor`
 * differs from the one before it — so a deploy to the idle color between the cut-over and the rollback is
 * not blamed. Without recorded colors, the change just before the rollback.
 */
function undoneBy(earlier: readonly MutableDeployment[]): MutableDeployment | undefined {
  for (let index = earlier.length - 1; index >= 1; index--) {
    const [before, candidate] = [earlier[index - 1], earlier[index]];
    if (candidate.rollbackFlip || candidate.activeColor === undefined || before.activeColor === undefined)
      continue;
    if (candidate.activeColor !== before.activeColor) return candidate;
  }
  return [...earlier].reverse().find((deployment) => !deployment.rollbackFlip);
}

/**
 * Deployments with their failure attribution: a failed update is a failed change; a rollback flip marks the
 * change it undoes as failed (`undoneBy`), unless that one already failed.
 */
function classify(known: readonly UpdateRecord[]): {
  deployments: Deployment[];
  undone: Map<number, Deployment>;
} {
  const deployments: MutableDeployment[] = [];
  const undone = new Map<number, Deployment>();
  for (const update of known) {
    if (update.kind !== "update" || update.end === undefined) continue;
    const succeeded = update.result === "succeeded";
    const rollbackFlip = succeeded && update.message.trim().startsWith(ROLLBACK_PREFIX);
    if (rollbackFlip) {
      const change = undoneBy(deployments);
      if (change !== undefined) undone.set(update.version, change);
      if (change !== undefined && change.failure === undefined)
        change.failure = `rolled back by v${update.version}`;
    }
    deployments.push({
      version: update.version,
      start: update.start,
      end: update.end,
      succeeded,
      message: update.message,
      gitHead: update.gitHead,
      activeColor: update.activeColor,
      rollbackFlip,
      failure: succeeded ? undefined : "update failed",
    });
  }
  return { deployments, undone };
}

/**
 * A failed update opens an incident when it ends (the failure is known then); the next succeeded update
 * closes it when it ends. A rollback flip with no incident open closes an incident that began when the
 * change it undoes went live (that update's end): users were served the bad change from then on. With no
 * change to point at, the flip's own start (the alarm or the operator's signal) is the start.
 */
function findIncidents(
  deployments: readonly Deployment[],
  undone: ReadonlyMap<number, Deployment>,
): Incident[] {
  const incidents: Incident[] = [];
  let open: { start: Date; cause: string } | undefined;
  for (const deployment of deployments) {
    if (!deployment.succeeded) {
      open ??= { start: deployment.end, cause: `v${deployment.version} failed` };
    } else if (open !== undefined) {
      incidents.push({ ...open, end: deployment.end, restoredBy: deployment.version });
      open = undefined;
    } else if (deployment.rollbackFlip) {
      incidents.push({
        start: undone.get(deployment.version)?.end ?? deployment.start,
        end: deployment.end,
        cause: `rollback flip v${deployment.version}: ${deployment.message.trim().slice(ROLLBACK_PREFIX.length).trim()}`,
        restoredBy: deployment.version,
      });
    }
  }
  if (open !== undefined) incidents.push({ ...open, end: undefined, restoredBy: undefined });
  return incidents;
}

/**
 * Commit time → end of the first succeeded update that deployed the commit (`git.head`). When the commits
 * that update brought (since the previous deployment's head) hold a promotion of this stack, the change is
 * the application commit the promotion carried, and its time starts the clock.
 */
function leadTime(
  history: readonly Deployment[],
  inWindow: (date: Date) => boolean,
  commitTime: CommitTimeLookup | undefined,
  promotions: PromotionLookup | undefined,
): LeadTime {
  const deployedBefore = new Set<string>();
  const firstDeploys: { deployment: Deployment; since: string | undefined }[] = [];
  let succeededInWindow = 0;
  let previousHead: string | undefined;
  for (const deployment of history) {
    if (!deployment.succeeded) continue;
    if (inWindow(deployment.start)) succeededInWindow++;
    if (deployment.gitHead === undefined) continue;
    const since = previousHead;
    previousHead = deployment.gitHead;
    if (deployedBefore.has(deployment.gitHead)) continue;
    deployedBefore.add(deployment.gitHead);
    if (inWindow(deployment.start)) firstDeploys.push({ deployment, since });
  }
  const none = (unavailable: string): LeadTime => ({
    unavailable,
    samples: [],
    unresolved: [],
    medianMs: undefined,
    meanMs: undefined,
  });
  if (succeededInWindow === 0) return none("no succeeded deployment in the window");
  const withHead = history.filter((d) => d.succeeded && inWindow(d.start) && d.gitHead !== undefined);
  if (withHead.length === 0)
    return none(
      `none of the ${succeededInWindow} succeeded deployments recorded git.head (Pulumi ran outside a Git checkout)`,
    );
  if (firstDeploys.length === 0)
    return none("every commit deployed in the window had been deployed before it");
  if (commitTime === undefined) return none("no Git clone to read commit times from");

  const samples: LeadTimeSample[] = [];
  const unresolved: LeadTime["unresolved"][number][] = [];
  const appCommits = new Set<string>();
  for (const { deployment, since } of firstDeploys) {
    const promoted = promotions?.(deployment.gitHead!, since);
    // An application commit counts once, at its first deployment (a re-promotion after a rollback is not new).
    if (promoted !== undefined && appCommits.has(promoted.commit)) continue;
    if (promoted !== undefined) appCommits.add(promoted.commit);
    const commit = promoted?.commit ?? deployment.gitHead!;
    const committedAt = promoted !== undefined ? promoted.committedAt : commitTime(commit);
    if (committedAt === undefined) {
      const reason =
        promoted !== undefined
          ? "the promotion's app commit time is not an RFC 3339 time"
          : "commit not found in the local clone";
      unresolved.push({ version: deployment.version, commit, reason });
    } else if (committedAt > deployment.end) {
      unresolved.push({ version: deployment.version, commit, reason: "commit dated after the update ended" });
    } else {
      const ms = deployment.end.getTime() - committedAt.getTime();
      samples.push({ version: deployment.version, commit, committedAt, deployedAt: deployment.end, ms });
    }
  }
  const times = samples.map((sample) => sample.ms);
  return {
    unavailable:
      samples.length === 0
        ? `none of the ${unresolved.length} deployed commits could be dated from the local clone (fetch them first)`
        : undefined,
    samples,
    unresolved,
    medianMs: median(times),
    meanMs: mean(times),
  };
}

function mean(values: readonly number[]): number | undefined {
  return values.length === 0 ? undefined : values.reduce((sum, value) => sum + value, 0) / values.length;
}

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

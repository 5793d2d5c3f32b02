import { Incident } from "./metrics";
import { Report } from "./report";

/** `--json`: one document for dashboards and the monthly review's spreadsheet. Durations in minutes. */
export function renderJson({ metrics, context }: Report): string {
  const { leadTime, mttr } = metrics;
  const document = {
    stack: context.stack,
    source: context.source,
    window: { start: iso(metrics.window.start), end: iso(metrics.window.end), days: metrics.window.days },
    deployments: {
      total: metrics.counts.deployments,
      succeeded: metrics.counts.succeeded,
      failed: metrics.counts.failed,
      rollbackFlips: metrics.counts.rollbackFlips,
      changes: metrics.counts.changes,
      failedChanges: metrics.counts.failedChanges,
    },
    deployFrequency: {
      perDay: round(metrics.deployFrequency.perDay),
      perWeek: round(metrics.deployFrequency.perWeek),
    },
    changeFailureRate: metrics.changeFailureRate === undefined ? null : round(metrics.changeFailureRate),
    failedChanges: metrics.deployments
      .filter((deployment) => !deployment.rollbackFlip && deployment.failure !== undefined)
      .map((deployment) => ({
        version: deployment.version,
        start: iso(deployment.start),
        reason: deployment.failure,
      })),
    mttr: {
      meanMinutes: minutes(mttr.meanMs),
      medianMinutes: minutes(mttr.medianMs),
      incidents: mttr.restored.map(incident),
      open: mttr.open.map(incident),
    },
    leadTime: {
      available: leadTime.unavailable === undefined,
      unavailableReason: leadTime.unavailable ?? null,
      medianMinutes: minutes(leadTime.medianMs),
      meanMinutes: minutes(leadTime.meanMs),
      samples: leadTime.samples.map((sample) => ({
        version: sample.version,
        commit: sample.commit,
        committedAt: iso(sample.committedAt),
        deployedAt: iso(sample.deployedAt),
        minutes: minutes(sample.ms),
      })),
      unresolved: leadTime.unresolved,
    },
    weeks: metrics.weeks.map((week) => ({ ...week, monday: iso(week.monday).slice(0, 10) })),
    flagChanges: metrics.flagChanges.map((change) => ({ ...change, at: iso(change.at) })),
    ignored: metrics.ignored,
    chart: context.chart ?? null,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function incident(value: Incident) {
  return {
    start: iso(value.start),
    end: value.end === undefined ? null : iso(value.end),
    minutes: value.end === undefined ? null : minutes(value.end.getTime() - value.start.getTime()),
    cause: value.cause,
    restoredBy: value.restoredBy ?? null,
  };
}

const iso = (date: Date) => date.toISOString();
// Three decimals: enough for a rate, and free of binary-fraction noise (1.4000000000000001).
const round = (value: number) => Math.round(value * 1000) / 1000;
const minutes = (ms: number | undefined) => (ms === undefined ? null : round(ms / 60_000));

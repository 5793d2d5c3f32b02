import { Incident } from "./metrics";
import { Report } from "./report";
import { formatDurationRounded as formatDuration, formatInstant } from "../cli/time";

/** The default output: a Markdown page to paste into the monthly review. */
export function renderMarkdown({ metrics, context }: Report): string {
  const { counts, leadTime, mttr } = metrics;
  const lines: string[] = [
    `# DORA report: stack \`${context.stack}\``,
    "",
    `Window: ${formatInstant(metrics.window.start)} → ${formatInstant(metrics.window.end)} ` +
      `(${days(metrics.window.days)}); history from ${context.source}.`,
    "",
    "| Metric | Value | From |",
    "| --- | --- | --- |",
    `| Deployment frequency | ${fixed(metrics.deployFrequency.perWeek)} per week ` +
      `(${fixed(metrics.deployFrequency.perDay)} per day) | ${counts.deployments} deployments: ` +
      `${counts.succeeded} succeeded (${plural(counts.rollbackFlips, "rollback flip")}), ${counts.failed} failed |`,
    `| Change failure rate | ${
      metrics.changeFailureRate === undefined ? "n/a (no changes)" : percent(metrics.changeFailureRate)
    } | ${counts.failedChanges} failed of ${counts.changes} changes (deployments other than rollback flips) |`,
    `| Time to restore (MTTR) | ${
      mttr.meanMs === undefined ? "n/a (nothing restored)" : `${formatDuration(mttr.meanMs)} mean`
    }${mttr.medianMs === undefined ? "" : `, ${formatDuration(mttr.medianMs)} median`} | ` +
      `${mttr.restored.length} restored incidents, ${mttr.open.length} still open |`,
    `| Lead time for changes | ${
      leadTime.unavailable !== undefined || leadTime.medianMs === undefined || leadTime.meanMs === undefined
        ? "unavailable"
        : `${formatDuration(leadTime.medianMs)} median, ${formatDuration(leadTime.meanMs)} mean`
    } | ${
      leadTime.unavailable ??
      `${leadTime.samples.length} commits: author time (of the app commit a promotion carried, else of \`git.head\`) → end of the first succeeded update that deployed it`
    } |`,
    "",
  ];
  if (context.chart !== undefined)
    lines.push(`![Deployments and failed changes per ISO week](${context.chart})`, "");

  lines.push(
    "## Per ISO week",
    "",
    "| Week | Monday | Deployments | Failed changes |",
    "| --- | --- | --- | --- |",
  );
  for (const week of metrics.weeks)
    lines.push(
      `| ${week.week} | ${formatInstant(week.monday).slice(0, 10)} | ${week.deployments} | ${week.failedChanges} |`,
    );
  lines.push("");

  const failed = metrics.deployments.filter((deployment) => !deployment.rollbackFlip && deployment.failure);
  if (failed.length > 0) {
    lines.push("## Failed changes", "", "| Version | Started | Why | Message |", "| --- | --- | --- | --- |");
    for (const deployment of failed)
      lines.push(
        `| v${deployment.version} | ${formatInstant(deployment.start)} | ${deployment.failure} | ${cell(deployment.message)} |`,
      );
    lines.push("");
  }

  const incidents = [...mttr.restored, ...mttr.open].sort((a, b) => a.start.getTime() - b.start.getTime());
  if (incidents.length > 0) {
    lines.push(
      "## Incidents",
      "",
      "| Started | Restored | Time to restore | Cause |",
      "| --- | --- | --- | --- |",
    );
    for (const incident of incidents) lines.push(incidentRow(incident, metrics.window.end));
    lines.push("");
  }

  if (metrics.flagChanges.length > 0) lines.push(...changeTimeline(metrics), "");

  if (leadTime.unresolved.length > 0) {
    lines.push("## Lead time: commits not counted", "");
    for (const entry of leadTime.unresolved)
      lines.push(`- v${entry.version} \`${entry.commit}\`: ${entry.reason}`);
    lines.push("");
  }

  const others = Object.entries(metrics.ignored.otherKinds).map(([kind, count]) => `${count} ${kind}`);
  const { inProgress, notStarted } = metrics.ignored;
  if (inProgress.length > 0 || notStarted.length > 0 || others.length > 0) {
    lines.push("## Not counted", "");
    const versions = (list: readonly number[]) => list.map((version) => `v${version}`).join(", ");
    if (inProgress.length > 0) lines.push(`- still running: ${versions(inProgress)}`);
    if (notStarted.length > 0) lines.push(`- never started: ${versions(notStarted)}`);
    if (others.length > 0) lines.push(`- not deployments: ${others.join(", ")}`);
    lines.push("");
  }
  lines.push("Definitions: docs/dora.md.", "");
  return lines.join("\n");
}

/**
 * Every deployment of the window with the feature-flag changes it applied beside it, so an incident review
 * sees flips, rollbacks and exposure changes on one line each.
 */
function changeTimeline(metrics: Report["metrics"]): string[] {
  const byVersion = new Map<number, string[]>();
  for (const change of metrics.flagChanges)
    byVersion.set(change.version, [
      ...(byVersion.get(change.version) ?? []),
      `${change.flag}: ${change.change}`,
    ]);
  return [
    "## Change timeline",
    "",
    "| Version | Ended | Result | activeColor | Flag changes | Message |",
    "| --- | --- | --- | --- | --- | --- |",
    ...metrics.deployments.map(
      (deployment) =>
        `| v${deployment.version} | ${formatInstant(deployment.end)} | ${deployment.succeeded ? "succeeded" : "failed"}` +
        `${deployment.rollbackFlip ? " (rollback)" : ""} | ${deployment.activeColor ?? "—"} | ` +
        `${cell((byVersion.get(deployment.version) ?? ["—"]).join("; "))} | ${cell(deployment.message)} |`,
    ),
  ];
}

function incidentRow(incident: Incident, now: Date): string {
  const restored =
    incident.end === undefined
      ? `open (${formatDuration(now.getTime() - incident.start.getTime())} so far)`
      : formatInstant(incident.end);
  const duration =
    incident.end === undefined ? "—" : formatDuration(incident.end.getTime() - incident.start.getTime());
  const by = incident.restoredBy === undefined ? "" : `, restored by v${incident.restoredBy}`;
  return `| ${formatInstant(incident.start)} | ${restored} | ${duration} | ${cell(incident.cause)}${by} |`;
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? "" : "s"}`;
const fixed = (value: number) => value.toFixed(2);
const percent = (rate: number) => `${(rate * 100).toFixed(1)} %`;
const days = (value: number) => (Number.isInteger(value) ? `${value} days` : `${fixed(value)} days`);
// A table cell must not break the row.
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\s+/g, " ").trim();

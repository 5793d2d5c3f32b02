import { Color } from "./color";
import { readRelease, ReleaseOutputs } from "./contract";
import { errorText } from "./messages";
import { AlarmPort, HealthProbe, LastUpdate, StackPort } from "./ports";

export interface PreCheckDeps {
  readonly stack: StackPort;
  /** Built once the region is known from the outputs. */
  readonly alarmsIn: (region: string) => AlarmPort;
  readonly probe: HealthProbe;
  /** One line per check, so the operator sees what was verified (and what was skipped, and why). */
  readonly note: (line: string) => void;
}

export interface PreCheckResult {
  readonly failures: readonly string[];
  /** Present when the outputs could be read; the bake watches its alarms. */
  readonly release: ReleaseOutputs | undefined;
}

/**
 * The checks that need no network beyond Pulumi: the release outputs, the declared color and the last
 * update. Pure, so each refusal is tested directly.
 */
export function releaseFailures(
  release: ReleaseOutputs,
  to: Color,
  declared: string | undefined,
  last: LastUpdate | undefined,
): string[] {
  const failures: string[] = [];
  if (release.activeColor === to) failures.push(`${to} is already the active color`);
  else if (release.idleVersion === "")
    failures.push(
      `the idle color ${release.idleColor} has no version (idleVersion is empty): deploy to it first`,
    );
  if (declared !== undefined && declared !== release.activeColor)
    failures.push(
      `ams:activeColor is declared "${declared}" but the last update applied "${release.activeColor}": ` +
        `a flip is pending or half-done; run pulumi up (or npm run rollback) first`,
    );
  if (last === undefined) failures.push(`the stack has no update history`);
  else if (last.result !== "succeeded")
    failures.push(
      `the last ${last.kind} ${last.result === "failed" ? "failed" : `is "${last.result}"`}: fix it first`,
    );
  if (release.cutoverAlarmNames.length === 0)
    failures.push(`cutoverAlarmNames is empty: there would be nothing to watch during the bake`);
  return failures;
}

/** Runs every pre-check it can and collects all failures, so one run shows everything to fix. */
export async function runPreChecks(deps: PreCheckDeps, to: Color): Promise<PreCheckResult> {
  const read = readRelease(await deps.stack.outputs());
  if (!read.ok) return { failures: read.problems, release: undefined };
  const { release } = read;
  deps.note(
    `${release.activeColor} is active on ${release.activeVersion}; ${release.idleColor} is idle on ` +
      `${release.idleVersion || "(no version)"}`,
  );
  const failures = releaseFailures(
    release,
    to,
    await deps.stack.declaredActiveColor(),
    await deps.stack.lastUpdate(),
  );

  // A scaled-down idle color still runs one warm pod behind the preview route, so it is probed too; the flip
  // then scales it up and `pulumi up` waits for the new pods' readiness before routing moves.
  const probed = await deps.probe(release.previewProbe);
  deps.note(
    `health probe of ${release.idleColor} (idle ${release.idleColorPolicy}) via the preview route ` +
      `(${safeUrl(release.previewProbe.url)}): ${probed.detail}`,
  );
  if (!probed.ok) failures.push(`${release.idleColor} is not healthy: ${probed.detail}`);

  if (release.cutoverAlarmNames.length > 0) {
    try {
      const reading = await deps.alarmsIn(release.region).read(release.cutoverAlarmNames);
      for (const name of reading.missing)
        failures.push(`alarm "${name}" does not exist in ${release.region}`);
      for (const alarm of reading.alarms.filter((a) => a.state === "ALARM"))
        failures.push(`alarm "${alarm.name}" is already in ALARM: ${alarm.reason}`);
      deps.note(
        `${release.cutoverAlarmNames.length} alarms to watch: ${release.cutoverAlarmNames.join(", ")}`,
      );
    } catch (error) {
      failures.push(`the alarms cannot be read in ${release.region}: ${errorText(error)}`);
    }
  }
  return { failures, release };
}

/** The probe URL without query or credentials, which could carry a token. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return "(not a valid URL)";
  }
}

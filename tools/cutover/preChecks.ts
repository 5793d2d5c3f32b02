import { missingAwsCredentials } from "../cli/prerequisites";
import { Color } from "../../config/types";
import { readCutoverRelease, CutoverRelease } from "../../release/outputs";
import { errorText, lastLines } from "./messages";
import {
  AlarmPort,
  CheckoutPort,
  ExpectedFlip,
  HealthProbe,
  Interrupts,
  StackPort,
  UpdateEntry,
} from "./ports";
import { checkFlipPreview } from "./updateOutcome";

export interface PreCheckDeps {
  readonly stack: StackPort;
  /** Built once the region is known from the outputs. */
  readonly alarmsIn: (region: string) => AlarmPort;
  readonly probe: HealthProbe;
  /** The checkout `pulumi up` deploys from. */
  readonly checkout: CheckoutPort;
  /** What a flip changes, by the offline plan of that checkout. */
  readonly expectedFlip: ExpectedFlip;
  readonly interrupts: Interrupts;
  /** One line per check, so the operator sees what was verified (and what was skipped, and why). */
  readonly note: (line: string) => void;
}

export interface PreCheckResult {
  readonly failures: readonly string[];
  /** Present when the outputs could be read; the bake watches its alarms. */
  readonly release: CutoverRelease | undefined;
  /** `ams:activeColor` as the stack file declared it before anything ran (undefined: the project default). */
  readonly declared: string | undefined;
}

/** History entries read: enough to reach past nightly drift-detection refreshes to the last update. */
const HISTORY_READ = 20;

/**
 * The checks that need no network beyond Pulumi: the release outputs, the declared color and the last
 * update. Pure, so each refusal is tested directly.
 */
export function releaseFailures(
  release: CutoverRelease,
  to: Color,
  declared: string | undefined,
  last: UpdateEntry | undefined,
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

/**
 * The flip's `pulumi up` deploys the checkout as it is — program, stack file and all — and the Automation
 * API's `up` runs without a preview. So the checkout must be exactly what the stack runs: no local changes,
 * and at the commit of the last succeeded update (`git.head`, which the CLI records from the checkout it
 * ran in: pulumi/pulumi pkg/cmd/pulumi/metadata/metadata.go). Prod runs the last release tag while `main`
 * is usually ahead.
 */
export function checkoutFailures(
  history: readonly UpdateEntry[],
  head: string,
  changes: readonly string[],
): string[] {
  const failures: string[] = [];
  if (changes.length > 0)
    failures.push(
      `the checkout has uncommitted changes (${changes.slice(0, 5).join(", ")}${changes.length > 5 ? ", …" : ""}): ` +
        `the flip would deploy them; commit, stash or use a clean checkout`,
    );
  const deployed = history.find((entry) => entry.kind === "update" && entry.result === "succeeded");
  if (deployed === undefined)
    failures.push(`no succeeded update in the last ${history.length} history entries`);
  else if (deployed.gitHead === undefined)
    failures.push(
      `the last update (v${deployed.version}) recorded no git.head (it ran outside a Git checkout): ` +
        `this checkout cannot be shown to be what the stack runs`,
    );
  else if (deployed.gitHead !== head)
    failures.push(
      `the checkout is at ${head.slice(0, 12)}, but the stack last deployed ${deployed.gitHead.slice(0, 12)} ` +
        `(update v${deployed.version}): the flip would deploy everything between them; ` +
        `run from that commit (git checkout ${deployed.gitHead})`,
    );
  return failures;
}

/** Runs every pre-check it can and collects all failures, so one run shows everything to fix. */
export async function runPreChecks(deps: PreCheckDeps, to: Color): Promise<PreCheckResult> {
  const declared = await deps.stack.declaredActiveColor();
  const read = readCutoverRelease(await deps.stack.outputs());
  if (!read.ok) return { failures: read.problems, release: undefined, declared };
  const { release } = read;
  deps.note(
    `${release.activeColor} is active on ${release.activeVersion}; ${release.idleColor} is idle on ` +
      `${release.idleVersion || "(no version)"}`,
  );
  const history = await deps.stack.history(HISTORY_READ);
  const failures = releaseFailures(release, to, declared, history[0]);

  const [head, changes] = await Promise.all([deps.checkout.head(), deps.checkout.changes()]);
  const checkout = checkoutFailures(history, head, changes);
  failures.push(...checkout);
  if (checkout.length === 0)
    deps.note(`the checkout is clean and at ${head.slice(0, 12)}, what the stack last deployed`);

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
      failures.push(
        `the alarms cannot be read in ${release.region}: ${missingAwsCredentials(error) ?? errorText(error)}`,
      );
    }
  }

  // Last and only when all else passed: a preview of a big stack takes minutes.
  if (failures.length === 0 && deps.interrupts.count === 0)
    failures.push(...(await previewFailures(deps, to)));
  return { failures, release, declared };
}

/**
 * A real `pulumi preview` of the flip (the stack file untouched: the preview reads a copy with the new
 * color). It catches what would make the flip's update fail before it changes anything — a config or
 * program error, a mandatory policy violation — and anything it would change besides the flip itself.
 */
async function previewFailures(deps: PreCheckDeps, to: Color): Promise<string[]> {
  const [preview, expected] = await Promise.all([
    deps.stack.previewActiveColor(to, { interrupts: deps.interrupts }),
    deps.expectedFlip(to).catch((error: unknown) => {
      const stderr = (error as { stderr?: unknown }).stderr;
      return typeof stderr === "string" && stderr.trim() !== "" ? stderr.trim() : errorText(error);
    }),
  ]);
  if (typeof expected === "string")
    return [
      `the offline plan cannot say what a flip to ${to} changes (plan --compare activeColor=${to}):`,
      ...lastLines(expected, 8).map((line) => `    ${line}`),
    ];
  if (!preview.ok)
    return [
      `pulumi preview of activeColor ${to} failed:`,
      ...preview.error.split("\n").map((l) => `    ${l}`),
    ];
  const check = checkFlipPreview(preview.steps, expected);
  const changing = preview.steps.length - preview.steps.filter((s) => s.op === "same").length;
  deps.note(
    `pulumi preview of activeColor ${to}: ${changing} planned changes, ${expected.length} expected from ` +
      `the offline plan (plan --compare activeColor=${to})`,
  );
  for (const urn of check.absent) deps.note(`  expected but not planned (already live?): ${urn}`);
  if (check.unexpected.length === 0) return [];
  return [
    `pulumi preview of activeColor ${to} plans changes a flip does not make (an unreleased program or ` +
      `stack-file change would ship with it):`,
    ...check.unexpected.map((line) => `    ${line}`),
  ];
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

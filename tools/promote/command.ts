import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../../config/errors";
import { otherColor, versionKey } from "../../config/release";
import { assertNoLiveUpdate } from "../../components/delivery/blueGreen/liveUpdateGuard";
import { PreviousRelease } from "../../release/outputs";
import { comparePlans } from "../../plan/compare";
import { loadProject, loadStackConfig } from "../../plan/projectFiles";
import { PROJECT_DIR } from "../cli/project";
import { renderComparisonText } from "../../plan/render";
import { appliedRelease, declaredConfig, runPlan } from "../../plan/runPlan";
import { ConfigOverride } from "../../plan/stackConfig";
import { EXIT } from "../cli/exitCodes";
import { UsageError } from "../cli/usageError";
import { Output } from "../cli/main";
import { deployedOverrides, readDeployedOutputs } from "./deployed";
import { parsePromoteFlags, PROMOTE_USAGE, PromoteFlags } from "./flags";
import { PromotionRefused } from "./refused";
import { setConfigValue, StackFileError } from "./stackFile";
import { promotionTarget } from "./target";
import { promotionMessage } from "./trailers";

/**
 * `npm run promote`: puts a new version into `Pulumi.<stack>.yaml` the way an operator would, refuses what
 * the program's guard rails would refuse, and prints the offline `plan --compare` of the change. Exit codes
 * are the operations tools' (`tools/cli/exitCodes.ts`): 0 promoted, or nothing to do (the file already
 * says so); 1 failed, nothing written (a file the tool cannot edit safely, or a bug); 2 bad flags; 4 refused
 * by the guard rails, file untouched.
 */
export async function promoteCommand(
  argv: readonly string[],
  out: Output,
  defaultWorkDir: string = PROJECT_DIR,
): Promise<number> {
  try {
    return await run(argv, out, defaultWorkDir);
  } catch (err) {
    if (err instanceof UsageError) {
      out.stderr(`${err.message}\n`);
      return EXIT.usage;
    }
    if (err instanceof PromotionRefused) {
      out.stderr(`Refused: ${err.message}\nNothing was changed.\n`);
      return EXIT.refused;
    }
    if (err instanceof StackFileError) {
      out.stderr(`${err.message}\nNothing was changed.\n`);
      return EXIT.failed;
    }
    out.stderr(
      `promote failed unexpectedly: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return EXIT.failed;
  }
}

async function run(argv: readonly string[], out: Output, defaultWorkDir: string): Promise<number> {
  const flags = parsePromoteFlags(argv, defaultWorkDir);
  if (flags === "help") {
    out.stdout(`${PROMOTE_USAGE}\n`);
    return EXIT.ok;
  }
  if (!fs.existsSync(path.join(flags.workDir, "Pulumi.yaml")))
    throw new UsageError(
      `--cwd "${flags.workDir}" holds no Pulumi.yaml; allowed: the AMS project directory.`,
    );
  const project = loadProject(flags.workDir);
  const stackConfig = loadStackConfig(flags.stack, flags.workDir);
  const fileName = `Pulumi.${flags.stack}.yaml`;
  const file = path.join(flags.workDir, fileName);

  const declared = programVerdict(
    () => declaredConfig(project, stackConfig, flags.stack, []),
    `${fileName} does not validate as it stands, so nothing can be promoted onto it. `,
  );
  const deployed: PreviousRelease =
    flags.deployedFile !== undefined ? readDeployedOutputs(flags.deployedFile) : appliedRelease(declared);
  const target = promotionTarget(declared.release, deployed, flags.color);
  const change: ConfigOverride[] = [{ key: target.key, value: flags.version }];
  // The program's own rules, in the order `pulumi up` applies them: config validation, then the live-update
  // guard against the applied release. Their messages are passed on unchanged.
  const next = programVerdict(() => declaredConfig(project, stackConfig, flags.stack, change));
  programVerdict(() =>
    assertNoLiveUpdate(deployed, next.release, next.delivery.allowLiveUpdate, flags.stack),
  );

  const before = fs.readFileSync(file, "utf8");
  const edit = setConfigValue(before, fileName, `${project.name}:${target.key}`, flags.version, [
    `${project.name}:${versionKey(otherColor(target.color))}`,
    "aws:region",
  ]);
  if (!edit.changed) {
    out.stdout(`${fileName} already sets ${target.key}: ${flags.version}; nothing to promote.\n`);
    return EXIT.ok;
  }

  const comparison = await planChange(flags, change, flags.deployedFile !== undefined ? deployed : undefined);
  out.stdout(
    [
      `Promote ${flags.stack}: ${target.key} ${edit.from ?? "(unset)"} → ${flags.version}`,
      `  ${target.effect}`,
      `  Judged against: ${flags.deployedFile ?? `${fileName} as committed (what the offline plan takes as deployed)`}.`,
      "",
      ...lineDiff(before, edit.text).map((line) => `  ${line}`),
      "",
      comparison,
    ].join("\n"),
  );
  if (flags.dryRun) {
    out.stdout(`--dry-run: ${fileName} is unchanged.\n`);
    return EXIT.ok;
  }
  const message = promotionMessage(
    { stack: flags.stack, key: target.key, from: edit.from, version: flags.version, effect: target.effect },
    flags.appCommit,
  );
  // The message first: a path that cannot be written leaves the stack file as it was.
  if (flags.messageFile !== undefined) fs.writeFileSync(flags.messageFile, message);
  fs.writeFileSync(file, edit.text);
  out.stdout(
    `Wrote ${fileName}. Commit it${flags.messageFile !== undefined ? ` with the message in ${flags.messageFile}` : ""} ` +
      "and open a pull request: review and merge decide the rest.\n",
  );
  return EXIT.ok;
}

/** Runs one of the program's checks; its `ConfigError` becomes the refusal, message unchanged. */
function programVerdict<T>(check: () => T, context = ""): T {
  try {
    return check();
  } catch (err) {
    if (ConfigError.isConfigError(err)) throw new PromotionRefused(context + err.message);
    throw err;
  }
}

/**
 * The offline `plan --compare` of the change, as `plan/command.ts` prints it; both runs judged against
 * the applied release (`applied`; without it the committed stack file, the plan's default).
 */
async function planChange(
  flags: PromoteFlags,
  change: ConfigOverride[],
  applied: PreviousRelease | undefined,
): Promise<string> {
  const deployed = applied !== undefined ? deployedOverrides(applied) : [];
  const request = { projectDir: flags.workDir, stack: flags.stack, deployed };
  const plan = async (overrides: ConfigOverride[]) => {
    try {
      return await runPlan({ ...request, overrides });
    } catch (err) {
      // Whatever else the program refuses while it builds the release is a refusal too.
      if (ConfigError.isConfigError(err)) throw new PromotionRefused(err.message);
      throw err;
    }
  };
  const base = await plan([]);
  const variant = await plan(change);
  const description = `stack config vs --compare ${change.map((o) => `${o.key}=${o.value}`).join(" ")}`;
  return renderComparisonText(comparePlans(base, variant), base, variant, description);
}

/** The changed line, before and after (`-`/`+`), for the report. */
function lineDiff(before: string, after: string): string[] {
  const [old, next] = [before.split("\n"), after.split("\n")];
  const first = next.findIndex((line, index) => line !== old[index]);
  if (first < 0) return [];
  return next.length === old.length ? [`- ${old[first]}`, `+ ${next[first]}`] : [`+ ${next[first]}`];
}

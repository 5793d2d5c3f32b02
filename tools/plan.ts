// Pulumi captures a stack trace for every resource it registers; with tsx's source maps on, mapping those
// traces costs a third of the plan's wall time. Error locations stay close: esbuild keeps line numbers.
process.setSourceMapsEnabled(false);

import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../amsConfig/errors";
import { comparePlans } from "../tests/harness/compare";
import { PlanInputError } from "../tests/harness/errors";
import {
  kubernetesManifests,
  manifestYaml,
  renderComparisonText,
  renderPlanText,
} from "../tests/harness/render";
import { runPlan } from "../tests/harness/runPlan";
import { parsePlanArgs, USAGE } from "./planCli";

/**
 * `npm run plan`: what a stack declares, or what a config change would change, without a cloud.
 * Exit codes: 0 plan printed; 2 invalid config or arguments (one paragraph, no stack trace); 1 a bug.
 */
async function main(argv: readonly string[]): Promise<number> {
  const args = parsePlanArgs(argv);
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const plan = await runPlan({ stack: args.stack, overrides: args.overrides });
  if (args.outDir !== undefined) writeManifests(plan, args.outDir);

  if (args.compare.length > 0) {
    const variant = await runPlan({ stack: args.stack, overrides: [...args.overrides, ...args.compare] });
    const comparison = comparePlans(plan, variant);
    const description = args.compare.map((o) => `${o.key}=${o.value}`).join(" ");
    process.stdout.write(
      args.json
        ? `${JSON.stringify(comparison, null, 2)}\n`
        : renderComparisonText(comparison, plan, variant, `stack config vs --compare ${description}`),
    );
    return 0;
  }
  process.stdout.write(args.json ? `${JSON.stringify(plan, null, 2)}\n` : renderPlanText(plan));
  return 0;
}

function writeManifests(plan: Awaited<ReturnType<typeof runPlan>>, outDir: string): void {
  try {
    fs.mkdirSync(outDir, { recursive: true });
  } catch (err) {
    throw new PlanInputError(`--out ${outDir} cannot be used as a directory: ${(err as Error).message}`);
  }
  for (const manifest of kubernetesManifests(plan)) {
    fs.writeFileSync(path.join(outDir, manifest.fileName), manifestYaml(manifest));
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (ConfigError.isConfigError(err) || err instanceof PlanInputError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(
      `plan failed unexpectedly: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);

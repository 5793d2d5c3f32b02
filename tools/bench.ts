import { spawnSync } from "child_process";
import * as os from "os";
import * as path from "path";
import { EXIT } from "./cli/exitCodes";
import { Output, runMain } from "./cli/main";
import { PROJECT_DIR } from "./cli/project";

/**
 * `npm run bench`: median wall time of the offline plan as a user runs it (a fresh process each time,
 * loader and SDKs included; npm's own start-up excluded). A benchmark, not a test: it reports, it does
 * not fail on a slow machine.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const cases: [string, string[]][] = [
  ["plan --stack prod --json", ["--stack", "prod", "--json"]],
  [
    "plan --stack prod --json --compare activeColor=green",
    ["--stack", "prod", "--json", "--compare", "activeColor=green"],
  ],
];

function timeOnce(args: string[]): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ["--require", "tsx/cjs", path.join("plan", "cli.ts"), ...args], {
    cwd: PROJECT_DIR,
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`plan ${args.join(" ")} failed: ${result.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function bench(_argv: readonly string[], out: Output): Promise<number> {
  out.stdout(`Offline plan benchmark: ${RUNS} runs each after one warm-up, ${os.cpus().length} CPUs\n`);
  const medians: number[] = [];
  for (const [label, args] of cases) {
    timeOnce(args);
    const times = Array.from({ length: RUNS }, () => timeOnce(args));
    medians.push(median(times));
    out.stdout(
      `  ${label.padEnd(56)} median ${(median(times) / 1000).toFixed(2)} s  (min ${(Math.min(...times) / 1000).toFixed(2)} s, max ${(Math.max(...times) / 1000).toFixed(2)} s)\n`,
    );
  }
  out.stdout(
    `  compare / plain: ${(medians[1] / medians[0]).toFixed(2)}×  (targets: plain < 3 s, compare < 2× plain)\n`,
  );
  return EXIT.ok;
}

runMain(bench);

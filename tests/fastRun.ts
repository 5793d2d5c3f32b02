/**
 * Loaded by `npm run test:fast` (.mocharc.fast.json): a spec of the fast run must not start a process (the
 * Pulumi CLI fake, git, npm, a server), because those are what make the full run slow. A spec that needs one
 * belongs in a `*.process.spec.ts` file, which only `npm test` runs. So the fast run keeps itself honest:
 * starting a process fails the spec that tried, naming this rule.
 *
 * A root hook (https://mochajs.org/#root-hook-plugins), because in parallel mode root hooks run in the
 * workers only: the main process must keep forking its workers.
 */
// The module object itself: an `import * as` namespace is a frozen copy whose functions cannot be replaced.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const childProcess: Record<string, unknown> = require("child_process");

const PROCESS_STARTERS = ["spawn", "spawnSync", "exec", "execSync", "execFile", "execFileSync", "fork"];

export const mochaHooks = {
  beforeAll(): void {
    for (const starter of PROCESS_STARTERS) {
      childProcess[starter] = () => {
        throw new Error(
          `child_process.${starter} in the fast run: a spec that starts a process belongs in a *.process.spec.ts file`,
        );
      };
    }
  },
};

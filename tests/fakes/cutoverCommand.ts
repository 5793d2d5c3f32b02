/**
 * `npm run cutover` / `npm run rollback` as a test runs them in a child process: the real entry points
 * (tools/cutover/main.ts: signal traps, Automation API, exit codes) against the fake `pulumi` of this
 * directory, with the world outside Pulumi replaced — alarms always OK, the idle color healthy, the checkout
 * at the commit the stack last deployed, a flip changing the routing objects the fake's preview plans.
 *
 *   node --require tsx/cjs tests/fakes/cutoverCommand.ts cutover|rollback <flags…>
 *
 * Environment: FAKE_PULUMI_ROOT (holds bin/pulumi), FAKE_PULUMI_STATE and FAKE_PULUMI_LOG (for the fake),
 * FAKE_HEAD (the checkout's commit), FAKE_CANCEL_GRACE_MS.
 */
import * as fs from "fs";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { runMain } from "../../tools/cli/main";
import { cutoverMain, MainOverrides, rollbackMain } from "../../tools/cutover/main";

async function main(args: readonly string[]): Promise<number> {
  const [command, ...argv] = args;
  const env = (name: string) => {
    const value = process.env[name];
    if (value === undefined) throw new Error(`${name} is not set`);
    return value;
  };
  const state = JSON.parse(fs.readFileSync(env("FAKE_PULUMI_STATE"), "utf8")) as {
    previewSteps?: { urn: string; op: string }[];
  };
  const overrides: MainOverrides = {
    pulumi: {
      pulumiCommand: await PulumiCommand.get({ root: env("FAKE_PULUMI_ROOT"), skipVersionCheck: true }),
      cancelAckGraceMs: Number(process.env.FAKE_CANCEL_GRACE_MS ?? 500),
    },
    cutover: {
      alarmsIn: () => ({
        read: async (names) => ({
          alarms: names.map((name) => ({ name, state: "OK" as const, reason: "", since: undefined })),
          missing: [],
        }),
      }),
      probe: async () => ({ ok: true, detail: "HTTP 200" }),
      checkout: { head: async () => env("FAKE_HEAD"), changes: async () => [] },
      expectedFlip: async () => state.previewSteps ?? [],
    },
    lockRetryDelaysMs: [200, 200],
  };
  return command === "rollback" ? rollbackMain(argv, overrides) : cutoverMain(argv, overrides);
}

runMain(main);

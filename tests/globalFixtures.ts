import { launchUnleash, RunningUnleash, shareUnleash } from "./helpers/unleashServer";

/**
 * Mocha global fixtures (loaded through .mocharc.json `require`; in parallel mode they run once, in the main
 * process, before the workers are forked: https://mochajs.org/#global-fixtures). The real Unleash the
 * feature-flag specs need starts here without being waited for, so it comes up while other spec files run,
 * and it is stopped (with its PostgreSQL) when the run ends.
 */
let unleash: RunningUnleash | undefined;

export async function mochaGlobalSetup(): Promise<void> {
  unleash = await launchUnleash();
  shareUnleash(unleash);
}

export async function mochaGlobalTeardown(): Promise<void> {
  await unleash?.stop();
}

import { launchUnleash, RunningUnleash, shareUnleash } from "./helpers/unleashServer";

/**
 * Mocha global fixtures (loaded through .mocharc.json `require`; in parallel mode they run once, in the main
 * process, before the workers are forked: https://mochajs.org/#global-fixtures). The real Unleash the
 * feature-flag specs need starts here without being waited for, so it comes up while other spec files run,
 * and it is stopped (with its PostgreSQL) when the run ends.
 */
// The AWS SDK warns once per process that its releases after January 2027 need Node 22; this repository
// supports Node 20.19+ (package.json engines), so in the specs it is expected noise between results. Its own
// opt-out (@aws-sdk/core, emitWarningIfUnsupportedVersion); set here, it reaches every worker mocha forks.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

let unleash: RunningUnleash | undefined;

export async function mochaGlobalSetup(): Promise<void> {
  unleash = await launchUnleash();
  shareUnleash(unleash);
}

export async function mochaGlobalTeardown(): Promise<void> {
  await unleash?.stop();
}

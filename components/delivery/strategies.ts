import * as pulumi from "@pulumi/pulumi";
import { BlueGreenRelease } from "./blueGreen/release";
import { CanaryRelease } from "./canary/release";
import { ReleaseArgs } from "./core/releaseArgs";
import { RollingRelease } from "./rolling/release";

/** The release component of each strategy (each one's folder tells its story). */
const RELEASES = { rolling: RollingRelease, blueGreen: BlueGreenRelease, canary: CanaryRelease };

/**
 * The stack's release, by its strategy. In the update that switches strategy, the retiring strategy's
 * workloads are declared too, frozen as deployed, so they keep serving until the next update removes them
 * (core/transition.ts).
 */
export function releaseByStrategy(
  name: string,
  args: Omit<ReleaseArgs, "retiring">,
  opts: pulumi.ComponentResourceOptions,
): { readonly settled: pulumi.Output<boolean> } {
  const deployed = new RELEASES[args.release.strategy](name, args, opts);
  const retiring = args.transition.retiring;
  if (retiring) new RELEASES[retiring.strategy](name, { ...args, release: retiring, retiring: true }, opts);
  return deployed;
}

import * as pulumi from "@pulumi/pulumi";
import { PREVIOUS_RELEASE_OUTPUTS, PreviousRelease, readPreviousRelease } from "./outputs";

/**
 * What this stack's last update recorded about its release, read back through a StackReference to the
 * stack itself (nothing before its first update). The guard rails judge this update against it, so they fail
 * the preview before anything changes.
 */
export async function lastRecordedRelease(): Promise<PreviousRelease> {
  const organization = pulumi.getOrganization();
  const name = `${organization ? `${organization}/` : ""}${pulumi.getProject()}/${pulumi.getStack()}`;
  const self = new pulumi.StackReference("ams-previous-release", { name });
  const outputs: Record<string, unknown> = {};
  for (const key of PREVIOUS_RELEASE_OUTPUTS) outputs[key] = (await self.getOutputDetails(key)).value;
  const read = readPreviousRelease(outputs);
  if (!read.ok)
    throw new Error(
      `The last update of stack ${pulumi.getStack()} recorded release outputs this program cannot judge ` +
        `against (${read.problems.join("; ")}); the guard rails refuse to guess.`,
    );
  return read.release;
}

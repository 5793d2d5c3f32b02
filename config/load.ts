import * as pulumi from "@pulumi/pulumi";
import { parseAmsConfig } from "./parse";
import { RawConfig } from "./rawConfig";
import { ADMIN_TOKEN_KEY } from "./featureFlags";
import { AmsConfig } from "./types";

/** Secret config values; they stay Pulumi secrets from the stack file to the resource that uses them. */
export interface AmsSecrets {
  /** Admin API token of an existing Unleash (`ams:featureFlagAdminToken`); `undefined` when self-hosted. */
  readonly featureFlagAdminToken: pulumi.Output<string> | undefined;
}

export interface LoadedConfig {
  readonly config: AmsConfig;
  readonly secrets: AmsSecrets;
}

/**
 * The one reader of `pulumi.Config`. Collects the project's keys as Pulumi hands them over (defaults from
 * `Pulumi.yaml`, values from `Pulumi.<stack>.yaml`), validates them all at once and returns a frozen
 * config. Throws `ConfigError` before any resource is registered.
 */
export function loadConfig(): LoadedConfig {
  const project = pulumi.getProject();
  const values = projectValues(pulumi.runtime.allConfig(), project);
  const config = parseAmsConfig({
    project,
    stack: pulumi.getStack(),
    raw: new RawConfig(values),
    awsRegion: new pulumi.Config("aws").get("region"),
  });
  const featureFlagAdminToken = values[ADMIN_TOKEN_KEY]
    ? new pulumi.Config().requireSecret(ADMIN_TOKEN_KEY)
    : undefined;
  return { config, secrets: { featureFlagAdminToken } };
}

/** The project namespace's keys (`ams:activeColor` → `activeColor`) out of the full config map. */
export function projectValues(
  all: Readonly<Record<string, string>>,
  project: string,
): Record<string, string> {
  const prefix = `${project}:`;
  return Object.fromEntries(
    Object.entries(all)
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, value]) => [key.slice(prefix.length), value]),
  );
}

import * as pulumi from "@pulumi/pulumi";
import { parseAmsConfig } from "./amsConfig/parse";
import { RawConfig } from "./amsConfig/rawConfig";
import { AmsConfig } from "./amsConfig/types";

export * from "./amsConfig/types";
export { ConfigError } from "./amsConfig/errors";

/** Secret config values; they stay Pulumi secrets from the stack file to the resource that uses them. */
export interface AmsSecrets {
  /** SDK key of the feature-flag service (`ams:featureFlagSdkKey`); `undefined` when the stack has none. */
  readonly featureFlagSdkKey: pulumi.Output<string> | undefined;
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
  const prefix = `${project}:`;
  const values: Record<string, string> = {};
  const projectConfig = new pulumi.Config();
  for (const [fullKey, value] of Object.entries(pulumi.runtime.allConfig())) {
    if (!fullKey.startsWith(prefix)) continue;
    values[fullKey.slice(prefix.length)] = value;
  }

  const config = parseAmsConfig({
    project,
    stack: pulumi.getStack(),
    raw: new RawConfig(values),
    awsRegion: new pulumi.Config("aws").get("region"),
  });
  const featureFlagSdkKey = values.featureFlagSdkKey
    ? projectConfig.requireSecret("featureFlagSdkKey")
    : undefined;
  return { config, secrets: { featureFlagSdkKey } };
}

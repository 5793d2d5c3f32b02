import { Policies, Policy } from "@pulumi/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

/**
 * The policy pack's per-environment config files (`policy/config.<environment>.json`), generated from the
 * policy list by `npm run docs` so that a new policy gets its config in every environment's file.
 *
 * Shape: one entry per policy name. The engine passes a policy only the properties filed under its own
 * name; the reserved key `all` carries an enforcement level and nothing else (pulumi/pulumi
 * pkg/resource/analyzer/config.go, `applyConfig`), and `@pulumi/policy` looks config up by the policy's
 * name (pulumi/pulumi-policy sdk/nodejs/policy/server.ts, `makeGetConfigFun`):
 * https://github.com/pulumi/pulumi/blob/master/pkg/resource/analyzer/config.go
 * https://github.com/pulumi/pulumi-policy/blob/master/sdk/nodejs/policy/server.ts
 */

export type PackConfig = Record<string, { environment: string }>;

/** The environments the policies know: the `enum` of their `environment` config property. */
export function configEnvironments(policies: Policies): string[] {
  const environments = new Set<string>();
  for (const policy of policies)
    for (const value of environmentProperty(policy)?.enum ?? []) environments.add(String(value));
  return [...environments];
}

/** What `policy/config.<environment>.json` holds: every policy that takes `environment` gets it. */
export function packConfigFor(policies: Policies, environment: string): PackConfig {
  const config: PackConfig = {};
  for (const policy of policies) {
    const schema = policy.configSchema;
    if (!schema) continue;
    const generated = environmentProperty(policy) ? ["environment"] : [];
    const missing = (schema.required ?? []).filter(
      (key) => !generated.includes(key) && schema.properties[key]?.default === undefined,
    );
    if (missing.length > 0)
      throw new Error(
        `policy ${policy.name} requires config ${missing.join(", ")} that policy/packConfig.ts does not ` +
          `generate; teach packConfigFor the value per environment.`,
      );
    if (generated.length > 0) config[policy.name] = { environment };
  }
  return config;
}

export function packConfigFileName(environment: string): string {
  return `config.${environment}.json`;
}

/** The file's text, formatted as Prettier formats JSON. */
export function renderPackConfig(config: PackConfig): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}

function environmentProperty(policy: Policy): PolicyConfigJSONSchema | undefined {
  return policy.configSchema?.properties.environment;
}

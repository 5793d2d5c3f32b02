/**
 * Policy config: `environment` (dev | staging | prod), set per stack by `config.<env>.json`. Its own module
 * so every policy file can use it without importing the pack's lists (policies.ts re-exports it).
 */

/** What `getConfig()` returns to a policy that declares `configSchema`. */
export interface PolicyConfig {
  environment?: string;
}

/**
 * Every policy that reads `environment` declares this schema. The engine hands each policy only the config
 * filed under its own name (`all` carries an enforcement level, nothing else: pulumi/pulumi
 * pkg/resource/analyzer/config.go, applyConfig), so `environment` is required and has no default: a policy
 * whose name is missing from `policy/config.<env>.json` fails the engine's config validation
 * (validatePolicyPackConfig) instead of silently judging prod as dev. The files are generated from this
 * list by `npm run docs` (policy/packConfig.ts). New policies that depend on the environment use this schema.
 */
export const configSchema = {
  properties: { environment: { type: "string" as const, enum: ["dev", "staging", "prod"] } },
  required: ["environment"],
};

export function isProd(getConfig: () => PolicyConfig): boolean {
  return getConfig().environment === "prod";
}

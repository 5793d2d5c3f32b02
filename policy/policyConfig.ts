/**
 * Policy config: `environment` (dev | staging | prod), set per stack by `config.<env>.json`. Its own module
 * so every policy file can use it without importing the pack's lists (policies.ts re-exports it).
 */
export interface PolicyConfig {
  environment?: string;
}

export const configSchema = {
  properties: { environment: { type: "string" as const, enum: ["dev", "staging", "prod"], default: "dev" } },
};

export function isProd(getConfig: () => PolicyConfig): boolean {
  return getConfig().environment === "prod";
}

import { EnforcementLevel, Policies } from "@pulumi/policy";
import Ajv from "ajv";
import { UsageError } from "../tools/cli/usageError";

/**
 * Policy pack config resolved the way `pulumi preview --policy-pack <dir> --policy-pack-config <file>` does,
 * so the offline check sees exactly what each policy would see under the real engine:
 *
 * 1. The file is parsed as pulumi/pulumi `pkg/resource/analyzer/config.go` `parsePolicyPackConfig` does: a
 *    string value is an enforcement level; an object's `enforcementLevel` is taken out, the rest are
 *    properties; `environments` (ESC) is taken out.
 * 2. `ReconcilePolicyPackConfig`: each policy starts with its own enforcement level and its schema's
 *    defaults (`createConfigWithDefaults`); `all` then sets the enforcement level of every policy and
 *    nothing else; each entry's properties go to the policy of that name only (`applyConfig`); every
 *    policy's properties are validated against its `configSchema` (`validatePolicyPackConfig`, JSON
 *    Schema: here ajv, there gojsonschema).
 * 3. `Configure` (pkg/resource/plugin/analyzer_plugin.go) refuses an entry without a valid enforcement
 *    level — an unknown name, or `all` given properties but no level.
 * 4. `@pulumi/policy` answers `getConfig()` with the properties under the policy's own name, `{}` if none,
 *    and runs a policy at `config level || policy level || pack level` (advisory), skipping `disabled`
 *    (pulumi/pulumi-policy sdk/nodejs/policy/server.ts).
 *
 * https://github.com/pulumi/pulumi/blob/master/pkg/resource/analyzer/config.go
 * https://github.com/pulumi/pulumi/blob/master/pkg/resource/plugin/analyzer_plugin.go
 * https://github.com/pulumi/pulumi-policy/blob/master/sdk/nodejs/policy/server.ts
 */

export interface AnalyzerPolicyConfig {
  readonly enforcementLevel: string;
  readonly properties: Readonly<Record<string, unknown>>;
}

/** What each policy runs with, by policy name (plus any other entries the file had). */
export type ResolvedPolicyConfig = ReadonlyMap<string, AnalyzerPolicyConfig>;

const ENFORCEMENT_LEVELS: readonly string[] = ["advisory", "mandatory", "remediate", "disabled"];
/** `new PolicyPack("ams", { policies })` sets no pack level; @pulumi/policy then uses advisory. */
const PACK_ENFORCEMENT_LEVEL: EnforcementLevel = "advisory";

interface ParsedEntry {
  readonly enforcementLevel: string;
  readonly properties: Record<string, unknown>;
}

/** `parsePolicyPackConfig`: the file's entries; throws what the CLI would print. */
export function parsePolicyPackConfig(text: string, file: string): Map<string, ParsedEntry> {
  const result = new Map<string, ParsedEntry>();
  if (text.trim() === "") return result;
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file}: ${(error as Error).message}`);
  }
  if (typeof document !== "object" || document === null || Array.isArray(document))
    throw new UsageError(`${file}: the policy pack config must be a JSON object`);
  const entries = { ...(document as Record<string, unknown>) };
  if ("environments" in entries) {
    // ESC environments are resolved by Pulumi Cloud; the offline check cannot see what they add.
    throw new UsageError(
      `${file}: "environments" (Pulumi ESC) cannot be resolved offline; keep the AMS policy config in the file`,
    );
  }
  for (const [key, value] of Object.entries(entries)) {
    let entry: ParsedEntry;
    if (typeof value === "string") {
      if (!ENFORCEMENT_LEVELS.includes(value))
        throw new UsageError(
          `${file}: parsing enforcement level for "${key}": "${value}" is not a valid enforcement level`,
        );
      entry = { enforcementLevel: value, properties: {} };
    } else if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      const { enforcementLevel, ...properties } = value as Record<string, unknown>;
      if (enforcementLevel !== undefined && !ENFORCEMENT_LEVELS.includes(String(enforcementLevel)))
        throw new UsageError(
          `${file}: parsing enforcement level for "${key}": ${JSON.stringify(enforcementLevel)} is not a valid enforcement level`,
        );
      entry = { enforcementLevel: (enforcementLevel as string | undefined) ?? "", properties };
    } else {
      throw new UsageError(
        `${file}: parsing "${key}": ${JSON.stringify(value)} is not a valid value; must be a string or object`,
      );
    }
    // "Don't bother including empty configs."
    if (entry.enforcementLevel === "" && Object.keys(entry.properties).length === 0) continue;
    result.set(key, entry);
  }
  return result;
}

/** `ReconcilePolicyPackConfig` + `Configure`'s check: the config every policy runs with. */
export function resolvePolicyPackConfig(
  policies: Policies,
  config: ReadonlyMap<string, ParsedEntry>,
  file: string,
): ResolvedPolicyConfig {
  const result = new Map<string, { enforcementLevel: string; properties: Record<string, unknown> }>();
  for (const policy of policies) {
    const defaults: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {}))
      if (schema.default !== undefined) defaults[key] = schema.default;
    result.set(policy.name, { enforcementLevel: policy.enforcementLevel ?? "", properties: defaults });
  }
  const all = config.get("all");
  if (all && ENFORCEMENT_LEVELS.includes(all.enforcementLevel))
    for (const entry of result.values()) entry.enforcementLevel = all.enforcementLevel;
  for (const [name, given] of config) {
    const current = result.get(name) ?? { enforcementLevel: "", properties: {} };
    result.set(name, {
      enforcementLevel: ENFORCEMENT_LEVELS.includes(given.enforcementLevel)
        ? given.enforcementLevel
        : current.enforcementLevel,
      properties: { ...current.properties, ...given.properties },
    });
  }

  const problems: string[] = [];
  const ajv = new Ajv({ allErrors: true, strict: false });
  for (const policy of policies) {
    if (!policy.configSchema) continue;
    const validate = ajv.compile({
      type: "object",
      properties: policy.configSchema.properties,
      ...(policy.configSchema.required?.length ? { required: policy.configSchema.required } : {}),
    });
    if (validate(result.get(policy.name)?.properties ?? {})) continue;
    for (const error of validate.errors ?? [])
      problems.push(`${policy.name}: ${`${error.instancePath.slice(1)} ${error.message ?? ""}`.trim()}`);
  }
  if (problems.length > 0)
    throw new UsageError(`validating policy config for "ams" (${file}): ${problems.sort().join("; ")}`);
  for (const [name, entry] of result)
    if (!ENFORCEMENT_LEVELS.includes(entry.enforcementLevel))
      throw new UsageError(
        `configuring policy pack "ams" (${file}): invalid enforcement level "${entry.enforcementLevel}" ` +
          `(entry "${name}": ${policies.some((p) => p.name === name) ? "" : "no policy has this name; "}` +
          `"all" takes an enforcement level only, and properties go under each policy's name)`,
      );
  return result;
}

/** `getConfig()` of one policy, as `@pulumi/policy` answers it. */
export function configOf(resolved: ResolvedPolicyConfig, policyName: string): Record<string, unknown> {
  return { ...(resolved.get(policyName)?.properties ?? {}) };
}

/** The level a policy runs at (`disabled`: it does not run). */
export function enforcementLevelOf(
  resolved: ResolvedPolicyConfig,
  policy: { name: string; enforcementLevel?: EnforcementLevel },
): string {
  return resolved.get(policy.name)?.enforcementLevel || policy.enforcementLevel || PACK_ENFORCEMENT_LEVEL;
}

import { SECRET_CONFIG_KEYS } from "../config/types";
import { UsageError } from "../tools/cli/usageError";
import { ProjectFile } from "./projectFiles";

/** Config as the Pulumi language host hands it to a program: string values, plus the secret keys. */
export interface ProgramConfig {
  readonly values: Record<string, string>;
  readonly secretKeys: string[];
}

/** A `--set key=value` override, `key` possibly a dotted path into a structured value (`api.minReplicas`). */
export interface ConfigOverride {
  readonly key: string;
  readonly value: string;
}

/**
 * Stand-in for a stack's `secure:` values: the offline plan cannot decrypt them (no Pulumi CLI, no
 * passphrase or KMS), so the program sees this, marked secret, and the plan prints `[secret]`.
 */
export const SECURE_PLACEHOLDER = "offline-plan-placeholder-for-a-secure-value";

export function parseOverride(text: string, flag: string): ConfigOverride {
  const separator = text.indexOf("=");
  const key = separator > 0 ? text.slice(0, separator).trim() : "";
  const unsafe = key.split(/[.:]/).some((part) => ["__proto__", "constructor", "prototype"].includes(part));
  if (unsafe || !/^[A-Za-z0-9_:-]+(\.[A-Za-z0-9_-]+)*$/.test(key)) {
    throw new UsageError(`${flag} "${text}" is not key=value; allowed: key=value or path.to.key=value.`);
  }
  return { key, value: text.slice(separator + 1) };
}

/**
 * Builds the config a `pulumi up` of this stack would hand the program: `Pulumi.yaml` defaults, replaced
 * key by key by `Pulumi.<stack>.yaml`, then the overrides. A dotted override sets one field inside the
 * effective structured value, the way `pulumi config set --path` does.
 */
export function buildProgramConfig(
  project: ProjectFile,
  stackConfig: Readonly<Record<string, unknown>>,
  overrides: readonly ConfigOverride[],
  /** Keys an override sets as a secret, as `pulumi config set --secret` would. */
  secretConfigKeys: readonly string[] = SECRET_CONFIG_KEYS,
): ProgramConfig {
  const qualify = (key: string) => (key.includes(":") ? key : `${project.name}:${key}`);
  const effective = new Map<string, unknown>();
  const secretKeys = new Set<string>();
  const setAsSecret = new Set(secretConfigKeys.map(qualify));
  for (const [key, declaration] of Object.entries(project.config)) {
    if (declaration.secret) secretKeys.add(qualify(key));
    if (declaration.default !== undefined) effective.set(qualify(key), declaration.default);
  }
  for (const [key, value] of Object.entries(stackConfig)) {
    if (isSecure(value)) {
      secretKeys.add(key);
      effective.set(key, SECURE_PLACEHOLDER);
    } else {
      effective.set(key, value);
    }
  }
  for (const override of overrides) {
    const [key, ...fieldPath] = override.key.split(".");
    const fullKey = qualify(key);
    if (setAsSecret.has(fullKey)) secretKeys.add(fullKey);
    if (fieldPath.length === 0) {
      effective.set(fullKey, override.value);
      continue;
    }
    const current = effective.get(fullKey);
    const base = typeof current === "object" && current !== null ? structuredClone(current) : {};
    setPath(base as Record<string, unknown>, fieldPath, scalarFrom(override.value));
    effective.set(fullKey, base);
  }

  const values: Record<string, string> = {};
  for (const [key, value] of effective) values[key] = asConfigString(value);
  return { values, secretKeys: [...secretKeys].sort() };
}

function isSecure(value: unknown): boolean {
  return typeof value === "object" && value !== null && "secure" in value;
}

/** Pulumi passes every config value as a string; structured values as JSON. */
function asConfigString(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * `--set api.minReplicas=3` stores a number, like a YAML scalar would; a JSON list or object
 * (`--set nodeGroup.instanceTypes=["m6i.large"]`) is stored as that structure.
 */
function scalarFrom(text: string): unknown {
  if (/^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text === "true" || text === "false") return text === "true";
  return text;
}

function setPath(target: Record<string, unknown>, fieldPath: readonly string[], value: unknown): void {
  let node = target;
  for (const field of fieldPath.slice(0, -1)) {
    const next = node[field];
    node[field] = typeof next === "object" && next !== null ? next : {};
    node = node[field] as Record<string, unknown>;
  }
  node[fieldPath[fieldPath.length - 1]] = value;
}

import { ProblemList } from "./errors";
import { RawConfig } from "./rawConfig";
import { closest } from "./suggest";

/**
 * Readers for single config values. Each returns the typed value, or `undefined` after recording a problem
 * that names the key, the value and what is allowed. They never throw: the parser collects every problem
 * first and fails once.
 */

/** Docker/OCI tag grammar: what `docker push <repo>:<tag>` accepts. */
export const IMAGE_TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
export const IMAGE_TAG_FORMAT =
  "an image tag: letters, digits, '_', '.', '-', not starting with '.' or '-', at most 128 characters";

export function readEnum<T extends string>(
  raw: RawConfig,
  problems: ProblemList,
  key: string,
  allowed: readonly T[],
): T | undefined {
  const value = raw.get(key);
  if (value !== undefined && (allowed as readonly string[]).includes(value)) return value as T;
  const sameButCase = allowed.find((candidate) => candidate.toLowerCase() === value?.toLowerCase());
  problems.add(
    key,
    value,
    `one of ${allowed.join(", ")}` +
      (sameButCase === undefined ? "" : ` (values are case-sensitive: did you mean ${sameButCase}?)`),
  );
  return undefined;
}

export function readInteger(
  raw: RawConfig,
  problems: ProblemList,
  key: string,
  range: { min: number; max: number },
): number | undefined {
  const value = raw.get(key);
  return checkInteger(problems, key, value === undefined ? undefined : numberFrom(value), value, range);
}

/** Validates an already-extracted number (e.g. a field of a structured key). */
export function checkInteger(
  problems: ProblemList,
  key: string,
  parsed: number | undefined,
  original: unknown,
  range: { min: number; max: number },
): number | undefined {
  if (parsed !== undefined && Number.isInteger(parsed) && parsed >= range.min && parsed <= range.max) {
    return parsed;
  }
  problems.add(key, original, `an integer from ${range.min} to ${range.max}`);
  return undefined;
}

/** Pulumi stores `pulumi config set n 3` as the string "3"; structured values may hold real numbers. */
export function numberFrom(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return undefined;
}

/** An image tag, or `undefined` for the empty string ("this color has no version yet"). */
export function readOptionalImageTag(raw: RawConfig, problems: ProblemList, key: string): string | undefined {
  const value = raw.get(key) ?? "";
  if (value === "") return undefined;
  if (IMAGE_TAG_PATTERN.test(value)) return value;
  problems.add(key, value, `${IMAGE_TAG_FORMAT}, or "" for a color that has no version yet`);
  return undefined;
}

/**
 * A structured (object or list) key's value: Pulumi hands it over as JSON text. Text that is not JSON is
 * returned as it is, for the problem message to show.
 */
export function readStructured(raw: RawConfig, key: string): unknown {
  const text = raw.get(key);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * A structured (object) key: Pulumi hands it over as JSON text. Returns the object, or `undefined` after a
 * problem. Fields are checked by the caller; `unknownFields` reports the ones it did not expect.
 */
export function readObject(
  raw: RawConfig,
  problems: ProblemList,
  key: string,
  shape: string,
): Record<string, unknown> | undefined {
  const parsed = readStructured(raw, key);
  if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
    return parsed as Record<string, unknown>;
  }
  problems.add(key, parsed, `an object with ${shape}`);
  return undefined;
}

export function reportUnknownFields(
  problems: ProblemList,
  key: string,
  value: Record<string, unknown>,
  known: readonly string[],
): void {
  for (const field of Object.keys(value)) {
    if (!known.includes(field)) {
      const close = closest(field, known);
      problems.add(
        `${key}.${field}`,
        value[field],
        `only the fields ${known.join(", ")}` +
          (close === undefined ? "" : ` (did you mean ${key}.${close}?)`),
      );
    }
  }
}

export function readBoolean(raw: RawConfig, problems: ProblemList, key: string): boolean | undefined {
  const value = raw.get(key);
  if (value === "true" || value === "false") return value === "true";
  problems.add(key, value, "true or false");
  return undefined;
}

/**
 * How a list is written, for problems with list keys: Pulumi hands a list to the program as JSON text, so a
 * plain `pulumi config set key value` is a string, never a one-item list.
 */
export function listForm(key: string): string {
  return (
    `written as a list: in the stack file a YAML list, with the CLI \`pulumi config set --path '${key}[0]' <item>\` ` +
    `per item, in the plan --set ${key}='["<item>", …]' (JSON)`
  );
}

/** An array key (`type: array` in Pulumi.yaml): Pulumi hands it over as JSON text. */
export function readStringArray(
  raw: RawConfig,
  problems: ProblemList,
  key: string,
  itemFormat: string,
  isValid: (item: string) => boolean,
): string[] | undefined {
  const parsed = readStructured(raw, key);
  if (!Array.isArray(parsed)) {
    problems.add(key, parsed, `a list of ${itemFormat}, ${listForm(key)}`);
    return undefined;
  }
  let valid = true;
  parsed.forEach((item: unknown, index) => {
    if (typeof item !== "string" || !isValid(item)) {
      problems.add(`${key}[${index}]`, item, itemFormat);
      valid = false;
    }
  });
  return valid ? (parsed as string[]) : undefined;
}

/** A string that must match a pattern; `format` says what is allowed. */
export function readMatching(
  raw: RawConfig,
  problems: ProblemList,
  key: string,
  isValid: (value: string) => boolean,
  format: string,
): string | undefined {
  const value = raw.get(key);
  if (value !== undefined && isValid(value)) return value;
  problems.add(key, value, format);
  return undefined;
}

/** IPv4 CIDR (`10.0.0.0/16`) with the prefix length in `[minPrefix, maxPrefix]` and no host bits set. */
export function isIpv4Cidr(value: string, minPrefix = 0, maxPrefix = 32): boolean {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  if (!match) return false;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((octet) => octet > 255) || prefix < minPrefix || prefix > maxPrefix) return false;
  const address = octets.reduce((sum, octet) => sum * 256 + octet, 0);
  const hostBits = 2 ** (32 - prefix);
  return address % hostBits === 0;
}

/** A lower-case DNS host name with at least one dot (`api.ams.example.com`). */
export function isHostName(value: string): boolean {
  return /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(value);
}

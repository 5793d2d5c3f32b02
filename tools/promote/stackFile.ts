import { isDeepStrictEqual } from "util";
import * as YAML from "yaml";

/**
 * How a stack file is written back: no line folding and flow lists as `[a, b]`, the style the committed
 * stack files use. With these options `yaml` reproduces them byte for byte (a spec pins it for each), so
 * the only line that changes is the one being edited.
 */
export const ROUND_TRIP_OPTIONS = { lineWidth: 0, flowCollectionPadding: false } as const;

/** The stack file cannot be edited safely by a tool; a person should make the change (exit 1). */
export class StackFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackFileError";
  }
}

export interface StackFileEdit {
  /** The file's text after the edit (the same text when nothing changes). */
  readonly text: string;
  /** The key's previous value; undefined when the file did not set it. */
  readonly from: string | undefined;
  readonly changed: boolean;
}

/**
 * Sets one top-level `config:` value of a stack file through the `yaml` Document API, the way an operator
 * edits it: comments, order, quoting and blank lines stay; an existing key changes in place, a new one goes
 * right after the first of `after` that the file sets (its sibling), else at the end. The result is checked
 * before it is returned: it declares exactly the old config with this one value changed, and differs from
 * the old text in exactly one line — otherwise `StackFileError`, and nothing is written.
 */
export function setConfigValue(
  text: string,
  file: string,
  key: string,
  value: string,
  after: readonly string[] = [],
): StackFileEdit {
  const doc = YAML.parseDocument(text);
  if (doc.errors.length > 0) throw new StackFileError(`${file} is not valid YAML: ${doc.errors[0].message}`);
  if (doc.toString(ROUND_TRIP_OPTIONS) !== text)
    throw new StackFileError(
      `${file} would be reformatted beyond the edited line (the yaml package does not reproduce its layout); ` +
        `set ${key}: ${value} by hand.`,
    );
  const config = doc.get("config", true);
  if (!YAML.isMap(config)) throw new StackFileError(`${file} has no config: map to set ${key} in.`);

  const pairOf = (name: string) =>
    config.items.find((pair) => YAML.isScalar(pair.key) && pair.key.value === name);
  const existing = pairOf(key);
  let from: string | undefined;
  if (existing) {
    if (!YAML.isScalar(existing.value))
      throw new StackFileError(`${file} sets ${key} to a structure (secure or nested), not a version.`);
    from = String(existing.value.value);
    if (from === value) return { text, from, changed: false };
    // A scalar node keeps its comments and style; `yaml` quotes the new value if it would read as a number.
    existing.value.value = value;
  } else {
    const sibling = after.map(pairOf).find((pair) => pair !== undefined);
    const index = sibling ? config.items.indexOf(sibling) + 1 : config.items.length;
    config.items.splice(index, 0, doc.createPair(key, value));
  }
  const edited = doc.toString(ROUND_TRIP_OPTIONS);
  checkEdit(text, edited, file, key, value);
  return { text: edited, from, changed: true };
}

/** The edit declares exactly one changed value and touches exactly one line. */
function checkEdit(before: string, after: string, file: string, key: string, value: string): void {
  const config = (text: string) => ((YAML.parse(text) ?? {}) as { config?: Record<string, unknown> }).config;
  const expected = { ...config(before), [key]: value };
  if (!isDeepStrictEqual(config(after), expected))
    throw new StackFileError(`editing ${file} would change more than ${key}; set it by hand.`);
  const [old, next] = [before.split("\n"), after.split("\n")];
  const changedLines =
    next.length === old.length
      ? next.filter((line, index) => line !== old[index]).length
      : next.length === old.length + 1 &&
          next.some((_, index) => isDeepStrictEqual(without(next, index), old))
        ? 1
        : Infinity;
  if (changedLines !== 1)
    throw new StackFileError(`editing ${file} would touch more than the line of ${key}; set it by hand.`);
}

function without<T>(items: readonly T[], index: number): T[] {
  return [...items.slice(0, index), ...items.slice(index + 1)];
}

import { ProblemList } from "./errors";
import { checkInteger, numberFrom, readObject, reportUnknownFields } from "./fields";
import { RawConfig } from "./rawConfig";

/**
 * Typed access to the fields of one structured key (or of one object inside a list). Every reader records
 * a problem named `<key>.<field>` and returns `undefined` on a bad value; `complete` says whether all read
 * fields were good.
 */
export class BlockReader {
  private ok = true;

  constructor(
    private readonly problems: ProblemList,
    private readonly key: string,
    private readonly block: Record<string, unknown>,
    fields: readonly string[],
  ) {
    reportUnknownFields(problems, key, block, fields);
  }

  /** Reads a structured key; `undefined` (with a problem) when it is not an object. */
  static of(
    raw: RawConfig,
    problems: ProblemList,
    key: string,
    fields: readonly string[],
  ): BlockReader | undefined {
    const block = readObject(raw, problems, key, `the fields ${fields.join(", ")}`);
    return block === undefined ? undefined : new BlockReader(problems, key, block, fields);
  }

  get complete(): boolean {
    return this.ok;
  }

  integer(field: string, range: { min: number; max: number }): number {
    const value = checkInteger(
      this.problems,
      `${this.key}.${field}`,
      numberFrom(this.block[field]),
      this.block[field],
      range,
    );
    return this.check(value);
  }

  /** A list of integers, each in range; problems name the position (`canary.steps[2]`). */
  integerList(field: string, range: { min: number; max: number }): number[] | undefined {
    const value = this.block[field];
    if (!Array.isArray(value)) {
      this.problems.add(
        `${this.key}.${field}`,
        value,
        `a list of integers from ${range.min} to ${range.max}`,
      );
      this.ok = false;
      return undefined;
    }
    const items = value.map((item: unknown, index) =>
      checkInteger(this.problems, `${this.key}.${field}[${index}]`, numberFrom(item), item, range),
    );
    if (items.some((item) => item === undefined)) {
      this.ok = false;
      return undefined;
    }
    return items as number[];
  }

  /** A non-empty list of strings, each valid; problems name the position (`nodeGroup.instanceTypes[1]`). */
  list(field: string, itemFormat: string, isValid: (item: string) => boolean): string[] | undefined {
    const value = this.block[field];
    if (!Array.isArray(value) || value.length === 0) {
      this.problems.add(`${this.key}.${field}`, value, `a non-empty list of ${itemFormat}`);
      this.ok = false;
      return undefined;
    }
    let valid = true;
    value.forEach((item: unknown, index) => {
      if (typeof item === "string" && isValid(item)) return;
      this.problems.add(`${this.key}.${field}[${index}]`, item, itemFormat);
      valid = false;
    });
    if (!valid) this.ok = false;
    return valid ? (value as string[]) : undefined;
  }

  /** A list of strings, each valid; may be empty. Problems name the position (`ciClusterAccess.previewRoleArns[1]`). */
  stringList(field: string, itemFormat: string, isValid: (item: string) => boolean): string[] | undefined {
    const value = this.block[field];
    if (Array.isArray(value) && value.length === 0) return [];
    return this.list(field, itemFormat, isValid);
  }

  boolean(field: string): boolean {
    const value = this.block[field];
    if (typeof value === "boolean") return value;
    if (value === "true" || value === "false") return value === "true";
    this.problems.add(`${this.key}.${field}`, value, "true or false");
    return this.check<boolean>(undefined);
  }

  string(field: string, isValid: (value: string) => boolean, format: string): string {
    // YAML and `--set` turn `2` into a number; where a string is expected, it is the same value.
    const raw = this.block[field];
    const value = typeof raw === "number" ? String(raw) : raw;
    if (typeof value === "string" && isValid(value)) return value;
    this.problems.add(`${this.key}.${field}`, value, format);
    return this.check<string>(undefined);
  }

  oneOf<T extends string>(field: string, allowed: readonly T[]): T {
    return this.string(
      field,
      (value) => (allowed as readonly string[]).includes(value),
      `one of ${allowed.join(", ")}`,
    ) as T;
  }

  /** Adds a problem about a field whose value was readable but breaks a rule spanning fields. */
  reject(field: string, allowed: string): void {
    this.problems.add(`${this.key}.${field}`, this.block[field], allowed);
    this.ok = false;
  }

  private check<T>(value: T | undefined): T {
    if (value === undefined) this.ok = false;
    // Callers only use the values when `complete` is true, so an undefined here is never read.
    return value as T;
  }
}

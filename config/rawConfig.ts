/**
 * The project's config values exactly as Pulumi hands them to a program: every value a string, structured
 * values as JSON text. Reading through this class records which keys the program knows, so anything left
 * over in the stack file (a typo such as `activeColour`) is reported instead of silently ignored.
 */
export class RawConfig {
  private readonly read = new Set<string>();
  private readonly retired = new Set<string>();

  /**
   * @param values project-namespace keys without the `ams:` prefix → raw string value.
   */
  constructor(private readonly values: Readonly<Record<string, string>>) {}

  get(key: string): string | undefined {
    this.read.add(key);
    return this.values[key];
  }

  /** A key earlier versions read: its reader reports it, so it is not "unknown", nor one of the known keys. */
  getRetired(key: string): string | undefined {
    this.retired.add(key);
    return this.values[key];
  }

  /** Keys present in the config that no reader asked for. */
  unreadKeys(): string[] {
    return Object.keys(this.values)
      .filter((key) => !this.read.has(key) && !this.retired.has(key))
      .sort();
  }

  /** Keys the program asked for, for "did you mean" hints. */
  knownKeys(): string[] {
    return [...this.read].sort();
  }
}

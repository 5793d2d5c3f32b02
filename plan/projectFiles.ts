import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { PROJECT_DIR } from "../tools/cli/project";
import { UsageError } from "../tools/cli/usageError";

/** One entry of the typed `config:` schema in `Pulumi.yaml`. */
export interface ConfigDeclaration {
  readonly type?: "string" | "integer" | "boolean" | "array";
  readonly description?: string;
  readonly default?: unknown;
  readonly secret?: boolean;
}

export interface ProjectFile {
  readonly name: string;
  readonly config: Readonly<Record<string, ConfigDeclaration>>;
}

export function loadProject(dir: string = PROJECT_DIR): ProjectFile {
  const parsed = YAML.parse(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as {
    name: string;
    config?: Record<string, ConfigDeclaration>;
  };
  return { name: parsed.name, config: parsed.config ?? {} };
}

/** Stack names that have a `Pulumi.<stack>.yaml`, sorted. */
export function listStacks(dir: string = PROJECT_DIR): string[] {
  return fs
    .readdirSync(dir)
    .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined)
    .sort();
}

/** The `config:` map of `Pulumi.<stack>.yaml`, keys fully qualified (`ams:activeColor`, `aws:region`). */
export function loadStackConfig(stack: string, dir: string = PROJECT_DIR): Record<string, unknown> {
  const file = path.join(dir, `Pulumi.${stack}.yaml`);
  if (!/^[A-Za-z0-9_.-]+$/.test(stack) || !fs.existsSync(file)) {
    throw new UsageError(
      `Unknown stack "${stack}": there is no Pulumi.${stack}.yaml in ${dir}; ` +
        `stacks: ${listStacks(dir).join(", ")}.`,
    );
  }
  const parsed = (YAML.parse(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  return parsed.config ?? {};
}

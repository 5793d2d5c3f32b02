import * as path from "path";
import * as prettier from "prettier";
import { SECRET_CONFIG_KEYS } from "../config/types";
import { ConfigDeclaration, ProjectFile } from "../plan/projectFiles";

export const REFERENCE_START =
  "<!-- config-reference:start (generated from Pulumi.yaml by `npm run docs`) -->";
export const REFERENCE_END = "<!-- config-reference:end -->";

/** The README's config reference, rendered from the typed schema in `Pulumi.yaml` (the single source). */
export function renderConfigReference(project: ProjectFile): string {
  const rows = Object.entries(project.config).map(([key, declaration]) => {
    const secret = (SECRET_CONFIG_KEYS as readonly string[]).includes(key);
    const cells = [
      `\`${key}\``,
      secret ? `${kindOf(declaration)}, secret` : kindOf(declaration),
      defaultOf(declaration),
      oneLine(declaration.description ?? ""),
    ];
    return `| ${cells.join(" | ")} |`;
  });
  return [
    REFERENCE_START,
    "| Key | Type | Default | Meaning |",
    "| --- | --- | --- | --- |",
    ...rows,
    REFERENCE_END,
  ].join("\n");
}

/**
 * The README with the reference between the markers replaced, formatted the way `prettier --check` wants
 * it (the table is aligned by Prettier, not by hand).
 */
export async function withConfigReference(
  readme: string,
  reference: string,
  readmePath: string,
): Promise<string> {
  const start = readme.indexOf(REFERENCE_START);
  const end = readme.indexOf(REFERENCE_END);
  if (start < 0 || end < start) throw new Error("README has no config-reference markers");
  const replaced = readme.slice(0, start) + reference + readme.slice(end + REFERENCE_END.length);
  const options = (await prettier.resolveConfig(readmePath)) ?? {};
  return prettier.format(replaced, { ...options, filepath: path.resolve(readmePath) });
}

function kindOf(declaration: ConfigDeclaration): string {
  return declaration.type === "array" ? "list of strings" : (declaration.type ?? "object");
}

function defaultOf(declaration: ConfigDeclaration): string {
  if (declaration.default === undefined) return "—";
  return `\`${JSON.stringify(declaration.default)}\``;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").replace(/\|/g, "\\|").trim();
}

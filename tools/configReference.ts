import * as path from "path";
import * as prettier from "prettier";
import { SECRET_CONFIG_KEYS } from "../config/types";
import { ConfigDeclaration, ProjectFile } from "../plan/projectFiles";

export const REFERENCE_START =
  "<!-- config-reference:start (generated from Pulumi.yaml by `npm run docs`) -->";
export const REFERENCE_END = "<!-- config-reference:end -->";

/** Where the generated reference lives, relative to the project directory. */
export const CONFIG_REFERENCE_DOC = "docs/configuration.md";

/**
 * The config reference, rendered from the typed schema in `Pulumi.yaml` (the single source): one section per
 * key — a table would pad every row to its longest default and description.
 */
export function renderConfigReference(project: ProjectFile): string {
  const sections = Object.entries(project.config).map(([key, declaration]) => {
    const secret = (SECRET_CONFIG_KEYS as readonly string[]).includes(key);
    const kind = secret ? `${kindOf(declaration)}, secret` : kindOf(declaration);
    return [
      `### \`${key}\``,
      `${kind} · default ${defaultOf(declaration)}`,
      oneLine(declaration.description ?? ""),
    ].join("\n\n");
  });
  return [REFERENCE_START, ...sections, REFERENCE_END].join("\n\n");
}

/**
 * The document with the reference between the markers replaced, formatted the way `prettier --check` wants
 * it, so the generated text and the hand-written text around it stay one file.
 */
export async function withConfigReference(
  document: string,
  reference: string,
  documentPath: string,
): Promise<string> {
  const start = document.indexOf(REFERENCE_START);
  const end = document.indexOf(REFERENCE_END);
  if (start < 0 || end < start) throw new Error(`${documentPath} has no config-reference markers`);
  const replaced = document.slice(0, start) + reference + document.slice(end + REFERENCE_END.length);
  const options = (await prettier.resolveConfig(documentPath)) ?? {};
  return prettier.format(replaced, { ...options, filepath: path.resolve(documentPath) });
}

function kindOf(declaration: ConfigDeclaration): string {
  return declaration.type === "array" ? "list of strings" : (declaration.type ?? "object");
}

function defaultOf(declaration: ConfigDeclaration): string {
  if (declaration.default === undefined) return "—";
  return `\`${JSON.stringify(declaration.default)}\``;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

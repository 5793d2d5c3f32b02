import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { PROJECT_DIR } from "../../tools/cli/project";

/** Every TypeScript file of the repository (tracked or new), relative to the project directory. */
function sourceFiles(): string[] {
  const walk = (dir: string): string[] =>
    fs.readdirSync(path.join(PROJECT_DIR, dir), { withFileTypes: true }).flatMap((entry) => {
      const relative = path.join(dir, entry.name);
      if (entry.isDirectory())
        return entry.name.startsWith(".") || UNTRACKED.includes(entry.name) ? [] : walk(relative);
      return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [relative] : [];
    });
  return walk(".").map((file) => path.normalize(file));
}

/** The relative module specifiers a file imports (static, dynamic and `require`), resolved to paths. */
function importedPaths(file: string): string[] {
  const text = fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles
    .map((imported) => imported.fileName)
    .filter((specifier) => specifier.startsWith("."))
    .map((specifier) => path.normalize(path.join(path.dirname(file), specifier)));
}

/** String and template literals of a file's code (comments are not code), with their line. */
function literals(file: string): { text: string; line: number }[] {
  const source = ts.createSourceFile(
    file,
    fs.readFileSync(path.join(PROJECT_DIR, file), "utf8"),
    ts.ScriptTarget.ES2022,
    true,
  );
  const found: { text: string; line: number }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) return;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node))
      found.push({ text: node.text, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * The `ComponentResource` classes of a file: their public values (readonly properties that are not resources
 * or providers), the keys their constructor registers, its early returns and its registerOutputs calls.
 */
function componentClasses(file: string) {
  const text = fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  // Resources (SDK classes such as aws.secretsmanager.SecretVersion, components) are not values.
  const isResourceType = (type: string) =>
    /Resource|Provider|BlueGreenService|\b(aws|k8s|random|eks|awsx)\.[\w.]*\.[A-Z]\w*/.test(type);
  return source.statements.filter(ts.isClassDeclaration).flatMap((declaration) => {
    const base = declaration.heritageClauses?.[0]?.types[0]?.expression.getText(source);
    if (base !== "pulumi.ComponentResource" || !declaration.name) return [];
    const values = declaration.members
      .filter(ts.isPropertyDeclaration)
      .filter((member) => member.modifiers?.some((m) => m.kind === ts.SyntaxKind.ReadonlyKeyword))
      .filter((member) => !member.modifiers?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword))
      .filter((member) => !isResourceType(member.type?.getText(source) ?? ""))
      .map((member) => member.name.getText(source))
      .sort();
    const constructor = declaration.members.find(ts.isConstructorDeclaration);
    const registered = new Set<string>();
    let returns = 0;
    let calls = 0;
    const visit = (node: ts.Node) => {
      if (ts.isFunctionLike(node) && node !== constructor) return;
      if (ts.isReturnStatement(node)) returns += 1;
      if (
        ts.isCallExpression(node) &&
        node.expression.getText(source) === "this.registerOutputs" &&
        node.arguments[0] &&
        ts.isObjectLiteralExpression(node.arguments[0])
      ) {
        calls += 1;
        for (const property of node.arguments[0].properties)
          registered.add(property.name?.getText(source) ?? "");
      }
      ts.forEachChild(node, visit);
    };
    if (constructor) visit(constructor);
    return [{ name: declaration.name.text, values, registered: [...registered].sort(), returns, calls }];
  });
}

/** Folders that are never committed (.gitignore). */
const UNTRACKED = ["node_modules", "bin", "plan-out"];

const isTest = (file: string) => file.split(path.sep)[0] === "tests";

describe("layout: one home per concept (docs/architecture.md, CONTRIBUTING.md)", () => {
  it("no production module imports from tests/ (the plan, the tools and the program stand on their own)", () => {
    const offenders = sourceFiles()
      .filter((file) => !isTest(file))
      .flatMap((file) =>
        importedPaths(file)
          .filter(isTest)
          .map((target) => `${file} → ${target}`),
      );
    assert.deepEqual(offenders, []);
  });

  it("the import check sees an import into tests/ (so the rule above can fail)", () => {
    assert.deepEqual(importedPaths(path.join("tests", "helpers", "cli.ts")).filter(isTest), [
      path.join("tests", "helpers", "plans"),
    ]);
  });

  it("physical names (`ams-…`) are built in components/names.ts and nowhere else in the program", () => {
    const program = sourceFiles().filter(
      (file) =>
        file === "index.ts" ||
        (file.startsWith(`components${path.sep}`) && file !== path.join("components", "names.ts")),
    );
    const inline = program.flatMap((file) =>
      literals(file)
        .filter((literal) => /^ams-/.test(literal.text))
        .map((literal) => `${file}:${literal.line} "${literal.text}"`),
    );
    assert.deepEqual(inline, []);
    // The scan reads code, not comments: names.ts itself is full of such literals.
    assert.ok(
      literals(path.join("components", "names.ts")).some((literal) => literal.text.startsWith("ams-")),
    );
  });

  it("every ComponentResource registers each public value it exposes, on every return path (CONTRIBUTING.md)", () => {
    const components = sourceFiles()
      .filter((file) => file.startsWith(`components${path.sep}`))
      .flatMap((file) => componentClasses(file).map((component) => ({ file, ...component })));
    assert.ok(components.length >= 8, `found ${components.length} components`);
    const problems = components.flatMap(({ file, name, values, registered, returns, calls }) => [
      ...values
        .filter((value) => !registered.includes(value))
        .map((value) => `${file} ${name}: ${value} not registered`),
      ...registered
        .filter((key) => !values.includes(key))
        .map((key) => `${file} ${name}: registers ${key}, no such value`),
      ...(calls < returns + 1
        ? [`${file} ${name}: ${returns} early returns but ${calls} registerOutputs calls`]
        : []),
    ]);
    assert.deepEqual(problems, []);
  });

  it("docs/architecture.md opens with the layout: one line per top-level folder, and only the folders there are", () => {
    const architecture = fs.readFileSync(path.join(PROJECT_DIR, "docs", "architecture.md"), "utf8");
    const layout = /## Layout\n[^]*?```\n([^]*?)```/.exec(architecture);
    assert.ok(layout, "docs/architecture.md has a Layout section with the map in a code block");
    assert.ok(
      architecture.indexOf("## Layout") < architecture.indexOf("\n## ", architecture.indexOf("\n## ") + 1),
      "the layout is the first section",
    );
    const documented = layout[1]
      .split("\n")
      .map((line) => /^(\S+)\/\s/.exec(line)?.[1])
      .filter((folder): folder is string => folder !== undefined)
      .sort();
    const folders = fs
      .readdirSync(PROJECT_DIR, { withFileTypes: true })
      .filter(
        (entry) => entry.isDirectory() && !entry.name.startsWith(".") && !UNTRACKED.includes(entry.name),
      )
      .map((entry) => entry.name)
      .sort();
    assert.deepEqual(documented, folders);
  });
});

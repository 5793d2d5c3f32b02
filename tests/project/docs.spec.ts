import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../../tools/cli/project";

const read = (file: string) => fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");

/** Markdown files an operator follows: the README, CONTRIBUTING and everything under docs/. */
function operatorDocs(): string[] {
  const docs = fs
    .readdirSync(path.join(PROJECT_DIR, "docs"))
    .filter((file) => file.endsWith(".md"))
    .map((file) => path.join("docs", file));
  return ["README.md", "CONTRIBUTING.md", ...docs];
}

describe("operator docs", () => {
  it("every relative link and backticked docs/ path points at a file that exists", () => {
    const broken: string[] = [];
    for (const file of operatorDocs()) {
      const text = read(file);
      const links = [...text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]);
      const mentioned = [
        ...text.matchAll(/`((?:docs|tools|deployments|components)\/[\w./-]+\.(?:md|ts|yml))`/g),
      ].map((m) => path.relative(path.dirname(file), m[1]));
      for (const target of [...links, ...mentioned]) {
        if (/^[a-z]+:/.test(target)) continue;
        if (!fs.existsSync(path.join(PROJECT_DIR, path.dirname(file), target)))
          broken.push(`${file} → ${target}`);
      }
    }
    assert.deepEqual(broken, []);
  });

  it("the change log keeps the Keep a Changelog shape: Unreleased first, versions dated, known categories", () => {
    const lines = read("docs/change-log.md").split("\n");
    const versions = lines.filter((line) => line.startsWith("## "));
    assert.equal(versions[0], "## [Unreleased]");
    for (const heading of versions.slice(1))
      assert.match(heading, /^## \[\d+\.\d+\.\d+\] - \d{4}-\d{2}-\d{2}$/);
    const categories = lines.filter((line) => line.startsWith("### ")).map((line) => line.slice(4));
    const allowed = ["Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"];
    assert.ok(categories.length > 0);
    assert.deepEqual(
      categories.filter((category) => !allowed.includes(category)),
      [],
    );
  });

  it("the README's Operating section links every runbook and operations doc", () => {
    const readme = read("README.md");
    const operating = readme.slice(
      readme.indexOf("## Operating AMS"),
      readme.indexOf("\n## ", readme.indexOf("## Operating AMS") + 1),
    );
    for (const doc of operatorDocs().filter((file) => /runbook-|dora|deployments|change-log/.test(file))) {
      assert.ok(operating.includes(`(${doc})`), `${doc} is not linked from "Operating AMS"`);
    }
    assert.ok(operating.includes("(CONTRIBUTING.md)"));
  });
});

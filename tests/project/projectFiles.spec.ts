import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { parseAmsConfig } from "../../config/parse";
import { RawConfig } from "../../config/rawConfig";
import { projectValues } from "../../config/load";
import { SECRET_CONFIG_KEYS } from "../../config/types";
import {
  CONFIG_REFERENCE_DOC,
  renderConfigReference,
  withConfigReference,
} from "../../tools/configReference";
import { loadProject, loadStackConfig } from "../../plan/projectFiles";
import { PROJECT_DIR } from "../../tools/cli/project";
import { buildProgramConfig } from "../../plan/stackConfig";
import { STACKS } from "../helpers/plans";

describe("project files", () => {
  const project = loadProject();

  it("Pulumi.yaml is the ams project on the nodejs runtime", () => {
    const raw = YAML.parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8"));
    assert.equal(raw.name, "ams");
    assert.equal(raw.runtime.name, "nodejs");
  });

  it("every key has a description and a default (so no stack is forced to set it) and plain keys a type", () => {
    for (const [key, declaration] of Object.entries(project.config)) {
      assert.ok((declaration.description ?? "").length > 20, `${key} needs a description`);
      // The Pulumi CLI treats a declared key without a default as required in every stack.
      assert.ok(declaration.default !== undefined, `${key} needs a default`);
      // Pulumi's schema types cannot describe objects (or lists of objects); those keys stay untyped.
      const value = declaration.default;
      const structured =
        (typeof value === "object" && value !== null && !Array.isArray(value)) ||
        (Array.isArray(value) && value.some((item) => typeof item === "object"));
      if (!structured) assert.ok(declaration.type, `${key} needs a type`);
      if (declaration.type === "integer") assert.ok(Number.isInteger(declaration.default), key);
      if (declaration.type === "string") assert.equal(typeof declaration.default, "string", key);
      if (declaration.type === "boolean") assert.equal(typeof declaration.default, "boolean", key);
      if (declaration.type === "array") assert.ok(Array.isArray(declaration.default), key);
    }
  });

  it("secret keys are described as secrets and default to none", () => {
    for (const key of SECRET_CONFIG_KEYS) {
      assert.match(project.config[key].description ?? "", /^Secret: .*--secret/);
      assert.equal(project.config[key].default, "");
    }
  });

  it("declares exactly the keys the program reads", () => {
    const config = buildProgramConfig(project, loadStackConfig("prod"), []);
    const raw = new RawConfig(projectValues(config.values, project.name));
    parseAmsConfig({ project: project.name, stack: "prod", raw, awsRegion: config.values["aws:region"] });
    assert.deepEqual(raw.knownKeys(), Object.keys(project.config).sort());
  });

  for (const stack of STACKS) {
    it(`Pulumi.${stack}.yaml holds values only: declared ams keys and aws:region, no secrets in plain text`, () => {
      const values = loadStackConfig(stack);
      assert.equal(values["aws:region"], "ap-northeast-2");
      for (const [key, value] of Object.entries(values)) {
        if (key.startsWith("aws:")) continue;
        const bare = key.replace(/^ams:/, "");
        assert.ok(key.startsWith("ams:") && bare in project.config, `${key} is not declared in Pulumi.yaml`);
        if (project.config[bare].secret)
          assert.ok(typeof value === "object" && value && "secure" in value, key);
      }
    });
  }

  it("docs/configuration.md matches Pulumi.yaml (run `npm run docs` to refresh it)", async () => {
    const referencePath = path.join(PROJECT_DIR, CONFIG_REFERENCE_DOC);
    const reference = fs.readFileSync(referencePath, "utf8");
    assert.equal(
      await withConfigReference(reference, renderConfigReference(project), referencePath),
      reference,
    );
  });

  it("the README's two set-up commands are the ones .ci/run runs", () => {
    const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
    const ci = fs.readFileSync(path.join(PROJECT_DIR, ".ci", "run"), "utf8");
    for (const command of ["npm ci && npm run plan -- --stack dev", "npm test"]) {
      assert.ok(readme.includes(command), `README lacks ${command}`);
      assert.ok(ci.includes(command), `.ci/run lacks ${command}`);
    }
  });
});

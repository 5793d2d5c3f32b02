import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { ConfigError } from "../../../config/errors";
import { EXIT } from "../../../tools/cli/exitCodes";
import { ROUND_TRIP_OPTIONS, setConfigValue, StackFileError } from "../../../tools/promote/stackFile";
import { PROJECT_DIR } from "../../../tools/cli/project";
import { runPlan } from "../../../plan/runPlan";
import { runExclusive, STACKS } from "../../helpers/plans";
import { APP_COMMIT, copyOfProject, promote } from "../../helpers/promote";

const stackText = (dir: string, stack: string) =>
  fs.readFileSync(path.join(dir, `Pulumi.${stack}.yaml`), "utf8");

/** Lines of `after` that are not at the same place in `before` (a one-line insertion counts once). */
function changedLines(before: string, after: string): string[] {
  const [old, next] = [before.split("\n"), after.split("\n")];
  if (next.length === old.length + 1) {
    const index = next.findIndex((line, i) => line !== old[i]);
    return [...next.slice(0, index), ...next.slice(index + 1)].join("\n") === before ? [next[index]] : next;
  }
  return next.filter((line, i) => line !== old[i]);
}

/** What the program itself says when evaluated with this change, on the copies (ConfigError text). */
async function programRefusal(dir: string, stack: string, key: string, value: string): Promise<string> {
  try {
    await runExclusive(() => runPlan({ projectDir: dir, stack, overrides: [{ key, value }] }));
  } catch (err) {
    if (ConfigError.isConfigError(err)) return err.message;
    throw err;
  }
  throw new Error(`the program accepts ${key}=${value} on ${stack}`);
}

describe("npm run promote (a new version into Pulumi.<stack>.yaml, as an operator would)", function () {
  this.timeout(120_000);

  it("the yaml package reproduces every committed stack file byte for byte (so an edit touches one line)", () => {
    for (const stack of STACKS) {
      const text = fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8");
      assert.equal(YAML.parseDocument(text).toString(ROUND_TRIP_OPTIONS), text, stack);
    }
  });

  for (const stack of STACKS) {
    it(`${stack}: the idle color gets the version, a one-line diff, and the plan of the change is printed`, async () => {
      const dir = copyOfProject();
      const before = stackText(dir, stack);
      const committed = YAML.parse(before).config as Record<string, string>;
      const live = committed["ams:activeColor"] ?? "blue";
      const idleKey = `ams:${live === "blue" ? "green" : "blue"}Version`;

      const result = await promote(dir, "--stack", stack, "--version", "9.9.9");
      assert.equal(result.status, EXIT.ok, result.stderr);
      const after = stackText(dir, stack);
      assert.deepEqual(changedLines(before, after), [`  ${idleKey}: 9.9.9`]);
      assert.deepEqual(YAML.parse(after).config, { ...committed, [idleKey]: "9.9.9" });
      // The offline plan --compare of exactly this change, from the plan engine (plan/command.ts).
      assert.match(
        result.stdout,
        new RegExp(`Compare ams/${stack}: stack config vs --compare ${idleKey.slice(4)}=9\\.9\\.9`),
      );
      assert.match(
        result.stdout,
        /(~ update|\+ create) kubernetes:apps\/v1:Deployment {2}ams-release-api-(blue|green)/,
      );
      assert.match(result.stdout, /ams-api:9\.9\.9/);
      assert.doesNotMatch(result.stdout, /activeColor|ams-release-api-stable/);
    });
  }

  it("a key the file does not set goes in next to its sibling, still one line", async () => {
    const dir = copyOfProject();
    const before = stackText(dir, "dev");
    assert.ok(!before.includes("greenVersion"), "dev sets no greenVersion: the case under test");
    assert.equal((await promote(dir, "--stack", "dev", "--version", "1.10")).status, EXIT.ok);
    const lines = stackText(dir, "dev").split("\n");
    // "1.10" quoted: plain, YAML would read the number 1.1.
    assert.equal(
      lines[lines.findIndex((line) => line.includes("ams:blueVersion")) + 1],
      '  ams:greenVersion: "1.10"',
    );
    assert.equal(YAML.parse(stackText(dir, "dev")).config["ams:greenVersion"], "1.10");
  });

  it("comments, blank lines and quoting survive", async () => {
    const dir = copyOfProject((stack, text) =>
      stack === "prod"
        ? text
            .replace(
              "  ams:greenVersion: 1.3.2",
              "  # the idle color: what the next cut-over brings\n  ams:greenVersion: 1.3.2 # was 1.3.1",
            )
            .replace("  ams:idleColorPolicy: full", '\n  ams:idleColorPolicy: "full"')
        : text,
    );
    const before = stackText(dir, "prod");
    assert.equal((await promote(dir, "--stack", "prod", "--version", "1.5.0")).status, EXIT.ok);
    assert.deepEqual(changedLines(before, stackText(dir, "prod")), ["  ams:greenVersion: 1.5.0 # was 1.3.1"]);
    assert.ok(stackText(dir, "prod").includes("  # the idle color: what the next cut-over brings\n"));
    assert.ok(stackText(dir, "prod").includes('\n\n  ams:idleColorPolicy: "full"'));
  });

  it("rolling and canary get the version on the active color's key", async () => {
    for (const strategy of ["rolling", "canary"]) {
      const dir = copyOfProject((_, text) =>
        text.replace("config:\n", `config:\n  ams:strategy: ${strategy}\n`),
      );
      const before = stackText(dir, "staging");
      const result = await promote(dir, "--stack", "staging", "--version", "1.5.0");
      assert.equal(result.status, EXIT.ok, result.stderr);
      assert.deepEqual(
        changedLines(before, stackText(dir, "staging")),
        ["  ams:blueVersion: 1.5.0"],
        strategy,
      );
      assert.match(result.stdout, new RegExp(`${strategy} deploys it to the active color blue`));
    }
  });

  it("a version the file already has is nothing to do: exit 0, file untouched", async () => {
    const dir = copyOfProject();
    const before = stackText(dir, "prod");
    const result = await promote(dir, "--stack", "prod", "--version", "1.3.2");
    assert.equal(result.status, EXIT.ok);
    assert.match(result.stdout, /already sets greenVersion: 1\.3\.2; nothing to promote/);
    assert.equal(stackText(dir, "prod"), before);
  });

  it("--dry-run prints the plan and leaves the file as it is", async () => {
    const dir = copyOfProject();
    const before = stackText(dir, "prod");
    const result = await promote(dir, "--stack", "prod", "--version", "1.5.0", "--dry-run");
    assert.equal(result.status, EXIT.ok, result.stderr);
    assert.match(result.stdout, /Compare ams\/prod/);
    assert.equal(stackText(dir, "prod"), before);
  });

  describe("refuses what the program's guard rails refuse, with the program's own message (exit 4, file untouched)", () => {
    async function refused(dir: string, stack: string, ...argv: string[]) {
      const before = stackText(dir, stack);
      const result = await promote(dir, "--stack", stack, ...argv);
      assert.equal(result.status, EXIT.refused, result.stdout + result.stderr);
      assert.equal(stackText(dir, stack), before, "the stack file must not change");
      assert.equal(result.stdout, "");
      return result.stderr;
    }

    it("an invalid version: the config rule names the key, the value and what is allowed", async () => {
      const dir = copyOfProject();
      const stderr = await refused(dir, "prod", "--version", "-1.5");
      assert.ok(stderr.includes(await programRefusal(dir, "prod", "greenVersion", "-1.5")), stderr);
      assert.match(stderr, /greenVersion is "-1\.5"; allowed: an image tag/);
    });

    it("a version on the live color, unless allowLiveUpdate is set", async () => {
      const dir = copyOfProject();
      const stderr = await refused(dir, "prod", "--version", "1.5.0", "--color", "blue");
      assert.ok(stderr.includes(await programRefusal(dir, "prod", "blueVersion", "1.5.0")), stderr);
      assert.match(
        stderr,
        /blueVersion is "1\.5\.0"; allowed: "1\.4\.0", the version blue is serving, because blue takes traffic/,
      );

      const hotfix = copyOfProject((_, text) =>
        text.replace("config:\n", "config:\n  ams:allowLiveUpdate: true\n"),
      );
      const result = await promote(hotfix, "--stack", "prod", "--version", "1.4.1", "--color", "blue");
      assert.equal(result.status, EXIT.ok, result.stderr);
      assert.match(result.stdout, /updates the live color blue in place/);
    });

    it("a new idle version while preview traffic reaches it", async () => {
      const dir = copyOfProject((stack, text) =>
        stack === "staging" ? text.replace("config:\n", "config:\n  ams:previewWeight: 10\n") : text,
      );
      const stderr = await refused(dir, "staging", "--version", "1.5.0");
      assert.ok(stderr.includes(await programRefusal(dir, "staging", "greenVersion", "1.5.0")), stderr);
      assert.match(stderr, /greenVersion is "1\.5\.0"; allowed: "1\.4\.0" while previewWeight is 10/);
    });

    it("a pending flip: the applied color (--deployed) is not the committed one, in either direction", async () => {
      const dir = copyOfProject((stack, text) =>
        stack === "staging" ? text.replace("config:\n", "config:\n  ams:activeColor: green\n") : text,
      );
      const outputs = path.join(dir, "outputs.json");
      // What `pulumi stack output --json` prints (other outputs are ignored).
      const applied = (activeColor: string, activeVersion: string, idleVersion: string) =>
        fs.writeFileSync(
          outputs,
          JSON.stringify({ strategy: "blueGreen", activeColor, activeVersion, idleVersion, region: "x" }),
        );
      // prod's file says blue is live, but the cut-over already moved traffic to green (not yet merged):
      // the idle color by the applied state is blue, and a new blue would ride along the flip back.
      applied("green", "1.3.2", "1.4.0");
      const lagging = await refused(dir, "prod", "--version", "1.5.0", "--deployed", outputs);
      assert.match(
        lagging,
        /blueVersion is "1\.5\.0"; allowed: "1\.4\.0", what blue ran while idle, in the update that flips traffic to it/,
      );
      // staging's file already says green (a flip not yet applied): green would get a version no one tried.
      applied("blue", "1.4.0", "1.4.0");
      const ahead = await refused(dir, "staging", "--version", "1.5.0", "--deployed", outputs);
      assert.match(
        ahead,
        /greenVersion is "1\.5\.0"; allowed: "1\.4\.0", what green ran while idle, in the update that flips traffic to it/,
      );
    });

    it("--color of the idle color on a rolling or canary stack, whose version nothing deploys", async () => {
      const dir = copyOfProject((_, text) => text.replace("config:\n", "config:\n  ams:strategy: rolling\n"));
      const stderr = await refused(dir, "prod", "--version", "1.5.0", "--color", "green");
      assert.match(stderr, /--color is "green"; allowed: blue or no --color: strategy is rolling/);
    });

    it("a stack file that does not validate as it stands", async () => {
      const dir = copyOfProject((stack, text) =>
        stack === "dev" ? `${text}  ams:activeColour: green\n` : text,
      );
      const stderr = await refused(dir, "dev", "--version", "1.5.0");
      assert.match(
        stderr,
        /Pulumi\.dev\.yaml does not validate as it stands.*activeColour is set in Pulumi\.dev\.yaml; allowed: a key this program reads \(did you mean activeColor\?\)/s,
      );
    });
  });

  describe("exit codes (docs/app-pipeline.md)", () => {
    for (const [argv, message] of [
      [["--version", "1.5.0"], /--stack is required/],
      [["--stack", "prod"], /--version is required/],
      [["--stack", "prod", "--version", ""], /--version "" is empty/],
      [
        ["--stack", "prod", "--version", "1.5.0", "--color", "red"],
        /--color "red" is not a color; allowed: blue, green/,
      ],
      [["--stack", "qa", "--version", "1.5.0"], /Unknown stack "qa": there is no Pulumi\.qa\.yaml/],
      [
        ["--stack", "prod", "--version", "1.5.0", "--app-commit", APP_COMMIT],
        /--app-commit and --app-commit-time go together/,
      ],
      [
        [
          "--stack",
          "prod",
          "--version",
          "1",
          "--app-commit",
          "ams@HEAD",
          "--app-commit-time",
          "2024-05-20T10:00:00Z",
        ],
        /--app-commit "ams@HEAD" is not a commit reference; allowed: owner\/name@<40-hex commit id>/,
      ],
      [
        ["--stack", "prod", "--version", "1", "--app-commit-time", "yesterday"],
        /--app-commit-time "yesterday" is not an RFC 3339 time/,
      ],
      [
        ["--stack", "prod", "--version", "1", "--deployed", "/nonexistent/outputs.json"],
        /--deployed ".*outputs\.json" cannot be read as JSON/,
      ],
      [["--stack", "prod", "--verison", "1"], /Unknown flag "--verison"/],
    ] as const) {
      it(`${argv.join(" ") || "(none)"}: exit 2 naming the flag`, async () => {
        const dir = copyOfProject();
        const result = await promote(dir, ...argv);
        assert.equal(result.status, EXIT.usage, result.stderr);
        assert.match(result.stderr, message);
      });
    }

    it("a stack file the yaml package would reformat: exit 1, set it by hand, nothing written", async () => {
      const dir = copyOfProject((stack, text) =>
        stack === "prod" ? text.replace("[ams-oncall@example.com]", "[ ams-oncall@example.com ]") : text,
      );
      const before = stackText(dir, "prod");
      const result = await promote(dir, "--stack", "prod", "--version", "1.5.0");
      assert.equal(result.status, EXIT.failed);
      assert.match(
        result.stderr,
        /Pulumi\.prod\.yaml would be reformatted beyond the edited line .* set ams:greenVersion: 1\.5\.0 by hand/,
      );
      assert.equal(stackText(dir, "prod"), before);
    });

    it("the table in docs/app-pipeline.md lists exactly the codes promote uses, with their meaning", () => {
      const docs = fs.readFileSync(path.join(PROJECT_DIR, "docs", "app-pipeline.md"), "utf8");
      const section = docs.slice(docs.indexOf("### Exit codes of `npm run promote`"));
      const rows = [...section.matchAll(/^\| (\d) +\| (.+?) +\|$/gm)].map((match) => [
        Number(match[1]),
        match[2],
      ]);
      assert.deepEqual(
        rows.map(([code]) => code),
        [EXIT.ok, EXIT.failed, EXIT.usage, EXIT.refused],
      );
      assert.match(String(rows[3][1]), /refused/);
    });
  });

  describe("the edit itself (tools/promote/stackFile.ts)", () => {
    it("refuses a result that would declare more than the one value, or touch more than its line", () => {
      const text = "config:\n  ams:blueVersion: 1.4.0\n";
      assert.equal(
        setConfigValue(text, "f", "ams:blueVersion", "1.5.0").text,
        "config:\n  ams:blueVersion: 1.5.0\n",
      );
      assert.throws(
        () => setConfigValue("config:\n  ams:blueVersion: {secure: x}\n", "f", "ams:blueVersion", "1"),
        StackFileError,
      );
      assert.throws(() => setConfigValue("config: [a]\n", "f", "ams:blueVersion", "1"), /no config: map/);
      assert.throws(
        () => setConfigValue("config:\n  a: [ x ]\n", "f", "ams:blueVersion", "1"),
        /reformatted/,
      );
    });
  });
});

import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { EXIT } from "../../../tools/cli/exitCodes";

describe("cut-over: the command without a Pulumi CLI", function () {
  this.timeout(60_000);

  /** `npm run cutover -- <args>` through its entry point, with no `pulumi` on PATH. */
  const withoutCli = (...args: string[]) =>
    spawnSync(
      process.execPath,
      ["--require", "tsx/cjs", path.resolve(__dirname, "..", "..", "..", "tools", "cutover.ts"), ...args],
      { encoding: "utf8", env: { ...process.env, PATH: path.dirname(process.execPath) } },
    );

  it("the command exits 2 naming the flag, before touching any stack", () => {
    // Were the stack opened, the missing CLI would make it exit 5 ("nothing changed"), not 2.
    const result = withoutCli("--stack", "prod", "--to", "purple");
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /--to "purple" is not a color; allowed: blue, green/);
  });

  it("no Pulumi CLI on PATH: exit 5 (nothing changed) with one line, not the SDK's doubled `spawn pulumi ENOENT`", () => {
    const result = withoutCli("--stack", "prod", "--to", "green");
    assert.equal(result.status, EXIT.nothingChanged, result.stderr);
    assert.match(result.stderr, /^Nothing was changed: The Pulumi CLI \(`pulumi`\) is not on PATH/m);
    assert.doesNotMatch(result.stderr, /ENOENT|code: -2|err\?:/);
  });
});

import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { PROJECT_DIR } from "../../tools/cli/project";

/**
 * The repository's `.npmrc` as npm itself applies it: the real npm CLI (the one running the tests, or the one
 * on PATH) runs real scripts, with no npm settings inherited from an outer `npm test`.
 */
function npm(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  const execPath = process.env.npm_execpath;
  const [command, prefix] =
    execPath && /npm-cli\.js$/.test(execPath) ? [process.execPath, [execPath]] : ["npm", []];
  const result = spawnSync(command, [...prefix, ...args], {
    cwd: PROJECT_DIR,
    env,
    encoding: "utf8",
    timeout: 90_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe(".npmrc: npm's own output under the repository's settings", function () {
  this.timeout(120_000);

  it("a failing npm command says why (a silenced npm would exit 1 without a word)", () => {
    const result = npm("run", "no-such-script");
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /Missing script: "no-such-script"/);
  });

  it("`npm run plan -- --json` is one JSON document on stdout; npm's run-script banner goes to stderr", () => {
    const result = npm("run", "plan", "--", "--stack", "dev", "--json");
    assert.equal(result.status, 0, result.stderr);
    const plan = JSON.parse(result.stdout) as { stack: string; resources: unknown[] };
    assert.equal(plan.stack, "dev");
    assert.ok(plan.resources.length > 50);
    assert.match(result.stderr, /^> ams-platform@[\d.]+ plan$/m);
  });
});

import { strict as assert } from "assert";
import { walkFlags } from "../../../tools/cli/flags";
import { missingAwsCredentials, PULUMI_CLI_MISSING } from "../../../tools/cli/prerequisites";
import { formatDurationRounded, parseDuration } from "../../../tools/cli/time";
import { UsageError } from "../../../tools/cli/usageError";
import { cloudWatchAlarmsIn } from "../../../tools/cutover/cloudWatch";

describe("the commands' CLI kit", () => {
  it("one duration parser for every flag, each flag naming the units it takes", () => {
    assert.equal(parseDuration("90s"), 90_000);
    assert.equal(parseDuration("30d", ["h", "d", "w"]), 30 * 86_400_000);
    assert.equal(parseDuration("4w", ["h", "d", "w"]), 28 * 86_400_000);
    // A unit the flag does not take is refused, not converted.
    assert.equal(parseDuration("30d"), undefined);
    assert.equal(parseDuration("90s", ["h", "d", "w"]), undefined);
    for (const bad of ["010m", "1234567s", "5 m", "5M"]) assert.equal(parseDuration(bad), undefined, bad);
  });

  it("reports print rounded durations: minutes, hours and minutes, days and hours", () => {
    assert.equal(formatDurationRounded(45 * 60_000), "45 min");
    assert.equal(formatDurationRounded(200 * 60_000), "3 h 20 min");
    assert.equal(formatDurationRounded(52 * 3_600_000), "2 d 4 h");
  });

  it("every flag error is a UsageError naming the flag (exit 2)", () => {
    const known = { valued: ["--stack"], booleans: ["--json"] };
    const walk = (...argv: string[]) => walkFlags(argv, "usage", known, () => undefined);
    assert.throws(
      () => walk("--nope"),
      (e: Error) => e instanceof UsageError && /Unknown flag "--nope"/.test(e.message),
    );
    assert.throws(
      () => walk("--stack"),
      (e: Error) => e instanceof UsageError && /--stack needs a value/.test(e.message),
    );
    assert.throws(
      () => walk("dev"),
      (e: Error) => e instanceof UsageError && /Unexpected argument "dev"/.test(e.message),
    );
  });

  it("no AWS credentials: one line saying what is missing and how to get it, from the real SDK's error", async () => {
    const saved = { ...process.env };
    for (const key of Object.keys(process.env)) if (key.startsWith("AWS_")) delete process.env[key];
    // No environment keys, no profile files, no instance or container metadata: nothing to find.
    Object.assign(process.env, {
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
      AWS_CONFIG_FILE: "/nonexistent/config",
      AWS_EC2_METADATA_DISABLED: "true",
    });
    try {
      const error = await cloudWatchAlarmsIn("ap-northeast-2")
        .read(["ams-dev-api-5xx-rate"])
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      const line = missingAwsCredentials(error);
      assert.ok(line, `not recognised as missing credentials: ${String(error)}`);
      assert.match(
        line,
        /^AWS credentials are missing or expired \(CredentialsProviderError\): .*aws sso login/,
      );
      assert.ok(!line.includes("\n"));
      assert.equal(missingAwsCredentials(new Error("Throttling")), undefined);
    } finally {
      process.env = saved;
    }
  });

  it("no Pulumi CLI: the message says what to install and where, in one line", () => {
    assert.match(
      PULUMI_CLI_MISSING,
      /not on PATH\. Install it \(https:\/\/www\.pulumi\.com\/docs\/iac\/download-install\/\)/,
    );
    assert.ok(!PULUMI_CLI_MISSING.includes("\n"));
  });
});

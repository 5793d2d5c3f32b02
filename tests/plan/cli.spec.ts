import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runPlanInProcess, STACK_TRACE_LINE } from "../helpers/cli";

describe("npm run plan (the command)", function () {
  this.timeout(60_000);

  it("--out onto an existing file exits 2 naming the flag", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ams-out-")), "taken");
    fs.writeFileSync(file, "");
    const result = await runPlanInProcess("--stack", "dev", "--out", file);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /--out .*taken cannot be used as a directory/);
    assert.doesNotMatch(result.stderr, STACK_TRACE_LINE);
  });

  it("--compare --json lists per-resource changes with paths", async () => {
    const result = await runPlanInProcess("--stack", "prod", "--compare", "api.maxReplicas=20", "--json");
    assert.equal(result.status, 0, result.stderr);
    const { changes } = JSON.parse(result.stdout) as {
      changes: { urn: string; name: string; op: string; paths: string[] }[];
    };
    assert.ok(changes.every((change) => change.op === "update"));
    const quota = changes.find((change) => change.name === "ams-namespace-quota");
    assert.deepEqual(quota, {
      urn: "urn:pulumi:prod::ams::ams:environment:AmsEnvironment$ams:environment:Namespace$kubernetes:core/v1:ResourceQuota::ams-namespace-quota",
      type: "kubernetes:core/v1:ResourceQuota",
      name: "ams-namespace-quota",
      op: "update",
      paths: [
        "spec.hard.limits.cpu",
        "spec.hard.limits.memory",
        "spec.hard.pods",
        "spec.hard.requests.cpu",
        "spec.hard.requests.memory",
      ],
    });
    // The api's autoscalers follow the new maximum too; nothing else changes.
    assert.deepEqual(
      changes.filter((change) => change !== quota).map((change) => [change.name, change.paths]),
      [
        ["ams-release-api-blue", ["spec.maxReplicas"]],
        ["ams-release-api-green", ["spec.maxReplicas"]],
      ],
    );
  });

  it("--compare prints each changed path with its value before and after", async () => {
    const result = await runPlanInProcess("--stack", "prod", "--compare", "appLogLevel=WARN");
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /~ update aws:ssm\/parameter:Parameter {2}ams-config-logging-level-root/);
    assert.match(result.stdout, /insecureValue: "INFO" → "WARN"/);
    assert.match(result.stdout, /1 resource changes: 0 create, 1 update, 0 replace, 0 delete\./);
  });

  const invalid: [string, string[], RegExp][] = [
    [
      "activeColor=purple",
      ["--set", "activeColor=purple"],
      /activeColor is "purple"; allowed: one of blue, green\./,
    ],
    [
      "previewWeight=150",
      ["--set", "previewWeight=150"],
      /previewWeight is "150"; allowed: an integer from 0 to 100\./,
    ],
    [
      "a version that is not an image tag",
      ["--set", "greenVersion=1.5.0 beta"],
      /greenVersion is "1\.5\.0 beta"; allowed: an image tag/,
    ],
    [
      "an unknown stack",
      ["--stack", "qa"],
      /Unknown stack "qa": there is no Pulumi\.qa\.yaml.*stacks: dev, prod, staging\./,
    ],
    ["a malformed --set", ["--set", "activeColor"], /--set "activeColor" is not key=value/],
    [
      "bad platform config (zones, CIDR, ACM ARN, node sizes)",
      [
        "--set",
        "availabilityZones=7",
        "--set",
        "vpcCidr=10.0.0.0/8",
        "--set",
        "acmCertificateArn=arn:aws:acm:x",
        "--set",
        "nodeGroup.minSize=10",
      ],
      /\(5 problems\): vpcCidr is "10\.0\.0\.0\/8".*availabilityZones is "7".*nodeGroup\.maxSize is 9.*nodeGroup\.desiredSize is 3.*acmCertificateArn is "arn:aws:acm:x"/,
    ],
  ];

  for (const [what, args, message] of invalid) {
    it(`${what} exits 2 with a clear message and no stack trace`, async () => {
      const result = await runPlanInProcess("--stack", "prod", ...args);
      assert.equal(result.status, 2, result.stdout + result.stderr);
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, STACK_TRACE_LINE);
      assert.equal(result.stdout, "");
    });
  }
});

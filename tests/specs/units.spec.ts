import { strict as assert } from "assert";
import { ServiceSizing } from "../../config/types";
import {
  formatCpuMillis,
  formatMemoryBytes,
  parseCpuMillis,
  parseMemoryBytes,
} from "../../config/quantities";
import { namespaceQuota } from "../../components/environment/quota";
import { describeRelease } from "../../release/state";
import { amsLabels } from "../../components/labels";
import { differingPaths, valueAt } from "../../plan/compare";
import { buildProgramConfig, SECURE_PLACEHOLDER } from "../../plan/stackConfig";
import { parsePlanArgs } from "../../plan/args";

describe("pure helpers", () => {
  describe("Kubernetes quantities", () => {
    it("parses CPU in cores and millicores", () => {
      assert.equal(parseCpuMillis("250m"), 250);
      assert.equal(parseCpuMillis("1.5"), 1500);
      assert.equal(parseCpuMillis("2"), 2000);
      assert.equal(parseCpuMillis("0"), undefined);
      assert.equal(parseCpuMillis("1.2345"), undefined);
      assert.equal(parseCpuMillis("lots"), undefined);
    });
    it("parses memory in decimal and binary units", () => {
      assert.equal(parseMemoryBytes("512Mi"), 512 * 1024 * 1024);
      assert.equal(parseMemoryBytes("1G"), 1_000_000_000);
      assert.equal(parseMemoryBytes("1.5Gi"), 1.5 * 2 ** 30);
      assert.equal(parseMemoryBytes("1GB"), undefined);
      assert.equal(parseMemoryBytes("0.5"), undefined, "half a byte is not a quantity");
    });
    it("formats back to the shortest exact quantity", () => {
      assert.equal(formatCpuMillis(25000), "25");
      assert.equal(formatCpuMillis(12500), "12500m");
      assert.equal(formatMemoryBytes(130 * 2 ** 30), "130Gi");
      assert.equal(formatMemoryBytes(1536 * 2 ** 20), "1536Mi");
      assert.equal(formatMemoryBytes(1), "1Mi");
    });
  });

  describe("namespaceQuota", () => {
    it("fits two full sets of every service plus 25% and ten pods of headroom (hand-computed)", () => {
      const api: ServiceSizing = {
        minReplicas: 3,
        maxReplicas: 12,
        cpuRequest: "500m",
        cpuLimit: "2",
        memoryRequest: "1536Mi",
        memoryLimit: "3Gi",
      };
      const worker: ServiceSizing = {
        minReplicas: 2,
        maxReplicas: 8,
        cpuRequest: "500m",
        cpuLimit: "1",
        memoryRequest: "1Gi",
        memoryLimit: "2Gi",
      };
      // pods: (12 + 8) × 2 + 10 = 50; requests.cpu: (24 × 0.5 + 16 × 0.5) × 1.25 = 25 cores;
      // limits.cpu: (24 × 2 + 16 × 1) × 1.25 = 80; requests.memory: (24 × 1.5 + 16 × 1) × 1.25 = 65 Gi;
      // limits.memory: (24 × 3 + 16 × 2) × 1.25 = 130 Gi.
      assert.deepEqual(namespaceQuota({ api, worker }), {
        pods: 50,
        requestsCpu: "25",
        limitsCpu: "80",
        requestsMemory: "65Gi",
        limitsMemory: "130Gi",
      });
    });
  });

  describe("describeRelease", () => {
    const base = {
      strategy: "blueGreen" as const,
      versions: { blue: "1.4.0", green: "1.5.0" },
      idleColorPolicy: "full" as const,
    };
    it("gives the active color 100 − previewWeight and the idle color previewWeight", () => {
      const release = describeRelease({ ...base, activeColor: "green", previewWeight: 10 });
      assert.deepEqual(release.weights, { green: 90, blue: 10 });
      assert.equal(release.activeVersion, "1.5.0");
      assert.equal(release.idleColor, "blue");
      assert.equal(release.idleVersion, "1.4.0");
    });
    it("sends everything to the active color without a preview weight", () => {
      assert.deepEqual(describeRelease({ ...base, activeColor: "blue", previewWeight: 0 }).weights, {
        blue: 100,
        green: 0,
      });
    });
  });

  describe("amsLabels", () => {
    it("carries the recommended labels, and version and color only when given", () => {
      const labels = amsLabels({
        name: "ams-api",
        instance: "ams-api-blue",
        component: "api",
        environment: "dev",
      });
      assert.equal(labels["app.kubernetes.io/managed-by"], "pulumi");
      assert.equal(labels["app.kubernetes.io/part-of"], "ams");
      assert.ok(!("ams.io/color" in labels) && !("app.kubernetes.io/version" in labels));
      const colored = amsLabels({
        name: "ams-api",
        instance: "ams-api-blue",
        component: "api",
        environment: "dev",
        color: "blue",
        version: "1.4.0",
      });
      assert.equal(colored["ams.io/color"], "blue");
      assert.equal(colored["app.kubernetes.io/version"], "1.4.0");
    });
  });

  describe("plan comparison paths", () => {
    it("joins keys with dots as they are, so label keys stay readable, and indexes arrays", () => {
      const before = { spec: { selector: { "ams.io/color": "blue" }, ports: [{ port: 80 }] } };
      const after = { spec: { selector: { "ams.io/color": "green" }, ports: [{ port: 8080 }] } };
      assert.deepEqual(differingPaths(before, after, ""), [
        "spec.ports[0].port",
        "spec.selector.ams.io/color",
      ]);
      assert.equal(valueAt(after, "spec.selector.ams.io/color"), "green");
      assert.equal(valueAt(after, "spec.ports[0].port"), 8080);
    });
    it("reports an added or removed key as a difference", () => {
      assert.deepEqual(differingPaths({ a: 1 }, { a: 1, b: 2 }, "options"), ["options.b"]);
    });
  });

  describe("stack config assembly (what the Pulumi CLI would hand the program)", () => {
    const project = {
      name: "ams",
      config: {
        activeColor: { type: "string" as const, default: "blue" },
        api: { default: { minReplicas: 1, maxReplicas: 2 } },
        token: { type: "string" as const, secret: true },
      },
    };
    it("applies Pulumi.yaml defaults, then the stack file key by key, as strings", () => {
      const config = buildProgramConfig(
        project,
        { "ams:api": { minReplicas: 3, maxReplicas: 6 }, "aws:region": "ap-northeast-2" },
        [],
      );
      assert.deepEqual(config.values, {
        "ams:activeColor": "blue",
        "ams:api": '{"minReplicas":3,"maxReplicas":6}',
        "aws:region": "ap-northeast-2",
      });
      assert.deepEqual(config.secretKeys, ["ams:token"]);
    });
    it("a dotted override sets one field inside the effective structured value", () => {
      const config = buildProgramConfig(project, {}, [{ key: "api.maxReplicas", value: "5" }]);
      assert.equal(config.values["ams:api"], '{"minReplicas":1,"maxReplicas":5}');
    });
    it("a secure stack value becomes a secret placeholder", () => {
      const config = buildProgramConfig(project, { "ams:other": { secure: "v1:abc" } }, []);
      assert.equal(config.values["ams:other"], SECURE_PLACEHOLDER);
      assert.ok(config.secretKeys.includes("ams:other"));
    });
  });

  describe("plan arguments", () => {
    it("parses repeatable --set and --compare in order and defaults to the dev stack", () => {
      const args = parsePlanArgs([
        "--set",
        "a=1",
        "--compare",
        "activeColor=green",
        "--set",
        "b.c=x=y",
        "--json",
      ]);
      assert.equal(args.stack, "dev");
      assert.deepEqual(args.overrides, [
        { key: "a", value: "1" },
        { key: "b.c", value: "x=y" },
      ]);
      assert.deepEqual(args.compare, [{ key: "activeColor", value: "green" }]);
      assert.equal(args.json, true);
    });
    it("refuses config paths that would reach into JavaScript's object prototype", () => {
      for (const text of ["api.__proto__.polluted=1", "__proto__=1", "api.constructor.prototype=1"]) {
        assert.throws(() => parsePlanArgs(["--set", text]), /is not key=value/, text);
      }
    });
    it("rejects unknown flags and a flag without its value", () => {
      assert.throws(() => parsePlanArgs(["--stak", "dev"]), /Unknown flag "--stak"/);
      assert.throws(() => parsePlanArgs(["--stack"]), /--stack needs a value/);
    });
  });
});

import { strict as assert } from "assert";
import { IMAGE_TAG_PATTERN } from "../../config/fields";
import { STRATEGIES } from "../../config/types";
import { dnsLabel, labelValue } from "../../components/kubernetesNames";
import {
  isDns1035Label,
  isDns1123Label,
  isDns1123Subdomain,
  isLabelKey,
  isLabelValue,
} from "../../policy/kubernetesNames";
import { kubernetesObjects } from "../../plan/plan";
import { checkPolicies } from "../../plan/policyCheck";
import { validateKubernetesObject } from "../helpers/kubernetesSchemas";
import { planDeployed, STACKS } from "../helpers/plans";

/** Valid image tags that are awkward as Kubernetes names or labels. */
const AWKWARD_VERSIONS = [
  "1.12.0-rc.1_build.20261202.7f3a9c1e",
  `1.0.0-${"x".repeat(122)}`, // 128 characters, the longest tag
  "_Snapshot.2026-12-02.", // leading underscore, upper case, trailing dot
];

describe("Kubernetes names and labels are valid for any valid config", () => {
  describe("the API server's rules (k8s.io/apimachinery util/validation), as the policy pack applies them", () => {
    it("DNS-1123 labels and subdomains, DNS-1035 labels", () => {
      for (const valid of ["a", "0", "a-b", "ams-api", "1-5-0", "a".repeat(63)])
        assert.ok(isDns1123Label(valid), valid);
      for (const invalid of ["", "-a", "a-", "A", "a_b", "a.b", "a".repeat(64)])
        assert.ok(!isDns1123Label(invalid), invalid);
      assert.ok(isDns1123Subdomain("eks.amazonaws.com"));
      assert.ok(!isDns1123Subdomain("a..b"));
      assert.ok(!isDns1123Subdomain("a".repeat(254)));
      assert.ok(isDns1035Label("ams-api"));
      assert.ok(!isDns1035Label("1-api"), "a Service name starts with a letter");
    });
    it("label keys and values", () => {
      for (const valid of [
        "",
        "a",
        "1.4.0",
        "1.12.0-rc.1_build.20261202.7f3a9c1e",
        "A_b.c-D",
        "x".repeat(63),
      ])
        assert.ok(isLabelValue(valid), valid);
      for (const invalid of ["_a", "a_", "a.", "-a", "a b", "x".repeat(64)])
        assert.ok(!isLabelValue(invalid), invalid);
      for (const valid of ["ams.io/color", "app.kubernetes.io/version", "team"])
        assert.ok(isLabelKey(valid), valid);
      for (const invalid of ["/a", "Ams.io/x", "a/b/c", `x/${"y".repeat(64)}`])
        assert.ok(!isLabelKey(invalid), invalid);
    });
  });

  describe("the builders turn any image tag into a valid name and label", () => {
    for (const version of [...AWKWARD_VERSIONS, "1.4.0", "9"]) {
      it(JSON.stringify(version.length > 40 ? `${version.slice(0, 40)}…` : version), () => {
        assert.match(version, IMAGE_TAG_PATTERN, "the config accepts it");
        for (const prefix of ["ams-migrate", "ams-migrate-green", "ams-api-smoke-green"]) {
          const name = dnsLabel(prefix, version);
          assert.ok(isDns1123Label(name), name);
          assert.ok(name.startsWith(`${prefix}-`), name);
        }
        assert.ok(isLabelValue(labelValue(version)), labelValue(version));
        if (isLabelValue(version))
          assert.equal(labelValue(version), version, "a valid value is kept as it is");
      });
    }
    it("long versions that share a beginning keep apart", () => {
      const a = `1.0.0-${"x".repeat(100)}-a`;
      const b = `1.0.0-${"x".repeat(100)}-b`;
      assert.notEqual(dnsLabel("ams-migrate-blue", a), dnsLabel("ams-migrate-blue", b));
      assert.notEqual(labelValue(`_${a}`), labelValue(`_${b}`));
    });
  });

  describe("every committed stack × strategy × awkward version plans only valid names and labels", function () {
    this.timeout(180_000); // three plans per case
    for (const stack of STACKS) {
      for (const strategy of STRATEGIES) {
        it(`${stack}, ${strategy}`, async () => {
          for (const version of AWKWARD_VERSIONS) {
            const plan = await planDeployed(
              stack,
              `strategy=${strategy}`,
              `blueVersion=${version}`,
              `greenVersion=${version}`,
            );
            const objects = kubernetesObjects(plan);
            assert.ok(objects.length > 20);
            for (const object of objects) {
              const name = (object.inputs.metadata as { name?: string }).name ?? "";
              assert.doesNotMatch(name, /undefined/, object.urn);
              await validateKubernetesObject(object.inputs);
            }
            const invalid = (await checkPolicies(plan)).filter((v) => v.policy === "ams-kubernetes-names");
            assert.deepEqual(invalid, [], version);
            // The exact tag still reaches the image and the pods' environment.
            assert.ok(
              objects.some((o) => JSON.stringify(o.inputs).includes(`:${version}"`)),
              "image reference keeps the tag",
            );
          }
        });
      }
    }
  });
});

import { strict as assert } from "assert";
import { amsLabels } from "../../components/labels";

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

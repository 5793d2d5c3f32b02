import { strict as assert } from "assert";
import { ServiceSizing } from "../../../config/types";
import { namespaceQuota } from "../../../components/environment/quota";

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

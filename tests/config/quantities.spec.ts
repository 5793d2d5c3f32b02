import { strict as assert } from "assert";
import {
  formatCpuMillis,
  formatMemoryBytes,
  parseCpuMillis,
  parseMemoryBytes,
} from "../../config/quantities";

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

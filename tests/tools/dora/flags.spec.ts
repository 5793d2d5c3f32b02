import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { UpdateSummary } from "@pulumi/pulumi/automation";
import { fromUpdateSummary } from "../../../tools/dora/automation";
import { describeFlagChange, featureFlagsOf } from "../../../tools/dora/flagChanges";
import { readHistoryFile } from "../../../tools/dora/historyFile";
import { renderJson } from "../../../tools/dora/json";
import { renderMarkdown } from "../../../tools/dora/markdown";
import { computeDora } from "../../../tools/dora/metrics";
import { PROJECT_DIR } from "../../../tools/cli/project";

const FLAGS = path.join(PROJECT_DIR, "tests", "fixtures", "dora", "flags.json");
const NOW = new Date("2024-05-31T00:00:00Z");
const THIRTY_DAYS = 30 * 86_400_000;

describe("DORA report: feature-flag changes beside deployments", () => {
  const metrics = computeDora({
    updates: readHistoryFile(FLAGS),
    now: NOW,
    windowMs: THIRTY_DAYS,
    commitTime: undefined,
  });

  it("reads ams:featureFlags from the CLI's objectValue and from the JSON text alone, never a secret", () => {
    const updates = new Map(readHistoryFile(FLAGS).map((update) => [update.version, update]));
    assert.deepEqual(updates.get(31)?.featureFlags?.["new-checkout"], {
      type: "release",
      enabled: true,
      rolloutPercentage: 20,
    });
    // v34 carries only `value` (the Automation API's form).
    assert.equal(updates.get(34)?.featureFlags?.["new-checkout"].enabled, false);
    assert.equal(featureFlagsOf({ "ams:featureFlags": { secret: true } }), undefined);
    const raw = JSON.parse(fs.readFileSync(FLAGS, "utf8")) as Record<string, unknown>[];
    const summaries = raw.map(
      (entry) =>
        JSON.parse(JSON.stringify(entry), (key, value: unknown) =>
          key === "startTime" || key === "endTime" ? new Date(value as string) : value,
        ) as UpdateSummary,
    );
    assert.deepEqual(summaries.map(fromUpdateSummary), readHistoryFile(FLAGS));
  });

  it("lists what each succeeded update changed, against the one before it; a failed update changes nothing", () => {
    assert.deepEqual(
      metrics.flagChanges.map((change) => [change.version, change.flag, change.change]),
      [
        [31, "new-checkout", "rollout 5 % → 20 %"],
        [33, "beta-search", "created (on, 50 %)"],
        [33, "new-checkout", "rollout 20 % → 50 %"],
        [34, "new-checkout", "on → off"],
        [35, "payments-provider", "removed (archived)"],
      ],
    );
    assert.equal(metrics.flagChanges[0].at.toISOString(), "2024-05-06T10:04:00.000Z");
    assert.equal(
      describeFlagChange({ type: "release", enabled: false }, { type: "operational", enabled: true }),
      "type release → operational, off → on",
    );
  });

  it("Markdown shows them in a change timeline beside every deployment; JSON lists them", () => {
    const report = { metrics, context: { stack: "prod", source: "`flags.json`", chart: undefined } };
    const markdown = renderMarkdown(report);
    assert.match(markdown, /^## Change timeline$/m);
    assert.match(
      markdown,
      /^\| v33 \| 2024-05-10T11:04:00Z \| succeeded \| blue \| beta-search: created \(on, 50 %\); new-checkout: rollout 20 % → 50 % \| new-checkout to 50 %, beta-search experiment \|$/m,
    );
    assert.match(
      markdown,
      /^\| v32 \| 2024-05-10T10:02:00Z \| failed \| blue \| — \| new-checkout to 50 % \|$/m,
    );
    assert.match(markdown, /^\| v35 \| .* \| green \| payments-provider: removed \(archived\) \|/m);
    const document = JSON.parse(renderJson(report)) as { flagChanges: unknown[] };
    assert.deepEqual(document.flagChanges[0], {
      version: 31,
      at: "2024-05-06T10:04:00.000Z",
      flag: "new-checkout",
      change: "rollout 5 % → 20 %",
    });
  });

  it("a history without recorded flags keeps the report as it was", () => {
    const plain = computeDora({
      updates: readHistoryFile(path.join(PROJECT_DIR, "tests", "fixtures", "dora", "typical.json")),
      now: NOW,
      windowMs: THIRTY_DAYS,
      commitTime: undefined,
    });
    assert.deepEqual(plain.flagChanges, []);
    assert.doesNotMatch(
      renderMarkdown({ metrics: plain, context: { stack: "prod", source: "x", chart: undefined } }),
      /Change timeline/,
    );
  });
});

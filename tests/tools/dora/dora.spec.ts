import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { UpdateSummary } from "@pulumi/pulumi/automation";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { rollbackMessage, ROLLBACK_PREFIX } from "../../../release/history";
import { collectPages, fromUpdateSummary } from "../../../tools/dora/automation";
import { CommitTimeLookup } from "../../../tools/dora/git";
import { parseHistory, readHistoryFile } from "../../../tools/dora/historyFile";
import { isoWeek } from "../../../tools/dora/isoWeek";
import { renderJson } from "../../../tools/dora/json";
import { renderMarkdown } from "../../../tools/dora/markdown";
import { computeDora, DoraMetrics } from "../../../tools/dora/metrics";
import { UpdateRecord } from "../../../tools/dora/model";
import { UsageError } from "../../../tools/cli/usageError";
import { renderSvg } from "../../../tools/dora/svg";
import { fixture, NOW, THIRTY_DAYS, MINUTE, knownCommits, runDora } from "../../helpers/dora";

function metricsOf(file: string, commitTime: CommitTimeLookup | null = knownCommits): DoraMetrics {
  return computeDora({
    updates: readHistoryFile(fixture(file)),
    now: NOW,
    windowMs: THIRTY_DAYS,
    commitTime: commitTime ?? undefined,
  });
}

const close = (actual: number | undefined, expected: number) =>
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-9, `${actual} ≠ ${expected}`);

describe("DORA report: reading `pulumi stack history --json`", () => {
  it("maps the CLI's fields (RFC 3339 times, endTime absent while in progress, git.head)", () => {
    const updates = readHistoryFile(fixture("typical.json"));
    assert.equal(updates.length, 12);
    const byVersion = new Map(updates.map((update) => [update.version, update]));
    assert.deepEqual(byVersion.get(14), {
      version: 14,
      kind: "update",
      result: "succeeded",
      start: new Date("2024-05-03T14:20:00Z"),
      end: new Date("2024-05-03T14:24:00Z"),
      message: rollbackMessage("green", "blue", "alarm ams-prod-api-5xx-rate at 2024-05-03T14:18:00.000Z"),
      gitHead: "2b".repeat(20),
      // The only config value read: which color the update applied (a secret one would be skipped).
      activeColor: "blue",
    });
    assert.equal(byVersion.get(20)?.result, "in-progress");
    assert.equal(byVersion.get(20)?.end, undefined);
    assert.equal(byVersion.get(11)?.kind, "preview");
  });

  it("rejects Unix-second times naming the file, the entry index, its version and the field", () => {
    assert.throws(
      () => readHistoryFile(fixture("malformed-unix-time.json")),
      (err: unknown) =>
        err instanceof UsageError &&
        err.message.includes("malformed-unix-time.json: entry at index 1 (version 5)") &&
        /"startTime" must be an RFC 3339 time .* got number 1715418000/.test(err.message),
    );
  });

  it("rejects other malformed input with the entry index and what is allowed", () => {
    const entry = { version: 3, kind: "update", startTime: "2024-05-02T10:00:00.000Z", message: "" };
    assert.throws(
      () => parseHistory(JSON.stringify([{ ...entry, result: "succeeded" }]), "h.json"),
      /h\.json: entry at index 0 \(version 3\): "endTime" is missing although "result" is succeeded/,
    );
    assert.throws(
      () => parseHistory(JSON.stringify([{ ...entry, result: "done" }]), "h.json"),
      /entry at index 0 .*"result" must be one of succeeded, failed, in-progress, not-started, got string "done"/,
    );
    assert.throws(
      () => parseHistory(`{"updates": []}`, "h.json"),
      /h\.json must hold a JSON array of updates/,
    );
    assert.throws(() => parseHistory("[", "h.json"), /h\.json is not JSON/);
    assert.throws(() => readHistoryFile(fixture("absent.json")), /--history ".*absent\.json" cannot be read/);
  });

  it("a not-started update, whose endTime the CLI prints as 1970, is read as never started, not as malformed", () => {
    const updates = readHistoryFile(fixture("not-started.json"));
    const queued = updates.find((update) => update.version === 3);
    assert.equal(queued?.result, "not-started");
    assert.equal(queued?.end, undefined);
    const metrics = computeDora({ updates, now: NOW, windowMs: THIRTY_DAYS, commitTime: undefined });
    assert.deepEqual(
      metrics.deployments.map((deployment) => deployment.version),
      [2],
    );
    assert.deepEqual(metrics.ignored, { inProgress: [], notStarted: [3], otherKinds: {} });
    assert.match(
      renderMarkdown({ metrics, context: { stack: "prod", source: "x", chart: undefined } }),
      /^- never started: v3$/m,
    );
  });

  it("an empty history is valid: a stack that was never updated", () => {
    assert.deepEqual(parseHistory("[]", "h.json"), []);
  });
});

describe("DORA report: the figures (expected values worked out by hand from the fixtures)", () => {
  it("blames a rollback on the flip it undoes, not on an idle-color deploy made after that flip", () => {
    const update = (
      version: number,
      start: string,
      minutes: number,
      activeColor: string,
      message: string,
    ) => ({
      version,
      kind: "update",
      result: "succeeded" as const,
      start: new Date(start),
      end: new Date(new Date(start).getTime() + minutes * MINUTE),
      message,
      gitHead: undefined,
      activeColor,
    });
    const metrics = computeDora({
      updates: [
        update(1, "2024-05-20T09:00:00Z", 5, "blue", "deploy greenVersion 1.5.0"),
        update(2, "2024-05-21T09:00:00Z", 5, "green", "cutover: activeColor blue→green (prod)"),
        update(3, "2024-05-21T11:00:00Z", 5, "green", "deploy blueVersion 1.6.0"), // idle color, unrelated
        update(4, "2024-05-21T15:00:00Z", 5, "blue", rollbackMessage("green", "blue", "INC-7")),
      ],
      now: NOW,
      windowMs: THIRTY_DAYS,
      commitTime: undefined,
    });
    assert.deepEqual(
      metrics.deployments.map((deployment) => [deployment.version, deployment.failure]),
      [
        [1, undefined],
        [2, "rolled back by v4"],
        [3, undefined],
        [4, undefined],
      ],
    );
    // Users had the undone flip from its end (09:05) until the rollback ended (15:05): 6 h = 360 min.
    assert.deepEqual(
      metrics.mttr.restored.map((incident) => [incident.start.toISOString(), incident.end?.toISOString()]),
      [["2024-05-21T09:05:00.000Z", "2024-05-21T15:05:00.000Z"]],
    );
    close(metrics.mttr.meanMs, 360 * MINUTE);
    close(metrics.changeFailureRate, 1 / 3); // v2 failed, of three changes (v1 v2 v3; v4 is the rollback)
  });

  it("recognises rollbacks by the prefix the cut-over tools write", () => {
    assert.ok(rollbackMessage("green", "blue", "manual").startsWith(ROLLBACK_PREFIX));
  });

  it("typical.json: frequency, change failure rate, MTTR and lead time", () => {
    const metrics = metricsOf("typical.json");
    assert.equal(metrics.window.start.toISOString(), "2024-05-01T00:00:00.000Z");
    assert.deepEqual(metrics.counts, {
      deployments: 7, // v12 v13 v14 v16 v17 v18 v19 (v10 before the window, v21 after --now, v20 running)
      succeeded: 5, // v12 v13 v14 v18 v19
      failed: 2, // v16 v17
      rollbackFlips: 1, // v14 "rollback: …"
      changes: 6, // 7 deployments − 1 rollback flip
      failedChanges: 3, // v13 (undone by v14), v16, v17
    });
    close(metrics.deployFrequency.perDay, 7 / 30); // 7 deployments / 30 days = 0.2333
    close(metrics.deployFrequency.perWeek, 49 / 30); // 7 / 30 × 7 = 1.6333
    close(metrics.changeFailureRate, 0.5); // 3 failed changes / 6 changes

    // Incident 1: the cut-over v13 went live at 14:06; rollback v14 ended 14:24 → 18 min. Incident 2: v16
    // failed at 11:03, v17 failed too, v18 ended 12:33 → 90 min. Mean (18 + 90) / 2 = 54 min; median of
    // two = 54 min.
    assert.deepEqual(
      metrics.mttr.restored.map((incident) => [incident.start.toISOString(), incident.end?.toISOString()]),
      [
        ["2024-05-03T14:06:00.000Z", "2024-05-03T14:24:00.000Z"],
        ["2024-05-08T11:03:00.000Z", "2024-05-08T12:33:00.000Z"],
      ],
    );
    close(metrics.mttr.meanMs, 54 * MINUTE);
    close(metrics.mttr.medianMs, 54 * MINUTE);
    assert.deepEqual(metrics.mttr.open, []);

    // First succeeded deployment of each commit in the window: 2b… by v12 (May 1 16:10 → May 2 10:10 = 18 h
    // = 1080 min), 4d… by v18 (11:45 → 12:33 = 48 min), 5e… by v19 (May 19 09:10 → May 21 09:10 = 2880 min).
    // v13/v14 redeploy 2b…; 3c… never succeeded. Median 1080 min; mean (1080 + 48 + 2880) / 3 = 1336 min.
    assert.equal(metrics.leadTime.unavailable, undefined);
    assert.deepEqual(
      metrics.leadTime.samples.map((sample) => [sample.version, sample.ms / MINUTE]),
      [
        [12, 1080],
        [18, 48],
        [19, 2880],
      ],
    );
    close(metrics.leadTime.medianMs, 1080 * MINUTE);
    close(metrics.leadTime.meanMs, 1336 * MINUTE);

    // May 1 (Wed) is in 2024-W18 (Mon Apr 29); May 31 (Fri) in W22. W18: v12 v13 v14, v13 failed;
    // W19: v16 v17 v18, v16 v17 failed; W21: v19.
    assert.deepEqual(
      metrics.weeks.map((week) => [week.week, week.deployments, week.failedChanges]),
      [
        ["2024-W18", 3, 1],
        ["2024-W19", 3, 2],
        ["2024-W20", 0, 0],
        ["2024-W21", 1, 0],
        ["2024-W22", 0, 0],
      ],
    );
    assert.deepEqual(metrics.ignored, {
      inProgress: [20],
      notStarted: [],
      otherKinds: { preview: 1, refresh: 1 },
    });
  });

  it("a rollback flip marks the cut-over it undoes as the failed change", () => {
    const failures = metricsOf("typical.json").deployments.map((deployment) => [
      deployment.version,
      deployment.failure,
    ]);
    assert.deepEqual(failures, [
      [12, undefined],
      [13, "rolled back by v14"],
      [14, undefined],
      [16, "update failed"],
      [17, "update failed"],
      [18, undefined],
      [19, undefined],
    ]);
  });

  it("unsorted.json (the same updates shuffled) gives the same figures", () => {
    assert.deepEqual(metricsOf("unsorted.json"), metricsOf("typical.json"));
  });

  it("no-deploys.json: only a preview and a refresh in the window, the last update months earlier", () => {
    const metrics = metricsOf("no-deploys.json");
    assert.equal(metrics.counts.deployments, 0); // v4 is from March; v5 preview, v6 refresh are not deployments
    assert.equal(metrics.deployFrequency.perWeek, 0); // 0 / 30 × 7
    assert.equal(metrics.changeFailureRate, undefined); // 0 changes: no rate, not 0 %
    assert.equal(metrics.mttr.meanMs, undefined); // a failed refresh is not a failed change
    assert.equal(metrics.leadTime.unavailable, "no succeeded deployment in the window");
    assert.deepEqual(metrics.ignored.otherKinds, { preview: 1, refresh: 1 });
    assert.equal(metrics.weeks.length, 5); // W18 … W22, all zero
    assert.ok(metrics.weeks.every((week) => week.deployments === 0 && week.failedChanges === 0));
  });

  it("only-failures.json: three failed updates, nothing restored yet", () => {
    const metrics = metricsOf("only-failures.json");
    assert.equal(metrics.counts.failedChanges, 3);
    close(metrics.changeFailureRate, 1); // 3 failed / 3 changes
    close(metrics.deployFrequency.perDay, 0.1); // 3 / 30
    close(metrics.deployFrequency.perWeek, 0.7); // 3 / 30 × 7
    assert.equal(metrics.mttr.restored.length, 0);
    assert.equal(metrics.mttr.meanMs, undefined);
    // One open incident from the first failure's end (v1, 10:05); v2 and v3 do not open new ones.
    assert.deepEqual(
      metrics.mttr.open.map((incident) => [incident.start.toISOString(), incident.cause]),
      [["2024-05-10T10:05:00.000Z", "v1 failed"]],
    );
  });

  it("says why lead time is unavailable: no Git clone, or no git.head recorded", () => {
    assert.equal(
      metricsOf("typical.json", null).leadTime.unavailable,
      "no Git clone to read commit times from",
    );
    const withoutGit: UpdateRecord = {
      version: 1,
      kind: "update",
      result: "succeeded",
      start: new Date("2024-05-10T10:00:00Z"),
      end: new Date("2024-05-10T10:05:00Z"),
      message: "",
      gitHead: undefined,
      activeColor: undefined,
    };
    const metrics = computeDora({
      updates: [withoutGit],
      now: NOW,
      windowMs: THIRTY_DAYS,
      commitTime: knownCommits,
    });
    assert.match(
      metrics.leadTime.unavailable ?? "",
      /none of the 1 succeeded deployments recorded git\.head/,
    );
    assert.match(
      metricsOf("typical.json", () => undefined).leadTime.unavailable ?? "",
      /none of the 3 deployed commits could be dated/, // 2b… 4d… 5e…
    );
  });

  it("ISO weeks follow ISO 8601 at year ends", () => {
    assert.equal(isoWeek(new Date("2024-12-30T12:00:00Z")).key, "2025-W01"); // Monday of the week holding Jan 2
    assert.equal(isoWeek(new Date("2021-01-03T12:00:00Z")).key, "2020-W53"); // Sunday; that week's Thursday is Dec 31
  });
});

describe("DORA report: rendering", () => {
  const report = {
    metrics: metricsOf("typical.json"),
    context: { stack: "prod", source: "`typical.json`", chart: "dora-prod.svg" },
  };

  it("Markdown shows the four figures, the chart link and what was not counted", () => {
    const markdown = renderMarkdown(report);
    assert.match(markdown, /^# DORA report: stack `prod`$/m);
    assert.match(markdown, /\| Deployment frequency \| 1\.63 per week \(0\.23 per day\) \| 7 deployments/);
    assert.match(markdown, /\| Change failure rate \| 50\.0 % \| 3 failed of 6 changes/);
    assert.match(markdown, /\| Time to restore \(MTTR\) \| 54 min mean, 54 min median \|/);
    assert.match(markdown, /\| Lead time for changes \| 18 h median, 22 h 16 min mean \|/); // 1080 min; 1336 min
    assert.match(markdown, /^!\[Deployments and failed changes per ISO week\]\(dora-prod\.svg\)$/m);
    assert.match(markdown, /\| v13 \| 2024-05-03T14:00:00Z \| rolled back by v14 \|/);
    assert.match(markdown, /- still running: v20/);
  });

  it("JSON is one document with the figures in minutes and rates as fractions", () => {
    const document = JSON.parse(renderJson(report)) as Record<string, unknown>;
    assert.deepEqual(document.deployFrequency, { perDay: 0.233, perWeek: 1.633 }); // 7/30, 49/30 to 3 places
    assert.equal(document.changeFailureRate, 0.5);
    assert.deepEqual(document.mttr, {
      meanMinutes: 54,
      medianMinutes: 54,
      incidents: [
        {
          start: "2024-05-03T14:06:00.000Z",
          end: "2024-05-03T14:24:00.000Z",
          minutes: 18,
          cause:
            "rollback flip v14: activeColor green→blue (alarm ams-prod-api-5xx-rate at 2024-05-03T14:18:00.000Z)",
          restoredBy: 14,
        },
        {
          start: "2024-05-08T11:03:00.000Z",
          end: "2024-05-08T12:33:00.000Z",
          minutes: 90,
          cause: "v16 failed",
          restoredBy: 18,
        },
      ],
      open: [],
    });
    assert.equal((document.leadTime as { medianMinutes: number }).medianMinutes, 1080);
    assert.equal(document.chart, "dora-prod.svg");
  });

  it("the SVG is well-formed, titled with the stack, with axis labels, a legend and two bars per week", () => {
    const svg = renderSvg({ ...report, context: { ...report.context, stack: "a&b<prod>" } });
    assert.equal(XMLValidator.validate(svg), true);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(svg) as {
      svg: {
        title: string;
        text: (string | { "#text": string })[];
        rect: { title?: string; height: string }[];
        g: unknown;
      };
    };
    const texts = parsed.svg.text.map((text) => (typeof text === "string" ? text : text["#text"]));
    assert.ok(texts.includes("Stack a&b<prod>: deployments and failed changes"), texts.join(" | "));
    assert.ok(texts.includes("ISO week (Monday, UTC)") && texts.includes("Count"));
    assert.match(JSON.stringify(parsed.svg.g), /Deployments.*Failed changes/);
    const bars = parsed.svg.rect.filter((rect) => rect.title !== undefined);
    assert.equal(bars.length, 10); // 5 weeks × (deployments, failed changes)
    // The W18 deployments bar (3, the highest) spans the whole plot; W18 failed changes (1) a third of it.
    assert.equal(Number(bars[0].height), 3 * Number(bars[1].height));
  });
});

describe("DORA report: the Automation API adapter", () => {
  const summary = (entry: Record<string, unknown>): UpdateSummary =>
    JSON.parse(JSON.stringify(entry), (key, value: unknown) =>
      key === "startTime" || key === "endTime" ? new Date(value as string) : value,
    ) as UpdateSummary;

  it("maps an UpdateSummary (Dates, as the Automation API revives them) like the file reader", () => {
    const raw = JSON.parse(fs.readFileSync(fixture("typical.json"), "utf8")) as Record<string, unknown>[];
    assert.deepEqual(raw.map(summary).map(fromUpdateSummary), readHistoryFile(fixture("typical.json")));
  });

  it("pages back until a page reaches before the window, without decrypting secrets", async () => {
    const raw = JSON.parse(fs.readFileSync(fixture("typical.json"), "utf8")) as Record<string, unknown>[];
    const calls: [number, number, boolean][] = [];
    const source = {
      history: async (pageSize: number, page: number, showSecrets: boolean) => {
        calls.push([pageSize, page, showSecrets]);
        return raw.slice((page - 1) * pageSize, page * pageSize).map(summary);
      },
    };
    const entries = await collectPages(source, new Date("2024-05-03T00:00:00Z"), 4);
    // Page 1: v21…v18; page 2: v17…v14; page 3: v13…v10 reaches before May 3 → stop.
    assert.deepEqual(calls, [
      [4, 1, false],
      [4, 2, false],
      [4, 3, false],
    ]);
    assert.equal(entries.length, 12);
  });
});

describe("npm run dora (the command)", function () {
  this.timeout(30_000);

  it("prints the Markdown report for a history file and writes the SVG it links", async () => {
    const svg = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ams-dora-svg-")), "prod.svg");
    const result = await runDora([
      "--stack",
      "prod",
      "--history",
      fixture("typical.json"),
      "--now",
      "2024-05-31T00:00:00Z",
      "--svg",
      svg,
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /\| Change failure rate \| 50\.0 % \|/);
    assert.ok(result.stdout.includes(`](${svg})`));
    assert.equal(XMLValidator.validate(fs.readFileSync(svg, "utf8")), true);
  });

  it("--json with --since 7d narrows the window: May 24–31 holds no deployment", async () => {
    const result = await runDora([
      "--stack",
      "prod",
      "--history",
      fixture("typical.json"),
      "--now",
      "2024-05-31T00:00:00Z",
      "--since",
      "7d",
      "--json",
    ]);
    assert.equal(result.status, 0, result.stderr);
    const document = JSON.parse(result.stdout) as {
      deployments: { total: number };
      window: { start: string };
    };
    assert.equal(document.window.start, "2024-05-24T00:00:00.000Z"); // May 31 − 7 days
    assert.equal(document.deployments.total, 0); // v19 is May 21; v20 still running; v21 after --now
  });

  const history = ["--history", fixture("typical.json")];
  for (const [args, message] of [
    [
      ["--stack", "prod", "--since", "3x", ...history],
      /--since "3x" is not a window length: use a whole number followed by h .*, d .* or w/,
    ],
    [["--stack", "prod", "--since", "0d", ...history], /--since "0d" is not a window length/],
    [["--stack", "prod", "--now", "yesterday", ...history], /--now "yesterday" is not an RFC 3339 time/],
    [
      ["--stack", "prod", "--svg", "chart.png", ...history],
      /--svg "chart\.png" must name a file ending in \.svg/,
    ],
    [["--stack", "prod;rm", ...history], /--stack "prod;rm" is not a stack name/],
    [["--stack", "prod", "--frequency", ...history], /Unknown flag "--frequency"/],
    [["--stack", "prod", "--history"], /--history needs a value/],
    [
      ["--stack", "prod", "--svg", path.join(os.tmpdir(), "no-such-dir", "c.svg"), ...history],
      /--svg ".*c\.svg" cannot be written/,
    ],
  ] as const) {
    it(`${args.filter((arg) => !arg.endsWith(".json")).join(" ")} exits 2 naming the flag and what is allowed`, async () => {
      const result = await runDora([...args]);
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stderr, message);
      assert.equal(result.stdout, "");
    });
  }

  it("without --stack exits 2; a malformed history exits 2 naming the file and entry", async () => {
    assert.match((await runDora(["--history", fixture("typical.json")])).stderr, /--stack is required/);
    const result = await runDora(["--stack", "prod", "--history", fixture("malformed-unix-time.json")]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /malformed-unix-time\.json: entry at index 1 \(version 5\): "startTime"/);
  });
});

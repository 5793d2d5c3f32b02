import * as fs from "fs";
import { featureFlagsOf } from "./flagChanges";
import { activeColorOf } from "../../release/history";
import { UPDATE_RESULTS, UpdateRecord, UpdateResult } from "./model";
import { UsageError } from "../cli/usageError";
import { parseInstant } from "../cli/time";

/**
 * Reads the output of `pulumi stack history --json` (the CLI's `updateInfoJSON`: `version`, `kind`,
 * `startTime`, `message`, `environment`, `config`, `result`, and once finished `endTime` and
 * `resourceChanges`; times are RFC 3339 strings in UTC with milliseconds).
 */
export function readHistoryFile(file: string): UpdateRecord[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new UsageError(
      `--history "${file}" cannot be read (${reason}); give the path of a file written by ` +
        "`pulumi stack history --json --page-size 1000 > history.json`.",
    );
  }
  return parseHistory(text, file);
}

/** Validates every entry; an error names the file, the entry's index in the array and the field. */
export function parseHistory(text: string, file: string): UpdateRecord[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file} is not JSON (${err instanceof Error ? err.message : String(err)}).`);
  }
  if (!Array.isArray(document))
    throw new UsageError(
      `${file} must hold a JSON array of updates, as \`pulumi stack history --json\` prints; got ${describe(document)}.`,
    );
  return document.map((entry: unknown, index) =>
    parseEntry(entry, (problem) => {
      const version =
        isObject(entry) && typeof entry.version === "number" ? ` (version ${entry.version})` : "";
      return new UsageError(`${file}: entry at index ${index}${version}: ${problem}.`);
    }),
  );
}

function parseEntry(entry: unknown, fail: (problem: string) => UsageError): UpdateRecord {
  if (!isObject(entry)) throw fail(`expected an object, got ${describe(entry)}`);
  const { version, kind, result, startTime, endTime, message, environment, config } = entry;
  if (typeof version !== "number" || !Number.isInteger(version) || version < 0)
    throw fail(`"version" must be a whole number, got ${describe(version)}`);
  if (typeof kind !== "string" || kind === "")
    throw fail(`"kind" must be a non-empty string, got ${describe(kind)}`);
  if (typeof result !== "string" || !(UPDATE_RESULTS as readonly string[]).includes(result))
    throw fail(`"result" must be one of ${UPDATE_RESULTS.join(", ")}, got ${describe(result)}`);
  const start = instant("startTime", startTime, fail);
  const finished = result === "succeeded" || result === "failed";
  if (finished && endTime === undefined) throw fail(`"endTime" is missing although "result" is ${result}`);
  // The CLI prints an endTime for every result but in-progress, from the update's EndTime, which is 0 for an
  // update that never started: "1970-01-01T00:00:00.000Z", before its start (pulumi/pulumi
  // pkg/cmd/pulumi/stack/stack_history.go, buildUpdatesJSON). It means "no end", not a malformed entry.
  const end =
    endTime === undefined || result === "not-started" ? undefined : instant("endTime", endTime, fail);
  if (end !== undefined && end < start)
    throw fail(`"endTime" ${String(endTime)} is before "startTime" ${String(startTime)}`);
  if (message !== undefined && typeof message !== "string")
    throw fail(`"message" must be a string, got ${describe(message)}`);
  if (environment !== undefined && environment !== null && !isObject(environment))
    throw fail(`"environment" must be an object of strings, got ${describe(environment)}`);
  const head = isObject(environment) ? environment["git.head"] : undefined;
  const featureFlags = featureFlagsOf(config);
  return {
    version,
    kind,
    result: result as UpdateResult,
    start,
    end: finished ? end : undefined,
    message: message ?? "",
    gitHead: typeof head === "string" && head !== "" ? head : undefined,
    activeColor: activeColorOf(config),
    ...(featureFlags === undefined ? {} : { featureFlags }),
  };
}

function instant(field: string, value: unknown, fail: (problem: string) => UsageError): Date {
  const date = typeof value === "string" ? parseInstant(value) : undefined;
  if (date === undefined)
    throw fail(
      `"${field}" must be an RFC 3339 time as the CLI prints it (e.g. 2024-05-06T10:00:00.000Z), got ${describe(value)}`,
    );
  return date;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "an array";
  const json = JSON.stringify(value);
  return `${typeof value} ${json.length > 40 ? `${json.slice(0, 40)}…` : json}`;
}

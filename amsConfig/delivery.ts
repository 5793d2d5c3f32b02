import { ProblemList } from "./errors";
import { isHostName, readBoolean, readMatching, readStringArray } from "./fields";
import { RawConfig } from "./rawConfig";
import { DeliveryConfig } from "./types";

const HEADER_NAME = /^[A-Za-z][A-Za-z0-9-]{0,62}$/;
const URL_PATH = /^\/[A-Za-z0-9._~\-/]*$/;

export function readDelivery(raw: RawConfig, problems: ProblemList): DeliveryConfig | undefined {
  const migrationCommand = readStringArray(
    raw,
    problems,
    "migrationCommand",
    "a non-empty command word",
    (word) => word.length > 0,
  );
  if (migrationCommand && migrationCommand.length === 0)
    problems.add("migrationCommand", [], "a command of at least one word");
  const smokePaths = readStringArray(
    raw,
    problems,
    "smokePaths",
    'a URL path such as "/actuator/health/readiness"',
    (path) => URL_PATH.test(path),
  );
  const header = readMatching(
    raw,
    problems,
    "previewHeader",
    (v) => HEADER_NAME.test(v),
    'an HTTP header name such as "X-AMS-Preview"',
  );
  const host = readMatching(
    raw,
    problems,
    "previewHost",
    (v) => v === "" || isHostName(v),
    'a DNS host name such as "preview.api.ams.example.com", or "" to use the header',
  );
  const allowLiveUpdate = readBoolean(raw, problems, "allowLiveUpdate");
  if (
    !migrationCommand ||
    migrationCommand.length === 0 ||
    !smokePaths ||
    !header ||
    host === undefined ||
    allowLiveUpdate === undefined
  ) {
    return undefined;
  }
  return {
    migrationCommand,
    smokePaths,
    previewRoute: host === "" ? { kind: "header", header } : { kind: "host", host },
    allowLiveUpdate,
  };
}

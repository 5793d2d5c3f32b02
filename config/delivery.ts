import { ProblemList } from "./errors";
import { isHostName, isIpv4Cidr, readBoolean, readMatching, readStringArray } from "./fields";
import { RawConfig } from "./rawConfig";
import { DeliveryConfig, EnvironmentName } from "./types";

const HEADER_NAME = /^[A-Za-z][A-Za-z0-9-]{0,62}$/;
const URL_PATH = /^\/[A-Za-z0-9._~\-/]*$/;

/**
 * Source CIDRs the preview rule may list. An ALB rule takes at most 5 condition values
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html, "Condition
 * values per rule"); the preview rule already spends three: its host, its path (`/*`) and the preview
 * header (or the preview host).
 */
export const MAX_PREVIEW_SOURCE_CIDRS = 2;

export function readDelivery(
  raw: RawConfig,
  problems: ProblemList,
  environment: EnvironmentName | undefined,
): DeliveryConfig | undefined {
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
  const sourceCidrs = readPreviewSources(raw, problems, environment);
  const allowLiveUpdate = readBoolean(raw, problems, "allowLiveUpdate");
  if (
    !migrationCommand ||
    migrationCommand.length === 0 ||
    !smokePaths ||
    !header ||
    host === undefined ||
    !sourceCidrs ||
    allowLiveUpdate === undefined
  ) {
    return undefined;
  }
  return {
    migrationCommand,
    smokePaths,
    previewRoute: host === "" ? { kind: "header", header, sourceCidrs } : { kind: "host", host, sourceCidrs },
    allowLiveUpdate,
  };
}

/**
 * Who may reach the idle color through the public preview route: the ALB's `source-ip` condition. Empty
 * means anyone who knows the header (or host), which prod refuses: the idle color runs unreleased code.
 */
function readPreviewSources(
  raw: RawConfig,
  problems: ProblemList,
  environment: EnvironmentName | undefined,
): string[] | undefined {
  const cidrs = readStringArray(
    raw,
    problems,
    "previewSourceCidrs",
    'an IPv4 CIDR such as "203.0.113.0/24"',
    (cidr) => isIpv4Cidr(cidr),
  );
  if (!cidrs) return undefined;
  if (cidrs.length > MAX_PREVIEW_SOURCE_CIDRS) {
    problems.add(
      "previewSourceCidrs",
      cidrs,
      `at most ${MAX_PREVIEW_SOURCE_CIDRS} CIDRs (an ALB rule takes 5 condition values; host, path and the preview header use 3) — use a VPN or office egress range`,
    );
    return undefined;
  }
  if (environment === "prod" && cidrs.length === 0) {
    problems.add(
      "previewSourceCidrs",
      cidrs,
      "at least one CIDR in prod: the preview route serves the idle color's unreleased version and must not be open to the internet",
    );
    return undefined;
  }
  return cidrs;
}

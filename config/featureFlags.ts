import { BlockReader } from "./block";
import { readChangeTiming, readMajorUpgrade } from "./data";
import { ProblemList } from "./errors";
import { isHostName, readStructured } from "./fields";
import { acmCertificateArnPattern } from "./platform";
import { RawConfig } from "./rawConfig";
import { readSteps } from "./strategies";

/**
 * Unleash flag types the program manages (Unleash also knows `permission`, which AMS does not use).
 * https://docs.getunleash.io/reference/feature-toggles#feature-flag-types
 */
export const FLAG_TYPES = ["release", "experiment", "operational", "kill-switch"] as const;
export type FlagType = (typeof FLAG_TYPES)[number];

/**
 * Stickiness of the gradual rollout: which context field buckets users, so the same user keeps the same
 * answer while the percentage grows (`default` = userId, else sessionId, else random).
 */
export const STICKINESS = ["default", "userId", "sessionId", "random"] as const;
export type Stickiness = (typeof STICKINESS)[number];

export const FLAG_SERVICE_MODES = ["selfHosted", "external"] as const;
export type FlagServiceMode = (typeof FLAG_SERVICE_MODES)[number];

/** The secret config key holding an existing Unleash's admin API token (external mode). */
export const ADMIN_TOKEN_KEY = "featureFlagAdminToken";

/** One flag as a stack declares it. */
export interface FeatureFlagConfig {
  /** Unleash flag name (the key under `featureFlags`). */
  readonly name: string;
  readonly description: string;
  readonly type: FlagType;
  /** On in this environment. */
  readonly enabled: boolean;
  /** Share of users (0–100) the gradual rollout gives the flag to while it is on. */
  readonly rolloutPercentage: number;
  readonly stickiness: Stickiness;
}

/** Where the environment's Unleash runs. */
export type FlagService =
  | {
      readonly mode: "selfHosted";
      /** Host name of the admin UI and API on the environment's ALB. */
      readonly host: string;
      /** ACM certificate for `host`; `undefined` = the API's certificate (`acmCertificateArn`) covers it. */
      readonly certificateArn: string | undefined;
      readonly databaseInstanceClass: string;
      readonly databaseBackupRetentionDays: number;
      /** RDS for PostgreSQL major version of Unleash's own database (its parameter group family follows). */
      readonly databaseEngineVersion: string;
      /** Apply a change to Unleash's database now (true) or in its maintenance window. */
      readonly databaseApplyImmediately: boolean;
      /** Allow the update that raises `databaseEngineVersion`'s major version (with databaseApplyImmediately). */
      readonly databaseAllowMajorVersionUpgrade: boolean;
    }
  | {
      readonly mode: "external";
      /** Base URL of an existing Unleash (everything before `/api`). */
      readonly url: string;
    };

export interface FeatureFlagsConfig {
  readonly service: FlagService;
  /** Unleash environment the flags and the client token belong to. */
  readonly unleashEnvironment: string;
  /** Rollout percentages a prod release flag moves along, one step per update. */
  readonly exposureSteps: readonly number[];
  /** Declared flags, sorted by name. */
  readonly flags: readonly FeatureFlagConfig[];
}

/** Letters, digits, '-' and '_': Unleash's URL-friendly names, minus '.', which would break `--path` keys. */
const FLAG_NAME = /^[a-z][a-z0-9_-]{0,99}$/;
const RDS_INSTANCE_CLASS = /^db\.[a-z0-9]+\.[a-z0-9]+$/;
const SERVICE_FIELDS = [
  "mode",
  "host",
  "certificateArn",
  "url",
  "environment",
  "databaseInstanceClass",
  "databaseBackupRetentionDays",
  "databaseEngineVersion",
  "databaseApplyImmediately",
  "databaseAllowMajorVersionUpgrade",
  "exposureSteps",
];
const FLAG_FIELDS = ["description", "type", "enabled", "rolloutPercentage", "stickiness"];

/** Keys earlier versions read; a stack that still sets one is told what replaced it. */
const RETIRED_KEYS: Readonly<Record<string, string>> = {
  featureFlagSdkKey:
    "retired: the client token is now created through the Unleash API; remove it with `pulumi config rm featureFlagSdkKey`",
  featureFlagServiceUrl:
    "retired: use featureFlagService (mode external with url, or the self-hosted Unleash)",
};

export function readFeatureFlags(
  raw: RawConfig,
  problems: ProblemList,
  region: string | undefined,
): FeatureFlagsConfig | undefined {
  for (const [key, hint] of Object.entries(RETIRED_KEYS)) {
    // Never shown: a retired secret's value arrives decrypted.
    if (raw.getRetired(key) !== undefined) problems.addHidden(key, `nothing: the key is ${hint}`);
  }
  const service = readService(raw, problems, region);
  const flags = readFlags(raw, problems);
  if (!service || !flags) return undefined;
  return { ...service, flags };
}

function readService(
  raw: RawConfig,
  problems: ProblemList,
  region: string | undefined,
): Omit<FeatureFlagsConfig, "flags"> | undefined {
  const hasAdminToken = (raw.get(ADMIN_TOKEN_KEY) ?? "") !== "";
  const block = BlockReader.of(raw, problems, "featureFlagService", SERVICE_FIELDS);
  if (!block) return undefined;
  const mode = block.oneOf("mode", FLAG_SERVICE_MODES);
  const host = block.string("host", (v) => v === "" || isHostName(v), 'a DNS host name, or ""');
  const certificateArn = block.string(
    "certificateArn",
    (v) => v === "" || acmCertificateArnPattern(region).test(v),
    `an ACM certificate ARN in the stack's region (${region}), or "" when acmCertificateArn covers the host`,
  );
  const url = block.string("url", (v) => v === "" || isHttpsUrl(v), 'an https URL, or ""');
  const unleashEnvironment = block.string(
    "environment",
    (v) => /^[a-zA-Z0-9_.~-]{1,100}$/.test(v),
    'an Unleash environment name such as "production"',
  );
  const databaseInstanceClass = block.string(
    "databaseInstanceClass",
    (v) => RDS_INSTANCE_CLASS.test(v),
    'an RDS instance class such as "db.t4g.micro"',
  );
  // 0 would switch backups off; the policy pack requires 7 days in prod (ams-prod-backups).
  const databaseBackupRetentionDays = block.integer("databaseBackupRetentionDays", { min: 1, max: 35 });
  // Normally the major version only: RDS applies minor upgrades (autoMinorVersionUpgrade). A major upgrade
  // names the exact target: given a major alone, RDS takes that major's default minor, which is often no valid
  // upgrade target of the running minor, and refuses ("Cannot upgrade postgres from 16.x to 17.y") after the new
  // parameter group was created (docs/runbook-database.md).
  const databaseEngineVersion = block.string(
    "databaseEngineVersion",
    (v) => /^1[3-9](\.\d+)?$/.test(v),
    'an RDS for PostgreSQL major version from 13 to 19 such as "16", or a full version such as "17.6" (a major upgrade\'s target)',
  );
  const databaseApplyImmediately = readChangeTiming(block, "databaseApplyImmediately");
  const databaseAllowMajorVersionUpgrade = readMajorUpgrade(block, databaseApplyImmediately, {
    upgrade: "databaseAllowMajorVersionUpgrade",
    apply: "databaseApplyImmediately",
  });
  const exposureSteps = readSteps(block, "exposureSteps");
  if (mode === "selfHosted") {
    if (host === "")
      block.reject("host", "the admin UI's DNS name on the environment's ALB, because mode is selfHosted");
    if (url !== "") block.reject("url", '"" while mode is selfHosted (the URL is https://<host>)');
    if (hasAdminToken)
      problems.addHidden(
        ADMIN_TOKEN_KEY,
        "nothing while featureFlagService.mode is selfHosted (its admin token is generated); remove it",
      );
  }
  if (mode === "external") {
    if (url === "") block.reject("url", "the base URL of the existing Unleash, because mode is external");
    if (host !== "")
      block.reject("host", '"" while mode is external (the existing Unleash serves its own UI)');
    if (!hasAdminToken)
      problems.add(
        ADMIN_TOKEN_KEY,
        undefined,
        `the existing Unleash's admin API token, because featureFlagService.mode is external; set it with \`pulumi config set --secret ${ADMIN_TOKEN_KEY}\``,
      );
  }
  if (!block.complete || !exposureSteps || (mode === "external" && !hasAdminToken)) return undefined;
  const service: FlagService =
    mode === "selfHosted"
      ? {
          mode,
          host,
          certificateArn: certificateArn === "" ? undefined : certificateArn,
          databaseInstanceClass,
          databaseBackupRetentionDays,
          databaseEngineVersion,
          databaseApplyImmediately,
          databaseAllowMajorVersionUpgrade,
        }
      : { mode, url: url.replace(/\/+$/, "") };
  return { service, unleashEnvironment, exposureSteps };
}

function isHttpsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "https:" && url.hostname !== "" && url.search === "" && url.hash === "";
  } catch {
    return false;
  }
}

function readFlags(raw: RawConfig, problems: ProblemList): FeatureFlagConfig[] | undefined {
  const declared = readStructured(raw, "featureFlags");
  if (typeof declared !== "object" || declared === null || Array.isArray(declared)) {
    problems.add(
      "featureFlags",
      declared,
      `an object of flags by name, each with ${FLAG_FIELDS.join(", ")} (or {} for none)`,
    );
    return undefined;
  }
  const flags: FeatureFlagConfig[] = [];
  let ok = true;
  for (const [name, value] of Object.entries(declared as Record<string, unknown>).sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    const key = `featureFlags.${name}`;
    if (!FLAG_NAME.test(name)) {
      problems.add(
        key,
        name,
        "a flag name of lower-case letters, digits, '-' and '_', starting with a letter, at most 100 characters",
      );
      ok = false;
      continue;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      problems.add(key, value, `an object with ${FLAG_FIELDS.join(", ")}`);
      ok = false;
      continue;
    }
    const block = new BlockReader(problems, key, value as Record<string, unknown>, FLAG_FIELDS);
    const flag: FeatureFlagConfig = {
      name,
      description: block.string("description", (v) => v.length <= 1000, "a text of at most 1000 characters"),
      type: block.oneOf("type", FLAG_TYPES),
      enabled: block.boolean("enabled"),
      rolloutPercentage: block.integer("rolloutPercentage", { min: 0, max: 100 }),
      stickiness: block.oneOf("stickiness", STICKINESS),
    };
    if (block.complete) flags.push(flag);
    else ok = false;
  }
  return ok ? flags : undefined;
}

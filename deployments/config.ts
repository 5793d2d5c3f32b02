import * as pulumi from "@pulumi/pulumi";

/** What the deployments project is configured with (`Pulumi.admin.yaml`, defaults in `Pulumi.yaml`). */
export interface DeploymentsConfig {
  /** Pulumi Cloud organization of the AMS stacks; the `aud` of its Deployments' OIDC tokens. */
  readonly organization: string;
  /** `owner/name` of the GitHub repository with the AMS program. */
  readonly githubRepository: string;
  /** The AWS account of the AMS environments. */
  readonly awsAccountId: string;
  readonly awsRegion: string;
  /** Slug of the GitHub team that creates release tags and approves the `production` environment. */
  readonly releaseTeam: string;
  /** Slug of the GitHub team that owns the guarded paths in `.github/CODEOWNERS`. */
  readonly codeOwnersTeam: string;
}

interface Problem {
  readonly key: string;
  readonly value: string | undefined;
  readonly allowed: string;
}

/**
 * Invalid config, every problem at once. Named `ConfigError` with a `problems` list like the AMS program's
 * error, so the offline plan reports it the same way (exit 2, no stack trace) without this standalone
 * project importing the AMS code; a `RunError`, so the Pulumi CLI prints it without a stack trace too.
 */
export class DeploymentsConfigError extends pulumi.RunError {
  constructor(
    stack: string,
    readonly problems: readonly Problem[],
  ) {
    super(
      `Invalid configuration for stack "${stack}": ` +
        problems.map((p) => `${p.key} is ${p.value ?? "not set"}; allowed: ${p.allowed}.`).join(" "),
    );
    this.name = "ConfigError";
  }
}

/** A GitHub team slug: lowercase letters, digits and dashes. */
const TEAM_SLUG = /^[a-z0-9][a-z0-9-]*$/;

/** Reads and validates the config before any resource is registered. */
export function loadDeploymentsConfig(): DeploymentsConfig {
  const config = new pulumi.Config();
  const problems: Problem[] = [];
  const check = (key: string, value: unknown, ok: boolean, allowed: string) => {
    if (!ok) problems.push({ key, value: value === undefined ? undefined : JSON.stringify(value), allowed });
  };

  const organization = config.get("organization");
  check(
    "organization",
    organization,
    organization !== undefined && /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(organization),
    "a Pulumi organization name (letters, digits, -, _, .)",
  );
  const githubRepository = config.get("githubRepository");
  check(
    "githubRepository",
    githubRepository,
    githubRepository !== undefined && /^[A-Za-z0-9-]+\/[A-Za-z0-9_.-]+$/.test(githubRepository),
    "owner/name of a GitHub repository",
  );
  const awsAccountId = config.get("awsAccountId");
  check(
    "awsAccountId",
    awsAccountId,
    awsAccountId !== undefined && /^\d{12}$/.test(awsAccountId),
    "a 12-digit AWS account id (quoted in YAML)",
  );
  const awsRegion = new pulumi.Config("aws").get("region");
  check("aws:region", awsRegion, awsRegion !== undefined && awsRegion !== "", "an AWS region");
  const team = (key: string) => {
    const slug = config.get(key);
    check(
      key,
      slug,
      slug !== undefined && TEAM_SLUG.test(slug),
      "a GitHub team slug (lowercase letters, digits, -)",
    );
    return slug as string;
  };
  const releaseTeam = team("releaseTeam");
  const codeOwnersTeam = team("codeOwnersTeam");

  if (problems.length > 0) throw new DeploymentsConfigError(pulumi.getStack(), problems);
  return {
    organization: organization as string,
    githubRepository: githubRepository as string,
    awsAccountId: awsAccountId as string,
    awsRegion: awsRegion as string,
    releaseTeam,
    codeOwnersTeam,
  };
}

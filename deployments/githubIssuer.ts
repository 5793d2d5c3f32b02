import * as pulumi from "@pulumi/pulumi";
import * as pulumiservice from "@pulumi/pulumiservice";

/** GitHub Actions' OIDC issuer: the `iss` of the id tokens its jobs request. */
export const GITHUB_ACTIONS_ISSUER = "https://token.actions.githubusercontent.com";

/**
 * The GitHub environment whose required reviewers approve a prod release (`.github/workflows/release.yml`).
 * A job that names an environment gets `sub` = `repo:<owner>/<repo>:environment:<name>` whatever its trigger,
 * so only a job that passed that approval can match the release policy.
 */
export const RELEASE_ENVIRONMENT = "production";

/**
 * Longest life of a Pulumi token exchanged for a GitHub id token; Pulumi Cloud shortens longer requests.
 * Long enough for the longest job that uses one (the 30-minute CI preview), short enough that a token leaked
 * from a job log is useless within the hour.
 */
export const GITHUB_TOKEN_MAX_SECONDS = 60 * 60;

/** The audience `pulumi/auth-actions` requests its GitHub id token for. */
export function pulumiAudience(organization: string): string {
  return `urn:pulumi:org:${organization}`;
}

/** `sub` of a job run for a `pull_request` event with no environment (GitHub's default claim template). */
export function pullRequestSubject(repository: string): string {
  return `repo:${repository}:pull_request`;
}

/** `sub` of any job that runs in a GitHub environment. */
export function environmentSubject(repository: string, environment: string): string {
  return `repo:${repository}:environment:${environment}`;
}

type AuthPolicy = pulumiservice.types.input.AuthPolicyDefinitionArgs;

/**
 * Who may exchange a GitHub id token for a Pulumi token: the CI preview of a pull request in this repository
 * and the release job in the `production` environment of this repository — nothing else (a push to a branch,
 * another workflow's environment, another repository, a fork's pull request; fork jobs get no id token for
 * this repository anyway). Subjects are exact, without wildcards, so `owner/repo-fork` cannot match.
 *
 * Token: an organization token with `standard` permission, the narrower of the two levels this provider
 * version accepts (`admin` would also administer the organization: members, teams, these very policies).
 * A team token limited to the AMS stacks would be narrower still, but needs an Enterprise edition and a
 * team; a role-based organization token needs a newer provider than 1.3.0.
 */
export function githubAuthPolicies(organization: string, repository: string): AuthPolicy[] {
  const allow = (sub: string): AuthPolicy => ({
    decision: "allow",
    tokenType: "organization",
    authorizedPermissions: ["standard"],
    rules: { aud: pulumiAudience(organization), sub },
  });
  return [allow(pullRequestSubject(repository)), allow(environmentSubject(repository, RELEASE_ENVIRONMENT))];
}

export interface GithubIssuerArgs {
  /** The Pulumi organization that trusts the issuer and issues the tokens. */
  readonly organization: string;
  /** `owner/name` of the only repository whose workflows may get a token. */
  readonly githubRepository: string;
}

/**
 * Pulumi Cloud trusts GitHub Actions' id tokens of this repository, so CI needs no stored Pulumi token:
 * `pulumi/auth-actions` exchanges the job's id token for a short-lived one.
 */
export function createGithubIssuer(
  name: string,
  args: GithubIssuerArgs,
  opts?: pulumi.CustomResourceOptions,
): pulumiservice.OidcIssuer {
  return new pulumiservice.OidcIssuer(
    name,
    {
      organization: args.organization,
      // The issuer's name in the organization's settings: says whose workflows it admits.
      name: `github-actions-${args.githubRepository.replace("/", "-")}`,
      url: GITHUB_ACTIONS_ISSUER,
      maxExpirationSeconds: GITHUB_TOKEN_MAX_SECONDS,
      policies: githubAuthPolicies(args.organization, args.githubRepository),
    },
    opts,
  );
}

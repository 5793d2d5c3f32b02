import * as pulumi from "@pulumi/pulumi";
import * as pulumiservice from "@pulumi/pulumiservice";
import { DEPLOY_SESSION_SECONDS } from "./oidcRole";

/** GitHub Actions' OIDC issuer: the `iss` of the id tokens its jobs request. */
export const GITHUB_ACTIONS_ISSUER = "https://token.actions.githubusercontent.com";

/**
 * The GitHub environment whose required reviewers approve a prod release (`.github/workflows/release.yml`).
 * A job that names an environment gets `sub` = `repo:<owner>/<repo>:environment:<name>` whatever its trigger
 * (https://docs.github.com/en/actions/reference/security/oidc#filtering-for-a-specific-environment), so the
 * release policy also checks what started the job (next to `sub`, below).
 */
export const RELEASE_ENVIRONMENT = "production";

/** The release workflow: the only one whose token may start a prod deployment. */
export const RELEASE_WORKFLOW_PATH = ".github/workflows/release.yml";

/** The tags a release is started by (`on.push.tags` of the release workflow, the tag ruleset, the environment). */
export const RELEASE_TAG_PATTERN = "v*";

/**
 * The Pulumi team whose token CI's pull-request previews get: Read on every AMS stack — preview and
 * decrypt the stack's config, nothing more. Stack Read does not include `stack_deployment:create` (Stack
 * Write does), so this token cannot start, nor approve, a deployment
 * (https://www.pulumi.com/docs/administration/access-identity/rbac/scopes/stacks/).
 */
export const PREVIEW_TEAM = "ams-ci-preview";
/** The Pulumi team whose token the release job gets: Write on `ams/prod` only. */
export const RELEASE_TEAM = "ams-release";

/**
 * Longest life of the token a pull-request preview gets: the preview job's 30 minutes. A token leaked from
 * a job log is useless within the half hour.
 */
export const PREVIEW_TOKEN_SECONDS = 30 * 60;
/**
 * Longest life of the release job's token: it starts the prod deployment and then polls it until it ends,
 * which takes at most the deployment's AWS session plus the time it waits in the stack's queue.
 */
export const RELEASE_TOKEN_SECONDS = DEPLOY_SESSION_SECONDS + 20 * 60;
/** The issuer caps every token at the longest of them; each policy's workflow asks for its own, shorter. */
export const GITHUB_TOKEN_MAX_SECONDS = Math.max(PREVIEW_TOKEN_SECONDS, RELEASE_TOKEN_SECONDS);

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
 * Who may exchange a GitHub id token for a Pulumi token, and for which token:
 * - a job of this repository run for a pull request, with no environment → a token of `PREVIEW_TEAM`
 *   (read-only: it cannot start or approve a deployment, whatever the pull request's workflow file does);
 * - the release workflow, run for a pushed `v*` tag, in the `production` environment (so after its required
 *   reviewers approved) → a token of `RELEASE_TEAM` (Write on prod only).
 * A pull-request job cannot pass as the release: even if its branch's workflow names the environment (whose
 * deployment policy admits `v*` tags only anyway), its `event_name` is `pull_request`, its `ref`
 * `refs/pull/<n>/merge` and its `workflow_ref` `…@refs/pull/<n>/merge`
 * (https://docs.github.com/en/actions/reference/security/oidc#oidc-token-claims).
 * Nothing else gets a token (a push to a branch, another environment, another repository — exact subjects,
 * so `owner/repo-fork` cannot match — or a fork's pull request, which gets no id token for this repository).
 * Pulumi's claim patterns: `*` any run of characters, `?` zero or one, `.` exactly one
 * (https://www.pulumi.com/docs/administration/access-identity/oidc-issuers/) — the dots of a repository or a
 * file name stay single-character wildcards, which widens nothing beyond this repository's own names.
 * Team tokens need the Enterprise edition.
 */
export function githubAuthPolicies(organization: string, repository: string): AuthPolicy[] {
  const aud = pulumiAudience(organization);
  return [
    {
      decision: "allow",
      tokenType: "team",
      teamName: PREVIEW_TEAM,
      rules: { aud, sub: pullRequestSubject(repository), event_name: "pull_request" },
    },
    {
      decision: "allow",
      tokenType: "team",
      teamName: RELEASE_TEAM,
      rules: {
        aud,
        sub: environmentSubject(repository, RELEASE_ENVIRONMENT),
        event_name: "push",
        ref: `refs/tags/${RELEASE_TAG_PATTERN}`,
        workflow_ref: `${repository}/${RELEASE_WORKFLOW_PATH}@refs/tags/${RELEASE_TAG_PATTERN}`,
      },
    },
  ];
}

export interface GithubIssuerArgs {
  /** The Pulumi organization that trusts the issuer and issues the tokens. */
  readonly organization: string;
  /** `owner/name` of the only repository whose workflows may get a token. */
  readonly githubRepository: string;
  /** The AMS project and its stacks: what the two teams may read and deploy. */
  readonly project: string;
  readonly stacks: readonly string[];
  readonly prodStack: string;
}

/**
 * Pulumi Cloud trusts GitHub Actions' id tokens of this repository, so CI needs no stored Pulumi token:
 * `pulumi/auth-actions` exchanges the job's id token for a short-lived team token. The two teams exist for
 * these tokens only (no members): one reads every AMS stack, the other may deploy prod.
 */
export function createGithubIssuer(
  name: string,
  args: GithubIssuerArgs,
  opts?: pulumi.CustomResourceOptions,
): pulumiservice.OidcIssuer {
  const team = (teamName: string, description: string) =>
    new pulumiservice.Team(
      teamName,
      {
        organizationName: args.organization,
        teamType: "pulumi",
        name: teamName,
        displayName: teamName,
        description,
      },
      opts,
    );
  const permission = (
    teamResource: pulumiservice.Team,
    teamName: string,
    stack: string,
    level: pulumiservice.TeamStackPermissionScope,
  ) =>
    new pulumiservice.TeamStackPermission(
      `${teamName}-${stack}`,
      { organization: args.organization, project: args.project, stack, team: teamName, permission: level },
      { ...opts, dependsOn: [teamResource] },
    );
  const preview = team(PREVIEW_TEAM, "CI previews of pull requests (GitHub OIDC): read the AMS stacks");
  const release = team(RELEASE_TEAM, "Approved prod releases (GitHub OIDC, environment production)");
  const permissions = [
    ...args.stacks.map((stack) =>
      permission(preview, PREVIEW_TEAM, stack, pulumiservice.TeamStackPermissionScope.Read),
    ),
    permission(release, RELEASE_TEAM, args.prodStack, pulumiservice.TeamStackPermissionScope.Edit),
  ];
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
    // A policy naming a team that does not exist yet would be refused.
    { ...opts, dependsOn: permissions },
  );
}

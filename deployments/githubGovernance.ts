import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { RELEASE_ENVIRONMENT, RELEASE_TAG_PATTERN } from "./githubIssuer";

/**
 * The GitHub App id of GitHub Actions (`GET /apps/github-actions`). Tying each required check to it means
 * only a check run a workflow job reported satisfies it — not a commit status anyone with write access
 * can post under the same name.
 */
export const GITHUB_ACTIONS_APP_ID = 15368;

/** A protected branch and how many approving reviews a pull request into it needs. */
export interface ProtectedBranch {
  readonly branch: string;
  readonly approvals: number;
}

/** The branch model (CONTRIBUTING.md): feature/* → develop → main, every merge by a reviewed pull request. */
export const PROTECTED_BRANCHES: readonly ProtectedBranch[] = [
  { branch: "develop", approvals: 1 },
  { branch: "main", approvals: 2 },
];

/**
 * The checks a pull request must pass, named as GitHub reports the CI jobs' check runs: the job's `name:`
 * with its matrix values filled in (`.github/workflows/ci.yml`). `tests/deployments/githubGovernance.spec.ts`
 * parses the workflow files and fails when a name here is not a job's, or a pull-request job is not here —
 * a renamed job would otherwise block every merge ("expected") or silently stop being required.
 */
export function requiredChecks(stacks: readonly string[]): string[] {
  return [
    "npm test",
    ...stacks.map((stack) => `offline plan (${stack})`),
    "offline plan (deployments)",
    ...stacks.map((stack) => `pulumi preview (${stack})`),
  ];
}

export interface GithubGovernanceArgs {
  /** `owner/name` of the AMS repository. */
  readonly githubRepository: string;
  /** Slug of the GitHub team that releases: creates `v*` tags and approves the `production` environment. */
  readonly releaseTeam: string;
  /** The AMS stacks (each has an offline plan and a preview check). */
  readonly stacks: readonly string[];
}

export interface GithubGovernance {
  readonly branchRulesets: github.RepositoryRuleset[];
  readonly tagRuleset: github.RepositoryRuleset;
  readonly productionEnvironment: github.RepositoryEnvironment;
  readonly actionsPermissions: github.ActionsRepositoryPermissions;
}

/** The ruleset of one protected branch: reviewed pull requests with green CI only, no force push, no deletion. */
export function branchRulesetArgs(
  repository: string,
  protectedBranch: ProtectedBranch,
  checks: readonly string[],
): github.RepositoryRulesetArgs {
  return {
    repository,
    name: `${protectedBranch.branch}: reviewed pull requests with green CI`,
    target: "branch",
    enforcement: "active",
    // No bypass actors: nobody, administrators included, merges around the review or the checks.
    conditions: { refName: { includes: [`refs/heads/${protectedBranch.branch}`], excludes: [] } },
    rules: {
      deletion: true,
      nonFastForward: true,
      pullRequest: {
        requiredApprovingReviewCount: protectedBranch.approvals,
        // CODEOWNERS names the owners of Pulumi.prod.yaml, policy/, deployments/ and .github/.
        requireCodeOwnerReview: true,
        // An approval is for the commits it saw; a later push needs a new one, from someone else.
        dismissStaleReviewsOnPush: true,
        requireLastPushApproval: true,
        requiredReviewThreadResolution: true,
      },
      requiredStatusChecks: {
        strictRequiredStatusChecksPolicy: true,
        requiredChecks: checks.map((context) => ({ context, integrationId: GITHUB_ACTIONS_APP_ID })),
      },
    },
  };
}

/**
 * Release tags: only the release team may create, move or delete a `v*` tag. Rulesets replace tag
 * protection rules, deprecated since 30 August 2024 and migrated to rulesets
 * (https://docs.github.com/en/enterprise-server@3.14/repositories/managing-your-repositorys-settings-and-features/managing-repository-settings/configuring-tag-protection-rules);
 * `@pulumi/github` 6.15 has no tag-protection resource any more.
 */
export function tagRulesetArgs(
  repository: string,
  releaseTeamId: pulumi.Input<number>,
): github.RepositoryRulesetArgs {
  return {
    repository,
    name: `release tags ${RELEASE_TAG_PATTERN}: release team only`,
    target: "tag",
    enforcement: "active",
    conditions: { refName: { includes: [`refs/tags/${RELEASE_TAG_PATTERN}`], excludes: [] } },
    bypassActors: [{ actorType: "Team", actorId: releaseTeamId, bypassMode: "always" }],
    rules: { creation: true, update: true, deletion: true, nonFastForward: true },
  };
}

/**
 * The `production` environment: a job in it waits until a member of the release team other than the one
 * who started it approves; only `v*` tags may deploy to it; administrators cannot skip it.
 */
export function productionEnvironmentArgs(
  repository: string,
  releaseTeamId: pulumi.Input<number>,
): github.RepositoryEnvironmentArgs {
  return {
    repository,
    environment: RELEASE_ENVIRONMENT,
    reviewers: [{ teams: [releaseTeamId] }],
    preventSelfReview: true,
    canAdminsBypass: false,
    deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
  };
}

/**
 * GitHub Actions in this repository: every action and reusable workflow must be pinned to a full commit
 * SHA — GitHub refuses to run a tag or branch reference, even in a pull request's edited workflow — because
 * a tag can be moved to other code, as trivy-action's were in March 2026
 * (https://github.com/aquasecurity/trivy-action/issues/541). The workflows pin every action
 * (tests/project/workflows.spec.ts); this makes GitHub enforce it.
 */
export function actionsPermissionsArgs(repository: string): github.ActionsRepositoryPermissionsArgs {
  return { repository, enabled: true, allowedActions: "all", shaPinningRequired: true };
}

/**
 * The AMS application's repository, in the same organization, calls this repository's reusable workflow
 * `.github/workflows/ams-app-pipeline.yml`; a private or internal repository's workflows are callable from
 * elsewhere only at access level `organization` (or wider). Nothing else of this repository is shared by it.
 */
export function actionsAccessLevelArgs(repository: string): github.ActionsRepositoryAccessLevelArgs {
  return { repository, accessLevel: "organization" };
}

/** The repository's rules as code: branch rulesets, the release tag ruleset, the production environment. */
export function createGithubGovernance(
  args: GithubGovernanceArgs,
  opts: pulumi.CustomResourceOptions,
): GithubGovernance {
  const repository = args.githubRepository.split("/")[1];
  const checks = requiredChecks(args.stacks);
  const branchRulesets = PROTECTED_BRANCHES.map(
    (protectedBranch) =>
      new github.RepositoryRuleset(
        `${protectedBranch.branch}-ruleset`,
        branchRulesetArgs(repository, protectedBranch, checks),
        opts,
      ),
  );
  // GitHub's numeric team id (the look-up's `id`), which rulesets and environments take.
  const releaseTeamId = github
    .getTeamOutput({ slug: args.releaseTeam, summaryOnly: true }, opts)
    .apply((team) => Number(team.id));
  const tagRuleset = new github.RepositoryRuleset(
    "release-tags-ruleset",
    tagRulesetArgs(repository, releaseTeamId),
    opts,
  );
  const productionEnvironment = new github.RepositoryEnvironment(
    "production-environment",
    productionEnvironmentArgs(repository, releaseTeamId),
    opts,
  );
  new github.RepositoryEnvironmentDeploymentPolicy(
    "production-release-tags",
    { repository, environment: RELEASE_ENVIRONMENT, tagPattern: RELEASE_TAG_PATTERN },
    { ...opts, dependsOn: [productionEnvironment] },
  );
  const actionsPermissions = new github.ActionsRepositoryPermissions(
    "actions-permissions",
    actionsPermissionsArgs(repository),
    opts,
  );
  new github.ActionsRepositoryAccessLevel("actions-access-level", actionsAccessLevelArgs(repository), opts);
  return { branchRulesets, tagRuleset, productionEnvironment, actionsPermissions };
}

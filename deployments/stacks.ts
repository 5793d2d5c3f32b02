/** The Pulumi project whose stacks these settings drive (`name:` in the repository root's Pulumi.yaml). */
export const AMS_PROJECT = "ams";

/**
 * How one AMS stack is deployed. The branch model (CONTRIBUTING.md): feature/* → develop by pull request,
 * develop → main by pull request; `develop` is what dev runs, `main` is what staging and prod run.
 */
export interface AmsStackDeployment {
  /** Stack name; its config is the repository's `Pulumi.<stack>.yaml`. */
  readonly stack: string;
  /** Branch the deployment checks out (its short name; the settings carry the full ref, `branchRef`). */
  readonly branch: string;
  /**
   * Whether a push (a merged pull request) to `branch` runs `pulumi up` on its own. Off for prod: see
   * `PROD_TRIGGER`.
   */
  readonly deployOnPush: boolean;
}

/**
 * Prod is deployed from `main` only through a deliberate trigger: pushing a release tag `v*` (only the
 * release team may create one, `githubGovernance.ts`) on a commit of `main` starts
 * `.github/workflows/release.yml`, which waits for the approval of the GitHub environment `production`,
 * checks that the tagged commit is on `main`, asks the Pulumi Deployments REST API for an `update` of
 * `ams/prod` pinned to exactly that commit, and waits for its result. Why a tag rather than a console
 * click: the tag is the release's name in Git (the change log and the DORA report key on it), the approval
 * is recorded next to it. Why not push-to-deploy on tags in the settings: this version of the Pulumi Cloud
 * provider has no tag trigger in `vcs`, and a bare tag push would skip the approval.
 */
export const PROD_TRIGGER =
  "release tag v* on main → release.yml (environment approval) → Deployments REST API, pinned to the tag's commit";

/**
 * The branch as Deployments settings name it: the full ref. Pulumi's own CLI writes the settings' branch
 * as the repository HEAD's full reference name (`refs/heads/<branch>`, go-git's `Reference.Name()`:
 * https://github.com/pulumi/pulumi/blob/master/pkg/cmd/pulumi/deployment/deployment_settings_utils.go,
 * `GetBranchName`), and every example of the REST API and of the provider sets `refs/heads/main`
 * (https://www.pulumi.com/docs/reference/cloud-rest-api/deployments/,
 * https://github.com/pulumi/pulumi-pulumiservice/tree/main/examples). A short name is nowhere documented to
 * match the `refs/heads/…` ref of GitHub's push event, so push-to-deploy and pull-request matching could
 * silently never fire; the full ref is what Pulumi itself produces.
 */
export function branchRef(branch: string): string {
  return `refs/heads/${branch}`;
}

/** The stack a release tag deploys (`release.yml`). */
export const PROD_STACK = "prod";

export const AMS_STACKS: readonly AmsStackDeployment[] = [
  { stack: "dev", branch: "develop", deployOnPush: true },
  { stack: "staging", branch: "main", deployOnPush: true },
  { stack: PROD_STACK, branch: "main", deployOnPush: false },
];

/**
 * Files whose change can change what a stack deploys: the program (every file it loads), its config
 * model, its dependencies and this stack's own config — not another stack's file, so a prod config change does not redeploy dev.
 * Everything else (docs, tests, tools, the policy pack, CI) does not deploy.
 */
export function deployPaths(stack: string): string[] {
  return [
    "index.ts",
    "config/**",
    "release/**",
    "components/**",
    // Files of the other projects the program imports (shared names and rules; a spec lists what it loads).
    "deployments/names.ts",
    "policy/awsFacts.ts",
    "policy/exposureSteps.ts",
    "policy/kubernetesNames.ts",
    "Pulumi.yaml",
    `Pulumi.${stack}.yaml`,
    "package.json",
    "package-lock.json",
    "tsconfig.json",
    // Exclusions win over inclusions in Pulumi's path filters: a README next to the code (or any
    // Markdown, or anything under docs/) never deploys, even inside an included directory.
    "!docs/**",
    "!**/*.md",
  ];
}

import * as pulumi from "@pulumi/pulumi";
import * as pulumiservice from "@pulumi/pulumiservice";
import { DEPLOY_SESSION_SECONDS, sessionDuration } from "./oidcRole";
import { AmsStackDeployment, branchRef, deployPaths } from "./stacks";

export interface StackSettingsArgs {
  readonly organization: string;
  readonly project: string;
  readonly githubRepository: string;
  readonly awsRegion: string;
  readonly deployment: AmsStackDeployment;
  /**
   * The role this stack's deployments assume through Pulumi's OIDC issuer: its deploy role, which only
   * update, refresh and destroy tokens of this stack can assume. A preview started on purpose names the
   * stack's preview role in its request instead (`operationContext` of the REST API).
   */
  readonly roleArn: pulumi.Input<string>;
}

/** The settings' arguments without the deprecated ones: setting `github` here fails to compile. */
export type CurrentDeploymentSettingsArgs = Omit<pulumiservice.DeploymentSettingsArgs, "github">;

/**
 * Environment variable a release request sets to the commit it pins (`release.yml`): the run refuses to
 * start unless the checked-out commit is that one.
 */
export const RELEASE_COMMIT_VARIABLE = "AMS_RELEASE_COMMIT";

/**
 * The first pre-run command of every stack: when a release pinned a commit, the source Deployments checked
 * out must be exactly it — or the run stops before `npm ci` and before any of the program's code runs.
 * The request pins the commit itself (`sourceContext.git.commit`); this check makes a request that lost the
 * pin (a merge rule of the API, a queued run) refuse rather than deploy another commit.
 */
export const RELEASE_COMMIT_GUARD =
  `test -z "\${${RELEASE_COMMIT_VARIABLE}:-}" || test "$(git rev-parse HEAD)" = "$${RELEASE_COMMIT_VARIABLE}" ` +
  `|| { echo "checked out $(git rev-parse HEAD), release pinned $${RELEASE_COMMIT_VARIABLE}: refusing"; exit 1; }`;

/**
 * The AWS session name of a deployment: the stack, the operation and the deployment's version, so every
 * CloudTrail event names the run that made it. Pulumi fills in `${deployment.operation}` and
 * `${deployment.version}` when the run starts and never trims them
 * (https://www.pulumi.com/docs/deployments/guides/oidc/aws/#session-name); STS then sees only letters,
 * digits and `-`.
 */
export function deploymentSessionName(project: string, stack: string): string {
  return `pulumi-${project}-${stack}-\${deployment.operation}-\${deployment.version}`;
}

/**
 * The Deployments settings of one AMS stack. Only current fields: `vcs` (not the deprecated `github`),
 * and the repository is cloned through the GitHub integration, so there is no `repoUrl` (the Git-source
 * field, which Pulumi says must not be set alongside the integration).
 */
export function deploymentSettingsArgs(args: StackSettingsArgs): CurrentDeploymentSettingsArgs {
  const { deployment } = args;
  return {
    organization: args.organization,
    project: args.project,
    stack: deployment.stack,
    sourceContext: {
      git: {
        branch: branchRef(deployment.branch),
        // The AMS Pulumi.yaml is at the repository root.
        repoDir: ".",
      },
    },
    vcs: {
      provider: "github",
      repository: args.githubRepository,
      deployCommits: deployment.deployOnPush,
      // Off: a pull-request preview would run the branch's unreviewed code inside Deployments, with an
      // ephemeral token that is admin of this stack (https://www.pulumi.com/docs/deployments/operations/permissions/)
      // — enough to start an update. CI previews every pull request instead, with read-only identities.
      previewPullRequests: false,
      // No review stacks: one would be a whole AMS environment (EKS, databases) per pull request; the
      // preview against the real stack answers the reviewer's question for a fraction of the cost.
      pullRequestTemplate: false,
      paths: deployPaths(deployment.stack),
    },
    operationContext: {
      // A clean, lockfile-exact install; the default install step is skipped so it does not run twice.
      preRunCommands: [RELEASE_COMMIT_GUARD, "npm ci"],
      options: { skipInstallDependencies: true, skipIntermediateDeployments: true },
      // The stack file gives the provider its region; this covers whatever else calls AWS during a run
      // (the kubeconfig's `aws eks get-token`, the AWS SDK in a pre-run command).
      environmentVariables: { AWS_REGION: args.awsRegion },
      oidc: {
        aws: {
          roleARN: args.roleArn,
          sessionName: deploymentSessionName(args.project, deployment.stack),
          duration: sessionDuration(DEPLOY_SESSION_SECONDS),
        },
      },
    },
  };
}

/**
 * Nightly drift detection, 03:00 KST (18:00 UTC, after office hours). `autoRemediate` stays off: an
 * out-of-band change — a `kubectl patch` of the live color's Service selector during an incident, a
 * console edit of an ALB weight — is reported in the stack's Drift tab and its webhooks for a person to
 * judge. Remediating it automatically would silently flip live traffic back in the middle of the night,
 * possibly onto the color the patch moved traffic away from.
 */
export const DRIFT_CRON = "0 18 * * *";

export function driftScheduleArgs(
  organization: string,
  project: string,
  stack: string,
): pulumiservice.DriftScheduleArgs {
  return { organization, project, stack, scheduleCron: DRIFT_CRON, autoRemediate: false };
}

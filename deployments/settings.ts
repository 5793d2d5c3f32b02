import * as pulumi from "@pulumi/pulumi";
import * as pulumiservice from "@pulumi/pulumiservice";
import { DEPLOY_SESSION_SECONDS, sessionDuration } from "./oidcRole";
import { AmsStackDeployment, deployPaths } from "./stacks";

export interface StackSettingsArgs {
  readonly organization: string;
  readonly project: string;
  readonly githubRepository: string;
  readonly awsRegion: string;
  readonly deployment: AmsStackDeployment;
  /** The role this stack's deployments assume through Pulumi's OIDC issuer. */
  readonly roleArn: pulumi.Input<string>;
}

/** The settings' arguments without the deprecated ones: setting `github` here fails to compile. */
export type CurrentDeploymentSettingsArgs = Omit<pulumiservice.DeploymentSettingsArgs, "github">;

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
        branch: deployment.branch,
        // The AMS Pulumi.yaml is at the repository root.
        repoDir: ".",
      },
    },
    vcs: {
      provider: "github",
      repository: args.githubRepository,
      deployCommits: deployment.deployOnPush,
      // Every pull request into the stack's branch shows what it would do to this stack.
      previewPullRequests: true,
      // No review stacks: one would be a whole AMS environment (EKS, databases) per pull request; the
      // preview against the real stack answers the reviewer's question for a fraction of the cost.
      pullRequestTemplate: false,
      paths: deployPaths(deployment.stack),
    },
    operationContext: {
      // A clean, lockfile-exact install; the default install step is skipped so it does not run twice.
      preRunCommands: ["npm ci"],
      options: { skipInstallDependencies: true, skipIntermediateDeployments: true },
      // The stack file gives the provider its region; this covers whatever else calls AWS during a run
      // (the kubeconfig's `aws eks get-token`, the AWS SDK in a pre-run command).
      environmentVariables: { AWS_REGION: args.awsRegion },
      oidc: {
        aws: {
          roleARN: args.roleArn,
          // CloudTrail names the stack behind every AWS call of a deployment. A plain string: Pulumi passes
          // it to STS as is, and STS allows only letters, digits and `+=,.@-` in a session name.
          sessionName: `pulumi-deploy-${args.project}-${deployment.stack}`,
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

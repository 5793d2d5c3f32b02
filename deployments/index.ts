import * as aws from "@pulumi/aws";
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import * as pulumiservice from "@pulumi/pulumiservice";
import { createAccountGuardRails, createStackIdentities } from "./awsAccess";
import { loadDeploymentsConfig } from "./config";
import { createGithubGovernance } from "./githubGovernance";
import { createGithubIssuer } from "./githubIssuer";
import { deploymentSettingsArgs, driftScheduleArgs } from "./settings";
import { AMS_PROJECT, AMS_STACKS, PROD_STACK } from "./stacks";

/**
 * Pulumi Deployments and Git governance for every AMS stack. AWS trusts Pulumi's and GitHub's OIDC
 * issuers; each stack gets a deploy role only its own update, refresh and destroy runs can assume (a
 * scoped policy that is also its permissions boundary), a read-only role for Deployments previews and one
 * for CI's pull-request previews; its deployment settings and a nightly drift check. Pulumi Cloud trusts
 * GitHub Actions' id tokens: pull requests get a read-only team token, approved release jobs a token that
 * may deploy prod. GitHub enforces the branch model: reviewed pull requests with green CI into develop and
 * main, release tags for the release team only, an approved `production` environment. Exported as a
 * function, like the AMS program, so the offline plan can evaluate it.
 */
export = async () => {
  const config = loadDeploymentsConfig();
  // Refuses to run with credentials for any other account: these roles can deploy everything.
  const account = new aws.Provider("ams-account", {
    region: config.awsRegion as aws.Region,
    allowedAccountIds: [config.awsAccountId],
  });
  const guardRails = createAccountGuardRails(config.awsAccountId, config.organization, { provider: account });

  const roles: Record<string, Record<string, pulumi.Output<string>>> = {};
  for (const deployment of AMS_STACKS) {
    const identities = createStackIdentities(
      {
        scope: { accountId: config.awsAccountId, region: config.awsRegion, stack: deployment.stack },
        organization: config.organization,
        project: AMS_PROJECT,
        githubRepository: config.githubRepository,
        guardRails,
      },
      { provider: account },
    );
    const settings = new pulumiservice.DeploymentSettings(
      `${deployment.stack}-settings`,
      deploymentSettingsArgs({
        organization: config.organization,
        project: AMS_PROJECT,
        githubRepository: config.githubRepository,
        awsRegion: config.awsRegion,
        deployment,
        roleArn: identities.deployRole.arn,
      }),
    );
    // A drift run is a deployment: it needs the stack's settings (source, credentials) to exist first.
    new pulumiservice.DriftSchedule(
      `${deployment.stack}-drift`,
      driftScheduleArgs(config.organization, AMS_PROJECT, deployment.stack),
      { dependsOn: [settings] },
    );
    roles[deployment.stack] = {
      deploy: identities.deployRole.arn,
      deploymentPreview: identities.deploymentPreviewRole.arn,
      githubPreview: identities.githubPreviewRole.arn,
    };
  }

  const stacks = AMS_STACKS.map((deployment) => deployment.stack);
  createGithubIssuer("github-actions", {
    organization: config.organization,
    githubRepository: config.githubRepository,
    project: AMS_PROJECT,
    stacks,
    prodStack: PROD_STACK,
  });

  // The admin's GITHUB_TOKEN (repository administration) applies the rules; the owner is the repository's.
  const githubProvider = new github.Provider("github", { owner: config.githubRepository.split("/")[0] });
  createGithubGovernance(
    { githubRepository: config.githubRepository, releaseTeam: config.releaseTeam, stacks },
    { provider: githubProvider },
  );

  return { pulumiOidcProviderArn: guardRails.pulumiIssuerArn, roles };
};

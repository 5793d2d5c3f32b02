import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as pulumiservice from "@pulumi/pulumiservice";
import { loadDeploymentsConfig } from "./config";
import { createGithubIssuer } from "./githubIssuer";
import { createDeployRole, PULUMI_OIDC_ISSUER } from "./oidcRole";
import { deploymentSettingsArgs, driftScheduleArgs } from "./settings";
import { AMS_PROJECT, AMS_STACKS } from "./stacks";

/**
 * Pulumi Deployments for every AMS stack: AWS trusts Pulumi's OIDC issuer, each stack gets a role only its
 * own deployments can assume, its deployment settings (source, triggers, path filters, OIDC) and a nightly
 * drift check. Pulumi Cloud trusts GitHub Actions' OIDC issuer for this repository's CI previews and prod
 * releases, so no workflow stores a Pulumi token. Exported as a function, like the AMS program, so the
 * offline plan can evaluate it.
 */
export = async () => {
  const config = loadDeploymentsConfig();
  // Refuses to run with credentials for any other account: these roles can deploy everything.
  const account = new aws.Provider("ams-account", {
    region: config.awsRegion as aws.Region,
    allowedAccountIds: [config.awsAccountId],
  });
  const pulumiIssuer = new aws.iam.OpenIdConnectProvider(
    "pulumi-oidc",
    {
      url: PULUMI_OIDC_ISSUER,
      // Pulumi Deployments tokens carry the organization name as their audience.
      clientIdLists: [config.organization],
      tags: { "ams:managed-by": "pulumi" },
    },
    { provider: account },
  );

  const deployRoleArns: Record<string, pulumi.Output<string>> = {};
  for (const deployment of AMS_STACKS) {
    const role = createDeployRole(
      `ams-${deployment.stack}-pulumi-deploy`,
      {
        organization: config.organization,
        project: AMS_PROJECT,
        stack: deployment.stack,
        providerArn: pulumiIssuer.arn,
        policyArns: config.deployPolicyArns,
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
        roleArn: role.arn,
      }),
    );
    // A drift run is a deployment: it needs the stack's settings (source, credentials) to exist first.
    new pulumiservice.DriftSchedule(
      `${deployment.stack}-drift`,
      driftScheduleArgs(config.organization, AMS_PROJECT, deployment.stack),
      { dependsOn: [settings] },
    );
    deployRoleArns[deployment.stack] = role.arn;
  }

  createGithubIssuer("github-actions", {
    organization: config.organization,
    githubRepository: config.githubRepository,
  });

  return { pulumiOidcProviderArn: pulumiIssuer.arn, deployRoleArns };
};

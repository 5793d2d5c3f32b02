import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Pulumi Cloud's OIDC issuer for Deployments (the `iss` of its tokens). */
export const PULUMI_OIDC_ISSUER = "https://api.pulumi.com/oidc";
/** The issuer as IAM condition keys name it: the URL without its scheme. */
export const PULUMI_OIDC_KEY_PREFIX = "api.pulumi.com/oidc";

/**
 * The `sub` claim of every Deployments token for one stack, any operation. Pulumi documents the claim as
 * `pulumi:deploy:org:<org>:project:<project>:stack:<stack>:operation:<op>:scope:write`; the `:` after the
 * stack name keeps `prod` from also matching a stack called `prod-copy`.
 */
export function stackSubjectPattern(organization: string, project: string, stack: string): string {
  return `pulumi:deploy:org:${organization}:project:${project}:stack:${stack}:*`;
}

/**
 * Trust policy of one stack's deploy role: only a Pulumi Deployments token of this organization (`aud`)
 * for this project and stack (`sub`) can assume it — not another stack's deployment, not another
 * organization's, and not a person.
 */
export function deployRoleTrustPolicy(
  providerArn: string,
  organization: string,
  project: string,
  stack: string,
): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "PulumiDeploymentsOfThisStackOnly",
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: { [`${PULUMI_OIDC_KEY_PREFIX}:aud`]: organization },
          StringLike: {
            [`${PULUMI_OIDC_KEY_PREFIX}:sub`]: stackSubjectPattern(organization, project, stack),
          },
        },
      },
    ],
  };
}

/**
 * Longest session a deployment asks for. A first `pulumi up` of an environment (EKS, Multi-AZ RDS,
 * DocumentDB) runs well past the 1 h default; the role's maximum must allow it.
 */
export const DEPLOY_SESSION_SECONDS = 2 * 60 * 60;

/** `XhYmZs`, the duration format of the Deployments OIDC settings. */
export function sessionDuration(seconds: number): string {
  return `${Math.floor(seconds / 3600)}h${Math.floor((seconds % 3600) / 60)}m${seconds % 60}s`;
}

export interface DeployRoleArgs {
  readonly organization: string;
  readonly project: string;
  readonly stack: string;
  /** The IAM OIDC provider for `PULUMI_OIDC_ISSUER`. */
  readonly providerArn: pulumi.Input<string>;
  /** Managed policies the deployment works with. */
  readonly policyArns: readonly string[];
}

/** The IAM role one stack's deployments assume, with its trust policy and its policy attachments. */
export function createDeployRole(
  name: string,
  args: DeployRoleArgs,
  opts: pulumi.CustomResourceOptions,
): aws.iam.Role {
  const role = new aws.iam.Role(
    name,
    {
      name,
      description: `Pulumi Deployments of ${args.organization}/${args.project}/${args.stack}`,
      assumeRolePolicy: pulumi
        .output(args.providerArn)
        .apply((arn) =>
          JSON.stringify(deployRoleTrustPolicy(arn, args.organization, args.project, args.stack)),
        ),
      maxSessionDuration: DEPLOY_SESSION_SECONDS,
      tags: { "ams:stack": args.stack, "ams:managed-by": "pulumi" },
    },
    opts,
  );
  // Attachments, not the role's deprecated `managedPolicyArns`.
  for (const policyArn of args.policyArns) {
    // Named after the policy, so a change to the list replaces only the attachments that changed.
    const policyName = policyArn.split("/").pop() as string;
    new aws.iam.RolePolicyAttachment(
      `${name}-${policyName}`,
      { role: role.name, policyArn },
      { ...opts, parent: role },
    );
  }
  return role;
}

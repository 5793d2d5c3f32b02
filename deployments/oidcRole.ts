import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Pulumi Cloud's OIDC issuer for Deployments (the `iss` of its tokens). */
export const PULUMI_OIDC_ISSUER = "https://api.pulumi.com/oidc";
/** The issuer as IAM condition keys name it: the URL without its scheme. */
export const PULUMI_OIDC_KEY_PREFIX = "api.pulumi.com/oidc";
/** GitHub Actions' OIDC issuer, as IAM names it; the account's provider for it exists already. */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
/** The audience `aws-actions/configure-aws-credentials` requests GitHub's id token for. */
export const STS_AUDIENCE = "sts.amazonaws.com";

/**
 * The operations a Deployments token can be issued for. Pulumi documents the claim as one of `preview`,
 * `update`, `refresh` or `destroy`, and the `sub` as
 * `pulumi:deploy:org:<org>:project:<project>:stack:<stack>:operation:<operation>:scope:write`, where the
 * scope is always `write` (https://www.pulumi.com/docs/deployments/guides/oidc/#custom-claims). Drift
 * detection is a preview-only refresh and remediation an update
 * (https://www.pulumi.com/docs/deployments/concepts/drift/), so they arrive as one of these four.
 */
export type DeploymentOperation = "preview" | "update" | "refresh" | "destroy";
/** The operations that change the stack: only these may assume its deploy role. */
export const WRITE_OPERATIONS: readonly DeploymentOperation[] = ["update", "refresh", "destroy"];
/** The operation that only reads: only it may assume the stack's Deployments preview role. */
export const PREVIEW_OPERATIONS: readonly DeploymentOperation[] = ["preview"];

/** The exact `sub` of a Deployments token for one stack and operation (no wildcard: nothing else matches). */
export function deploymentSubject(
  organization: string,
  project: string,
  stack: string,
  operation: DeploymentOperation,
): string {
  return `pulumi:deploy:org:${organization}:project:${project}:stack:${stack}:operation:${operation}:scope:write`;
}

/**
 * Trust policy of a role only Pulumi Deployments' tokens of this organization (`aud`), for this project and
 * stack and for the given operations (`sub`, exact), can assume: not another stack's deployment, not
 * another operation's, not another organization's, not a person.
 */
export function deploymentTrustPolicy(
  providerArn: string,
  organization: string,
  project: string,
  stack: string,
  operations: readonly DeploymentOperation[],
): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "PulumiDeploymentsOfThisStackAndOperationsOnly",
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${PULUMI_OIDC_KEY_PREFIX}:aud`]: organization,
            [`${PULUMI_OIDC_KEY_PREFIX}:sub`]: operations.map((operation) =>
              deploymentSubject(organization, project, stack, operation),
            ),
          },
        },
      },
    ],
  };
}

/**
 * Trust policy of CI's preview role: only a job of this repository run for a `pull_request` event, without
 * an environment (GitHub's `sub` for it is `repo:<owner>/<repo>:pull_request`,
 * https://docs.github.com/en/actions/reference/security/oidc#filtering-for-pull_request-events), with the
 * audience `aws-actions/configure-aws-credentials` asks for. A pull request runs its branch's own workflow
 * file, so whatever it does with the role, the role can only read.
 */
export function githubPreviewTrustPolicy(providerArn: string, repository: string): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "PullRequestJobsOfThisRepositoryOnly",
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${GITHUB_OIDC_HOST}:aud`]: STS_AUDIENCE,
            [`${GITHUB_OIDC_HOST}:sub`]: `repo:${repository}:pull_request`,
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

export interface OidcRoleArgs {
  /** Says whose role it is, in the console and in CloudTrail. */
  readonly description: string;
  readonly stack: string;
  /** The trust policy, given the ARN of the IAM OIDC provider it trusts. */
  readonly trustPolicy: (providerArn: string) => object;
  readonly providerArn: pulumi.Input<string>;
  /** The only permissions of the role (a customer-managed policy). */
  readonly policyArn: pulumi.Input<string>;
  /** Its permissions boundary; none for read-only roles, which create nothing. */
  readonly permissionsBoundary?: pulumi.Input<string>;
  /** Longest session, seconds (IAM's default: 1 h). */
  readonly maxSessionSeconds?: number;
}

/** A role assumable only through web identity, with one managed policy attached. */
export function createOidcRole(
  name: string,
  args: OidcRoleArgs,
  opts: pulumi.CustomResourceOptions,
): aws.iam.Role {
  const role = new aws.iam.Role(
    name,
    {
      name,
      description: args.description,
      assumeRolePolicy: pulumi.output(args.providerArn).apply((arn) => JSON.stringify(args.trustPolicy(arn))),
      permissionsBoundary: args.permissionsBoundary,
      maxSessionDuration: args.maxSessionSeconds ?? 3600,
      tags: { "ams:stack": args.stack, "ams:managed-by": "pulumi" },
    },
    opts,
  );
  // An attachment, not the role's deprecated `managedPolicyArns`.
  new aws.iam.RolePolicyAttachment(
    `${name}-policy`,
    { role: role.name, policyArn: args.policyArn },
    { ...opts, parent: role },
  );
  return role;
}

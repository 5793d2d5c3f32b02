import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AccountScope, deployPolicy, previewPolicy, workloadBoundary } from "./iamPolicies";
import {
  deployPolicyName,
  deployRoleName,
  deploymentPreviewRoleName,
  githubPreviewRoleName,
  previewPolicyName,
  workloadBoundaryName,
} from "./names";
import {
  createOidcRole,
  DEPLOY_SESSION_SECONDS,
  deploymentTrustPolicy,
  GITHUB_OIDC_HOST,
  githubPreviewTrustPolicy,
  PREVIEW_OPERATIONS,
  WRITE_OPERATIONS,
} from "./oidcRole";

/** The identities one AMS stack is deployed and previewed with. */
export interface StackIdentities {
  /** Pulumi Deployments' update, refresh and destroy runs. */
  readonly deployRole: aws.iam.Role;
  /** Pulumi Deployments' preview runs. */
  readonly deploymentPreviewRole: aws.iam.Role;
  /** CI's `pulumi preview (<stack>)` job of a pull request. */
  readonly githubPreviewRole: aws.iam.Role;
}

export interface AccountGuardRails {
  readonly previewPolicy: aws.iam.Policy;
  /** The IAM OIDC provider of Pulumi Deployments' tokens. */
  readonly pulumiIssuerArn: pulumi.Output<string>;
  /** The account's IAM OIDC provider of GitHub Actions' tokens (it exists already; shared, not owned). */
  readonly githubIssuerArn: string;
}

const TAGS = { "ams:managed-by": "pulumi" };

/** What is shared by every stack: the read-only policy and the two OIDC providers. */
export function createAccountGuardRails(
  accountId: string,
  organization: string,
  opts: pulumi.CustomResourceOptions,
): AccountGuardRails {
  const pulumiIssuer = new aws.iam.OpenIdConnectProvider(
    "pulumi-oidc",
    {
      url: "https://api.pulumi.com/oidc",
      // Pulumi Deployments tokens carry the organization name as their audience.
      clientIdLists: [organization],
      tags: TAGS,
    },
    opts,
  );
  const preview = new aws.iam.Policy(
    "preview-read",
    {
      name: previewPolicyName(),
      description: "AMS previews: describe what the program manages; no write, no secret value",
      policy: JSON.stringify(previewPolicy()),
      tags: TAGS,
    },
    opts,
  );
  return {
    previewPolicy: preview,
    pulumiIssuerArn: pulumiIssuer.arn,
    // AWS allows one provider per issuer URL in an account; the AMS stacks reference the same one
    // (`githubOidcProviderArn` in Pulumi.<stack>.yaml).
    githubIssuerArn: `arn:aws:iam::${accountId}:oidc-provider/${GITHUB_OIDC_HOST}`,
  };
}

export interface StackIdentitiesArgs {
  readonly scope: AccountScope;
  readonly organization: string;
  readonly project: string;
  readonly githubRepository: string;
  readonly guardRails: AccountGuardRails;
}

/**
 * One stack's three identities and the two policies only it uses: the workload boundary its program's
 * roles must carry, and the deploy policy — attached to the deploy role and also its permissions boundary,
 * so nothing attached to the role later can widen it.
 */
export function createStackIdentities(
  args: StackIdentitiesArgs,
  opts: pulumi.CustomResourceOptions,
): StackIdentities {
  const { stack } = args.scope;
  const boundary = new aws.iam.Policy(
    `${stack}-workload-boundary`,
    {
      name: workloadBoundaryName(stack),
      description: `AMS ${stack}: the most any role created by the program may do (no IAM)`,
      policy: JSON.stringify(workloadBoundary()),
      tags: { ...TAGS, "ams:stack": stack },
    },
    opts,
  );
  const deploy = new aws.iam.Policy(
    `${stack}-deploy`,
    {
      name: deployPolicyName(stack),
      description: `AMS ${stack}: what pulumi up, refresh and destroy of this stack may do`,
      policy: JSON.stringify(deployPolicy(args.scope)),
      tags: { ...TAGS, "ams:stack": stack },
    },
    // The deploy policy refers to the boundary by ARN: the boundary exists before a role can need it.
    { ...opts, dependsOn: [boundary] },
  );
  const trustOf = (operations: typeof WRITE_OPERATIONS) => (providerArn: string) =>
    deploymentTrustPolicy(providerArn, args.organization, args.project, stack, operations);

  const deployRole = createOidcRole(
    deployRoleName(stack),
    {
      description: `Pulumi Deployments of ${args.organization}/${args.project}/${stack}: update, refresh, destroy`,
      stack,
      trustPolicy: trustOf(WRITE_OPERATIONS),
      providerArn: args.guardRails.pulumiIssuerArn,
      policyArn: deploy.arn,
      permissionsBoundary: deploy.arn,
      maxSessionSeconds: DEPLOY_SESSION_SECONDS,
    },
    opts,
  );
  const deploymentPreviewRole = createOidcRole(
    deploymentPreviewRoleName(stack),
    {
      description: `Pulumi Deployments of ${args.organization}/${args.project}/${stack}: preview only`,
      stack,
      trustPolicy: trustOf(PREVIEW_OPERATIONS),
      providerArn: args.guardRails.pulumiIssuerArn,
      policyArn: args.guardRails.previewPolicy.arn,
    },
    opts,
  );
  const githubPreviewRole = createOidcRole(
    githubPreviewRoleName(stack),
    {
      description: `CI pulumi preview of ${stack} for pull requests of ${args.githubRepository}`,
      stack,
      trustPolicy: (providerArn) => githubPreviewTrustPolicy(providerArn, args.githubRepository),
      providerArn: args.guardRails.githubIssuerArn,
      policyArn: args.guardRails.previewPolicy.arn,
    },
    opts,
  );
  return { deployRole, deploymentPreviewRole, githubPreviewRole };
}

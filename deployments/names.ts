/**
 * Names the deployments project gives the IAM objects that guard the AMS account, in one place: the AMS
 * program reads `workloadBoundaryName` (every role it creates must carry that boundary, or IAM refuses the
 * deploy role's `CreateRole`), and issue 13's EKS access entries name the deploy and preview roles. Pure
 * strings, no imports, so the AMS program can use them without loading this project's dependencies.
 */

/** The role Pulumi Deployments' update, refresh and destroy runs of one stack assume. */
export function deployRoleName(stack: string): string {
  return `ams-${stack}-pulumi-deploy`;
}

/** The read-only role Pulumi Deployments' preview runs of one stack assume. */
export function deploymentPreviewRoleName(stack: string): string {
  return `ams-${stack}-pulumi-preview`;
}

/** The read-only role CI's `pulumi preview (<stack>)` job assumes through GitHub's OIDC provider. */
export function githubPreviewRoleName(stack: string): string {
  return `ams-${stack}-github-preview`;
}

/** The managed policy that is both the deploy role's permissions and its own permissions boundary. */
export function deployPolicyName(stack: string): string {
  return `ams-${stack}-pulumi-deploy`;
}

/** The read-only managed policy of every preview role (the same for every stack: reads are not per stack). */
export function previewPolicyName(): string {
  return "ams-preview-read";
}

/** The managed policy every role the AMS program creates must carry as its permissions boundary. */
export function workloadBoundaryName(stack: string): string {
  return `ams-${stack}-workload-boundary`;
}

/** ARN of a customer-managed policy of this account. */
export function policyArn(accountId: string, name: string): string {
  return `arn:aws:iam::${accountId}:policy/${name}`;
}

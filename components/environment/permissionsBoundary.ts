import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyArn, workloadBoundaryName } from "../../deployments/names";

const ROLE = "aws:iam/role:Role";

/**
 * Every IAM role this stack creates carries the stack's workload permissions boundary
 * (`ams-<stack>-workload-boundary`, created by `deployments/`): the deploy role may create and change
 * roles only with that boundary (`deployments/iamPolicies.ts`), so a role without it would be refused by
 * IAM at `pulumi up`. Applied to every role at registration, so a role added later cannot forget it; the
 * `ams-iam-role-boundary` policy checks the result. Remote components create no role with the arguments
 * the program passes (`deployments/managedAwsTypes.ts`, COMPONENT_CHILDREN).
 */
export function requireWorkloadBoundary(stack: string): void {
  const boundaryArn = aws
    .getCallerIdentityOutput({})
    .accountId.apply((accountId) => policyArn(accountId, workloadBoundaryName(stack)));
  pulumi.runtime.registerStackTransformation((args) =>
    args.type === ROLE
      ? { props: { ...args.props, permissionsBoundary: boundaryArn }, opts: args.opts }
      : undefined,
  );
}

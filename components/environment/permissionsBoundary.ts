import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyArn, workloadBoundaryName } from "../../deployments/names";

const ROLE = "aws:iam/role:Role";

/**
 * Every IAM role this stack creates carries the stack's workload permissions boundary
 * (`ams-<stack>-workload-boundary`, created by `deployments/`): the deploy role may create and change
 * roles only with that boundary (`deployments/iamPolicies.ts`), so a role without it would be refused by
 * IAM at `pulumi up`. Applied to every role at registration, so a role added later cannot forget it; the
 * `ams-iam-role-boundary` policy checks the result.
 *
 * The account comes from the stack's own AWS `provider` (the one the roles are created with), not from the
 * default provider, which may resolve other credentials.
 *
 * A stack transformation (`registerStackTransformation`, the legacy kind) runs in this process and sees only
 * resources the program itself registers: it does not reach the children of a remote (packaged, MLC)
 * component such as `eks.Cluster` or `eks.ManagedNodeGroup`, whose provider registers them; only the
 * engine-side `transforms` do (https://www.pulumi.com/docs/iac/concepts/resources/options/transforms/,
 * https://www.pulumi.com/docs/iac/concepts/resources/options/transformations/). So no role may be left to
 * such a component: with the arguments the program passes (its own `serviceRole`, `skipDefaultNodeGroup`,
 * no `createInstanceRole`, Fargate, Auto Mode or `creationRoleProvider`; the node group's `nodeRole`),
 * pulumi-eks v4.3.0 creates none (nodejs/eks/cluster/cluster.ts: `ServiceRole` only without them;
 * `deployments/managedAwsTypes.ts`, COMPONENT_CHILDREN). tests/components/environment/permissionsBoundary.spec.ts pins both.
 */
export function requireWorkloadBoundary(stack: string, provider: aws.Provider): void {
  const boundaryArn = aws
    .getCallerIdentityOutput({}, { provider })
    .accountId.apply((accountId) => policyArn(accountId, workloadBoundaryName(stack)));
  pulumi.runtime.registerStackTransformation((args) =>
    args.type === ROLE
      ? { props: { ...args.props, permissionsBoundary: boundaryArn }, opts: args.opts }
      : undefined,
  );
}

import * as eks from "@pulumi/eks";
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig } from "../../config/types";

/** EKS access policy that makes a principal cluster-admin. */
export const CLUSTER_ADMIN_POLICY_ARN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";

/** Who a principal is to the cluster, and so which access it gets. */
export type ClusterRole = "admin" | "deploy" | "preview";

/** Every principal with an access entry, and its role. */
export function clusterPrincipals(config: Pick<ClusterConfig, "adminPrincipalArns" | "ciAccess">): {
  principalArn: string;
  role: ClusterRole;
}[] {
  return [
    ...config.adminPrincipalArns.map((principalArn) => ({ principalArn, role: "admin" as const })),
    ...(config.ciAccess.deployRoleArn
      ? [{ principalArn: config.ciAccess.deployRoleArn, role: "deploy" as const }]
      : []),
    ...config.ciAccess.previewRoleArns.map((principalArn) => ({ principalArn, role: "preview" as const })),
  ];
}

/**
 * Access entries (authentication mode API), keyed by principal, so removing one leaves the others untouched
 * (a re-keyed entry would be replaced, and its create would collide with the entry it replaces).
 *
 * - admins and the deploy role: cluster-admin. `pulumi up` installs CRDs, cluster roles and admission
 *   webhooks (the Helm charts) and RBAC lets nobody grant permissions it does not hold itself, so anything
 *   less fails the first chart.
 * - preview roles: an entry with no access policy. Authenticated users keep the built-in discovery
 *   permissions (`system:discovery`), which is all `pulumi preview` of this program reads: pulumi-kubernetes
 *   diffs against the state file, and where it would dry-run a server-side apply it falls back to the
 *   client-side result on `Forbidden` (docs/architecture.md, "Reaching the cluster API").
 */
export function clusterAccessEntries(
  config: Pick<ClusterConfig, "adminPrincipalArns" | "ciAccess">,
): Record<string, eks.types.input.AccessEntryArgs> {
  return Object.fromEntries(
    clusterPrincipals(config).map(({ principalArn, role }) => [
      accessEntryKey(principalArn),
      {
        principalArn,
        ...(role === "preview"
          ? {}
          : {
              accessPolicies: {
                clusterAdmin: { policyArn: CLUSTER_ADMIN_POLICY_ARN, accessScope: { type: "cluster" } },
              },
            }),
      },
    ]),
  );
}

/** `arn:aws:iam::111122223333:role/ops/platform-admin` → `role-ops-platform-admin`. */
export function accessEntryKey(principalArn: string): string {
  return principalArn
    .split(":")
    .slice(5)
    .join(":")
    .replace(/[^A-Za-z0-9-]+/g, "-");
}

/**
 * Turns off EKS's implicit admin entry for the cluster's creator. @pulumi/eks always asks for it
 * (`bootstrapClusterCreatorAdminPermissions: true`, nodejs/eks/cluster/cluster.ts of pulumi/pulumi-eks
 * v4.3.0), so when the deploy role creates the cluster (the first Git-triggered `pulumi up`), EKS has already
 * made an entry for it and the declared one fails with ResourceInUseException. With it off, every principal's
 * access is the declared one. @pulumi/eks ignores later changes of the field
 * (`ignoreChanges: ["accessConfig.bootstrapClusterCreatorAdminPermissions"]`), so an existing cluster is not
 * replaced. A `transforms` callback is the way to reach a child of a packaged component
 * (https://www.pulumi.com/docs/iac/concepts/resources/options/transforms/).
 */
export const withoutCreatorAdmin: pulumi.ResourceTransform = (args) => {
  if (args.type !== "aws:eks/cluster:Cluster") return undefined;
  const accessConfig = (args.props.accessConfig ?? {}) as Record<string, unknown>;
  return {
    props: {
      ...args.props,
      accessConfig: { ...accessConfig, bootstrapClusterCreatorAdminPermissions: false },
    },
    opts: args.opts,
  };
};

import { ResourceValidationPolicy } from "@pulumi/policy";

/**
 * EKS grants the principal that creates a cluster an implicit cluster-admin access entry unless
 * `accessConfig.bootstrapClusterCreatorAdminPermissions` is false
 * (https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateAccessConfigRequest.html). @pulumi/eks asks
 * for it (nodejs/eks/cluster/cluster.ts of pulumi/pulumi-eks v4.3.0), so the program turns it off with a
 * `transforms` callback on the cluster component (components/environment/clusterAccess.ts,
 * `withoutCreatorAdmin`). Checked on the cluster resource @pulumi/eks registers inside its component, which a
 * real preview shows to the policy pack; the field cannot be changed after creation, so this is the moment.
 */
export const eksNoCreatorAdmin: ResourceValidationPolicy = {
  name: "ams-eks-no-creator-admin",
  description:
    "An EKS cluster gives its creator no implicit admin (accessConfig.bootstrapClusterCreatorAdminPermissions false): every principal's access is a declared access entry, and the deploy role's own entry cannot collide with an implicit one.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (args.type !== "aws:eks/cluster:Cluster") return;
    const accessConfig = args.props.accessConfig as
      { bootstrapClusterCreatorAdminPermissions?: unknown } | undefined;
    if (accessConfig?.bootstrapClusterCreatorAdminPermissions !== false) {
      report(
        `${args.name}: accessConfig.bootstrapClusterCreatorAdminPermissions is ${JSON.stringify(accessConfig?.bootstrapClusterCreatorAdminPermissions)}; it must be false (no implicit admin for the creator)`,
      );
    }
  },
};

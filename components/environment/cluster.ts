import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { architectureOf } from "../../config/platform";
import { ClusterConfig, EnvironmentName, NodeGroupConfig } from "../../config/types";
import { awsTags } from "../labels";
import { clusterAccessEntries, withoutCreatorAdmin } from "./clusterAccess";
import { policy, serviceTrustPolicy } from "./iamDocuments";
import { Network } from "./network";
import { nodeLaunchTemplate } from "./nodeLaunchTemplate";
import { environmentProtection } from "./protection";

/** Managed policies every EKS worker node needs, plus SSM so nodes are reachable without SSH keys. */
export const NODE_MANAGED_POLICIES = [
  "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
  "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
  "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
  "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
];

export interface Cluster {
  readonly cluster: eks.Cluster;
  readonly name: string;
  readonly provider: k8s.Provider;
  readonly nodeGroup: eks.ManagedNodeGroup;
  readonly kubeconfig: pulumi.Output<string>;
  readonly oidcProviderArn: pulumi.Output<string>;
  /** The OIDC issuer without `https://`: the prefix of IRSA condition keys (`<issuer>:sub`). */
  readonly oidcIssuer: pulumi.Output<string>;
  /** The security group EKS attaches to the cluster and to managed nodes (and so to pods). */
  readonly nodeSecurityGroupId: pulumi.Output<string>;
}

/**
 * The AMI type of the node group, stated rather than left to EKS's x86_64 default: Amazon Linux 2023 (EKS
 * publishes no AL2 AMIs after Kubernetes 1.32) for the instances' CPU architecture, so Graviton instance
 * types get an arm64 AMI (https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateNodegroup.html).
 */
export function nodeAmiType(nodeGroup: Pick<NodeGroupConfig, "instanceTypes">): string {
  return architectureOf(nodeGroup.instanceTypes[0]) === "arm64"
    ? "AL2023_ARM_64_STANDARD"
    : "AL2023_x86_64_STANDARD";
}

/**
 * The EKS cluster: API-mode access entries, IRSA (OIDC provider), secrets sealed with the environment key,
 * control-plane logs, a private endpoint (plus a public one only for the configured CIDRs), and a managed
 * node group in the private subnets whose metadata service pods cannot reach (see nodeLaunchTemplate.ts).
 */
export function cluster(
  name: string,
  args: {
    environment: EnvironmentName;
    clusterName: string;
    config: ClusterConfig;
    network: Network;
    keyArn: pulumi.Input<string>;
  },
  parent: pulumi.Resource,
): Cluster {
  const { config, environment } = args;
  const protect = environmentProtection(environment).protect;

  const serviceRole = new aws.iam.Role(
    `${name}-control-plane`,
    {
      description: `AMS ${environment}: EKS control plane`,
      assumeRolePolicy: JSON.stringify(serviceTrustPolicy("eks.amazonaws.com", ["sts:TagSession"])),
      tags: awsTags("cluster"),
    },
    { parent },
  );
  const clusterPolicy = new aws.iam.RolePolicyAttachment(
    `${name}-control-plane`,
    { role: serviceRole.name, policyArn: "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy" },
    { parent },
  );
  // Envelope encryption of Kubernetes secrets: the control plane must use the environment key.
  const keyPolicy = new aws.iam.RolePolicy(
    `${name}-control-plane-kms`,
    {
      role: serviceRole.name,
      policy: pulumi.output(args.keyArn).apply((keyArn) =>
        JSON.stringify(
          policy({
            Effect: "Allow",
            Action: ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey", "kms:CreateGrant"],
            Resource: keyArn,
          }),
        ),
      ),
    },
    { parent },
  );

  // EKS would create this log group itself, unencrypted and kept forever; created here, it is sealed with
  // the environment key and expires.
  const controlPlaneLogs = new aws.cloudwatch.LogGroup(
    `${name}-control-plane-logs`,
    {
      name: `/aws/eks/${args.clusterName}/cluster`,
      retentionInDays: environment === "prod" ? 365 : 30,
      kmsKeyId: args.keyArn,
      tags: awsTags("cluster"),
    },
    { parent },
  );

  const publicEndpoint = config.publicAccessCidrs.length > 0;
  const eksCluster = new eks.Cluster(
    name,
    {
      name: args.clusterName,
      version: config.kubernetesVersion,
      vpcId: args.network.vpcId,
      publicSubnetIds: args.network.publicSubnetIds,
      privateSubnetIds: args.network.privateSubnetIds,
      authenticationMode: eks.AuthenticationMode.Api,
      accessEntries: clusterAccessEntries(config),
      createOidcProvider: true,
      encryptionConfigKeyArn: args.keyArn,
      enabledClusterLogTypes: [...config.logTypes],
      endpointPrivateAccess: true,
      endpointPublicAccess: publicEndpoint,
      ...(publicEndpoint ? { publicAccessCidrs: [...config.publicAccessCidrs] } : {}),
      serviceRole,
      skipDefaultNodeGroup: true,
      // Managed nodes get the security group EKS creates for the cluster; the extra node group @pulumi/eks
      // would create applies to self-managed nodes only, and exporting it would mislead data-store rules.
      skipDefaultSecurityGroups: true,
      nodeAssociatePublicIpAddress: false,
      deletionProtection: protect,
      tags: awsTags("cluster"),
    },
    {
      parent,
      protect,
      dependsOn: [clusterPolicy, keyPolicy, controlPlaneLogs],
      transforms: [withoutCreatorAdmin],
    },
  );

  const nodeRole = new aws.iam.Role(
    `${name}-nodes`,
    {
      description: `AMS ${environment}: EKS worker nodes`,
      assumeRolePolicy: JSON.stringify(serviceTrustPolicy("ec2.amazonaws.com")),
      tags: awsTags("cluster"),
    },
    { parent },
  );
  const nodePolicies = NODE_MANAGED_POLICIES.map(
    (policyArn) =>
      new aws.iam.RolePolicyAttachment(
        `${name}-nodes-${policyArn.split("/").pop()}`,
        { role: nodeRole.name, policyArn },
        { parent },
      ),
  );
  const { nodeGroup } = config;
  const launchTemplate = nodeLaunchTemplate(`${name}-nodes`, environment, nodeGroup, parent);
  const generalNodes = new eks.ManagedNodeGroup(
    `${name}-general`,
    {
      cluster: eksCluster,
      // A prefix, not a fixed name: changing instance types replaces the group, create-before-delete.
      nodeGroupNamePrefix: `${args.clusterName}-general-`,
      nodeRole,
      // @pulumi/eks defaults the version to the cluster's only without a launch template
      // (createManagedNodeGroup in nodejs/eks/nodes/nodegroup.ts of pulumi/pulumi-eks v4.3.0); ours carries
      // no AMI, so EKS accepts a version, and the nodes follow `kubernetesVersion`. The node group waits for
      // the cluster (its `cluster` input), so one update upgrades the control plane first, as EKS requires
      // (a node group may not be newer than its control plane).
      version: config.kubernetesVersion,
      amiType: nodeAmiType(nodeGroup),
      subnetIds: args.network.privateSubnetIds,
      instanceTypes: [...nodeGroup.instanceTypes],
      capacityType: nodeGroup.capacityType,
      scalingConfig: {
        minSize: nodeGroup.minSize,
        desiredSize: nodeGroup.desiredSize,
        maxSize: nodeGroup.maxSize,
      },
      launchTemplate: { id: launchTemplate.id, version: pulumi.interpolate`${launchTemplate.latestVersion}` },
      labels: { "ams.io/node-group": "general" },
      tags: awsTags("cluster"),
    },
    { parent, dependsOn: nodePolicies },
  );

  const kubeconfig = pulumi.secret(eksCluster.kubeconfigJson);
  // ConfigMaps are updated in place, not replaced: by default the provider replaces a ConfigMap whose data
  // changes, and one with a fixed name is deleted before it is created again
  // (https://github.com/pulumi/pulumi-kubernetes/issues/1567, provider/pkg/provider/diff.go and provider.go
  // `deleteBeforeReplace`). The blue-green workers' consume switches are such ConfigMaps, rewritten by every
  // flip and watched by the running workers: deleted for a moment, a switch would read as unset.
  // `enableConfigMapMutable`: https://github.com/pulumi/pulumi-kubernetes/pull/1926.
  const provider = new k8s.Provider(
    `${name}-k8s`,
    { kubeconfig, enableServerSideApply: true, enableConfigMapMutable: true },
    { parent },
  );
  return {
    cluster: eksCluster,
    name: args.clusterName,
    provider,
    nodeGroup: generalNodes,
    kubeconfig,
    oidcProviderArn: eksCluster.oidcProviderArn,
    oidcIssuer: eksCluster.oidcIssuer,
    nodeSecurityGroupId: eksCluster.nodeSecurityGroupId,
  };
}

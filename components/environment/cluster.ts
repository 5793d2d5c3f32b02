import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig, EnvironmentName } from "../../amsConfig/types";
import { awsTags } from "../labels";
import { policy, serviceTrustPolicy } from "./iamDocuments";
import { Network } from "./network";
import { nodeLaunchTemplate } from "./nodeLaunchTemplate";
import { environmentPolicy } from "./policy";

/** EKS access policy that makes a principal cluster-admin. */
export const CLUSTER_ADMIN_POLICY_ARN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";

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
 * Access entries (authentication mode API): each admin principal gets cluster-admin, nothing else does.
 * Keyed by the principal's name, not its position, so removing one admin does not re-key the others (a
 * re-keyed entry would be replaced, and its create would collide with the entry it replaces).
 */
export function adminAccessEntries(
  principalArns: readonly string[],
): Record<string, eks.types.input.AccessEntryArgs> {
  return Object.fromEntries(
    principalArns.map((principalArn) => [
      accessEntryKey(principalArn),
      {
        principalArn,
        accessPolicies: {
          clusterAdmin: { policyArn: CLUSTER_ADMIN_POLICY_ARN, accessScope: { type: "cluster" } },
        },
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
  const protect = environmentPolicy(environment).protect;
  const account = aws.getCallerIdentityOutput({}, { parent });

  const serviceRole = new aws.iam.Role(
    `${name}-control-plane`,
    {
      description: `AMS ${environment}: EKS control plane`,
      assumeRolePolicy: account.accountId.apply((id) =>
        JSON.stringify(serviceTrustPolicy("eks.amazonaws.com", id, ["sts:TagSession"])),
      ),
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
      accessEntries: adminAccessEntries(config.adminPrincipalArns),
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
    { parent, protect, dependsOn: [clusterPolicy, keyPolicy, controlPlaneLogs] },
  );

  const nodeRole = new aws.iam.Role(
    `${name}-nodes`,
    {
      description: `AMS ${environment}: EKS worker nodes`,
      assumeRolePolicy: account.accountId.apply((id) =>
        JSON.stringify(serviceTrustPolicy("ec2.amazonaws.com", id)),
      ),
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
  const provider = new k8s.Provider(`${name}-k8s`, { kubeconfig, enableServerSideApply: true }, { parent });
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

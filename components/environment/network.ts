import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { EnvironmentName, NetworkConfig } from "../../config/types";
import { awsTags } from "../labels";
import { policy, sourceAccountTrustPolicy } from "./iamDocuments";
import { environmentResourceName, flowLogGroupName } from "../names";

export interface Network {
  readonly vpc: awsx.ec2.Vpc;
  readonly vpcId: pulumi.Output<string>;
  readonly publicSubnetIds: pulumi.Output<string[]>;
  readonly privateSubnetIds: pulumi.Output<string[]>;
  /** Zone of each private subnet, in the same order. */
  readonly privateZones: pulumi.Output<string[]>;
}

/**
 * Subnet sizes. awsx's `Auto` layout first splits the VPC into one block per zone — a power of two, so
 * 2^ceil(log2(zones)) blocks — and fails the update if a zone's subnets do not fit in its block. Within a
 * block, the private subnet takes half (pods take VPC addresses with the VPC CNI, so they need room) and
 * the public one a sixteenth (only load balancers and NAT gateways live there).
 */
export function subnetMasks(vpcCidr: string, zones: number): { privateMask: number; publicMask: number } {
  const zoneBlockMask = Number(vpcCidr.split("/")[1]) + Math.ceil(Math.log2(zones));
  return { privateMask: zoneBlockMask + 1, publicMask: zoneBlockMask + 4 };
}

/** Tags the AWS Load Balancer Controller uses to find the subnets for public and internal load balancers. */
export function subnetTags(clusterName: string, type: "Public" | "Private"): Record<string, string> {
  return {
    [type === "Public" ? "kubernetes.io/role/elb" : "kubernetes.io/role/internal-elb"]: "1",
    [`kubernetes.io/cluster/${clusterName}`]: "shared",
  };
}

/**
 * The environment's VPC, built with awsx's `ec2.Vpc` (it lays out subnets, route tables, the internet
 * gateway and the NAT gateways the way AWS recommends, so we do not hand-write route tables).
 */
export function network(
  name: string,
  args: {
    environment: EnvironmentName;
    network: NetworkConfig;
    clusterName: string;
    logKeyArn: pulumi.Input<string>;
  },
  parent: pulumi.Resource,
): Network {
  const masks = subnetMasks(args.network.cidr, args.network.availabilityZones);
  const vpc = new awsx.ec2.Vpc(
    name,
    {
      cidrBlock: args.network.cidr,
      numberOfAvailabilityZones: args.network.availabilityZones,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      natGateways: {
        strategy:
          args.network.natGateways === "perAz"
            ? awsx.ec2.NatGatewayStrategy.OnePerAz
            : awsx.ec2.NatGatewayStrategy.Single,
      },
      subnetStrategy: awsx.ec2.SubnetAllocationStrategy.Auto,
      subnetSpecs: [
        {
          type: awsx.ec2.SubnetType.Public,
          cidrMask: masks.publicMask,
          tags: subnetTags(args.clusterName, "Public"),
        },
        {
          type: awsx.ec2.SubnetType.Private,
          cidrMask: masks.privateMask,
          tags: subnetTags(args.clusterName, "Private"),
        },
      ],
      tags: { ...awsTags("network"), Name: environmentResourceName(args.environment) },
    },
    { parent },
  );
  if (args.network.flowLogs)
    flowLogs(`${name}-flow-logs`, args.environment, vpc.vpcId, args.logKeyArn, parent);
  return {
    vpc,
    vpcId: vpc.vpcId,
    publicSubnetIds: vpc.publicSubnetIds,
    privateSubnetIds: vpc.privateSubnetIds,
    privateZones: subnetZones(vpc.privateSubnetIds, parent),
  };
}

/**
 * The zone of each subnet, read back from EC2: a data store instance placed in one of these is in a zone
 * its subnet group covers, whatever zones awsx picked.
 */
function subnetZones(subnetIds: pulumi.Output<string[]>, parent: pulumi.Resource): pulumi.Output<string[]> {
  return subnetIds.apply((ids) =>
    pulumi.all(ids.map((id) => aws.ec2.getSubnetOutput({ id }, { parent }).availabilityZone)),
  );
}

/** Every accepted and rejected flow of the VPC, kept for a year in prod's log group, encrypted. */
function flowLogs(
  name: string,
  environment: EnvironmentName,
  vpcId: pulumi.Input<string>,
  keyArn: pulumi.Input<string>,
  parent: pulumi.Resource,
): void {
  const logGroup = new aws.cloudwatch.LogGroup(
    name,
    {
      name: flowLogGroupName(environment),
      retentionInDays: environment === "prod" ? 365 : 30,
      kmsKeyId: keyArn,
      tags: awsTags("network"),
    },
    { parent },
  );
  const account = aws.getCallerIdentityOutput({}, { parent });
  const role = new aws.iam.Role(
    `${name}-delivery`,
    {
      description: `AMS ${environment}: VPC flow logs delivery to CloudWatch Logs`,
      assumeRolePolicy: account.accountId.apply((id) =>
        JSON.stringify(sourceAccountTrustPolicy("vpc-flow-logs.amazonaws.com", id)),
      ),
      tags: awsTags("network"),
    },
    { parent },
  );
  new aws.iam.RolePolicy(
    `${name}-delivery`,
    {
      role: role.name,
      policy: logGroup.arn.apply((arn) =>
        JSON.stringify(
          policy({
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            Resource: [arn, `${arn}:*`],
          }),
        ),
      ),
    },
    { parent },
  );
  new aws.ec2.FlowLog(
    name,
    {
      vpcId,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: logGroup.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: 60,
      tags: awsTags("network"),
    },
    { parent },
  );
}

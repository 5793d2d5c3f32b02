import { EnvironmentName } from "../../../config/types";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsTags } from "../../labels";

/**
 * A data store's security group: its one port, reachable only from the security group of the cluster's
 * nodes and pods. No rule opens it to an address range, and nothing else can reach it.
 */
export function storeSecurityGroup(
  name: string,
  args: {
    vpcId: pulumi.Input<string>;
    port: number;
    clientSecurityGroupId: pulumi.Input<string>;
    description: string;
  },
  parent: pulumi.Resource,
): aws.ec2.SecurityGroup {
  const group = new aws.ec2.SecurityGroup(
    name,
    { vpcId: args.vpcId, description: args.description, tags: awsTags("data") },
    { parent },
  );
  new aws.vpc.SecurityGroupIngressRule(
    `${name}-from-cluster`,
    {
      securityGroupId: group.id,
      referencedSecurityGroupId: args.clientSecurityGroupId,
      ipProtocol: "tcp",
      fromPort: args.port,
      toPort: args.port,
      description: "AMS pods and nodes",
      tags: awsTags("data"),
    },
    { parent },
  );
  return group;
}

/** What every data store needs from the environment. */
export interface StoreContext {
  readonly environment: EnvironmentName;
  readonly vpcId: pulumi.Input<string>;
  readonly privateSubnetIds: pulumi.Input<string[]>;
  /** Security group of the cluster's nodes and pods: the only allowed client. */
  readonly clientSecurityGroupId: pulumi.Input<string>;
  readonly keyArn: pulumi.Input<string>;
  /** The VPC's availability zones (names), in the order its subnets use them. */
  readonly zones: pulumi.Output<string[]>;
  /** staging and prod: protect, deletion protection, final snapshots. */
  readonly protect: boolean;
}

/** The zone of a store's `index`-th instance: one per zone, round robin. */
export function zoneOf(zones: pulumi.Output<string[]>, index: number): pulumi.Output<string> {
  return zones.apply((names) => names[index % names.length]);
}

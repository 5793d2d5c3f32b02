import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EnvironmentName, NodeGroupConfig } from "../../config/types";
import { awsTags } from "../labels";
import { environmentResourceName } from "../names";

/**
 * Launch template of the managed node group. IMDSv2 only, with a hop limit of 1: a packet from a pod's
 * network namespace needs two hops to reach the instance metadata service, so pods cannot read the node
 * role's credentials (they get their own through IRSA). `@pulumi/eks`'s `enableIMDSv2` sets a hop limit
 * of 2, which would let them. Root volume: gp3, encrypted.
 */
export function nodeLaunchTemplate(
  name: string,
  environment: EnvironmentName,
  nodeGroup: NodeGroupConfig,
  parent: pulumi.Resource,
): aws.ec2.LaunchTemplate {
  return new aws.ec2.LaunchTemplate(
    name,
    {
      description: `AMS ${environment}: EKS worker nodes`,
      metadataOptions: {
        httpEndpoint: "enabled",
        httpTokens: "required",
        httpPutResponseHopLimit: 1,
        instanceMetadataTags: "disabled",
      },
      blockDeviceMappings: [
        {
          deviceName: "/dev/xvda",
          ebs: {
            volumeSize: nodeGroup.diskSizeGib,
            volumeType: "gp3",
            encrypted: "true",
            deleteOnTermination: "true",
          },
        },
      ],
      tagSpecifications: [
        {
          resourceType: "instance",
          tags: { ...awsTags("cluster"), Name: environmentResourceName(environment, "node") },
        },
      ],
      tags: awsTags("cluster"),
    },
    { parent },
  );
}

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsTags } from "../labels";
import { irsaTrustPolicy, PolicyDocument } from "./iamDocuments";

/** What a workload identity needs to know about the cluster. */
export interface ClusterOidc {
  readonly providerArn: pulumi.Input<string>;
  /** OIDC issuer without `https://` (`eks.Cluster.oidcIssuer`, not `oidcProviderUrl`, which has it). */
  readonly issuer: pulumi.Input<string>;
}

export interface IrsaRoleArgs {
  readonly oidc: ClusterOidc;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Inline permissions of the role. */
  readonly policy: pulumi.Input<PolicyDocument>;
  readonly component: string;
}

/** An IAM role that exactly one Kubernetes service account of this cluster can assume (IRSA). */
export function irsaRole(name: string, args: IrsaRoleArgs, parent: pulumi.Resource): aws.iam.Role {
  const role = new aws.iam.Role(
    name,
    {
      description: `IRSA for system:serviceaccount:${args.namespace}:${args.serviceAccount}`,
      assumeRolePolicy: pulumi
        .all([args.oidc.providerArn, args.oidc.issuer])
        .apply(([arn, url]) =>
          JSON.stringify(irsaTrustPolicy(arn, url, args.namespace, args.serviceAccount)),
        ),
      tags: awsTags(args.component),
    },
    { parent },
  );
  new aws.iam.RolePolicy(
    `${name}-permissions`,
    { role: role.name, policy: pulumi.output(args.policy).apply((document) => JSON.stringify(document)) },
    { parent },
  );
  return role;
}

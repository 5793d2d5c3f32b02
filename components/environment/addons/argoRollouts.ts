import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { policy, PolicyDocument } from "../iamDocuments";
import { ClusterOidc, irsaRole } from "../irsa";
import { CHARTS } from "./charts";
import { helmRelease } from "./helmRelease";

/** The controller's service account, named so its IRSA role can trust exactly it. */
export const ARGO_ROLLOUTS_SA = "argo-rollouts";

/**
 * What the Argo Rollouts controller calls on AWS, and nothing else:
 * - `cloudwatch:GetMetricData`, for the canary analysis' CloudWatch metrics (docs/analysis/cloudwatch.md in
 *   argoproj/argo-rollouts: "This analysis is required IAM permission for cloudwatch:GetMetricData");
 * - the Elastic Load Balancing reads that target-group verification uses to confirm the ALB really forwards
 *   the weights and targets Argo set before it moves on or scales the old pods down
 *   (docs/features/traffic-management/alb.md, "TargetGroup Verification").
 * None of these actions supports resource-level permissions, so the resource is `*`; all are reads.
 */
export function argoRolloutsPolicy(): PolicyDocument {
  return policy(
    { Effect: "Allow", Action: ["cloudwatch:GetMetricData"], Resource: "*" },
    {
      Effect: "Allow",
      Action: [
        "elasticloadbalancing:DescribeTargetGroups",
        "elasticloadbalancing:DescribeLoadBalancers",
        "elasticloadbalancing:DescribeListeners",
        "elasticloadbalancing:DescribeRules",
        "elasticloadbalancing:DescribeTags",
        "elasticloadbalancing:DescribeTargetHealth",
      ],
      Resource: "*",
    },
  );
}

/**
 * Argo Rollouts with its own AWS identity. Pods cannot use the node's instance profile (IMDSv2 with a hop
 * limit of 1), so without IRSA every CloudWatch measurement errors and every analysis aborts its rollout.
 * The controller's AWS SDK loads its region from `AWS_REGION` (`config.LoadDefaultConfig` in
 * metricproviders/cloudwatch/cloudwatch.go and utils/aws/aws.go); the chart's `controller.extraEnv` sets it.
 * Target-group verification is on (`--aws-verify-target-group`): Argo does not scale down the old pods or
 * take the next step until the ALB shows what it asked for.
 */
export function argoRollouts(
  name: string,
  args: { oidc: ClusterOidc; region: string },
  parent: pulumi.Resource,
  opts: pulumi.CustomResourceOptions,
): { release: k8s.helm.v3.Release; role: pulumi.Resource & { arn: pulumi.Output<string> } } {
  const role = irsaRole(
    name,
    {
      oidc: args.oidc,
      namespace: CHARTS.argoRollouts.namespace,
      serviceAccount: ARGO_ROLLOUTS_SA,
      policy: argoRolloutsPolicy(),
      component: "addons",
    },
    parent,
  );
  const release = helmRelease(
    name,
    CHARTS.argoRollouts,
    {
      installCRDs: true,
      // Values of chart 2.40.3 (charts/argo-rollouts/values.yaml in argoproj/argo-helm).
      serviceAccount: {
        create: true,
        name: ARGO_ROLLOUTS_SA,
        annotations: { "eks.amazonaws.com/role-arn": role.arn },
      },
      controller: {
        replicas: 2,
        pdb: { enabled: true, minAvailable: 1 },
        extraEnv: [{ name: "AWS_REGION", value: args.region }],
        extraArgs: ["--aws-verify-target-group"],
      },
    },
    opts,
  );
  return { release, role };
}

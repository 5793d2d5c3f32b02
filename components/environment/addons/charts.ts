/**
 * Every cluster add-on's Helm chart, pinned. An upgrade is a reviewed change of this file, visible in
 * `npm run plan -- --compare`-style diffs and in `pulumi preview`, never a surprise from a floating tag.
 */
export interface PinnedChart {
  readonly chart: string;
  readonly version: string;
  readonly repo: string;
  /** Namespace the release is installed into. */
  readonly namespace: string;
}

export const CHARTS = {
  awsLoadBalancerController: {
    chart: "aws-load-balancer-controller",
    version: "1.14.0", // controller v2.14.0; its IAM policy is in loadBalancerControllerPolicy.ts
    repo: "https://aws.github.io/eks-charts",
    namespace: "kube-system",
  },
  metricsServer: {
    chart: "metrics-server",
    version: "3.12.2",
    repo: "https://kubernetes-sigs.github.io/metrics-server/",
    namespace: "kube-system",
  },
  externalSecrets: {
    chart: "external-secrets",
    version: "0.19.1",
    repo: "https://charts.external-secrets.io",
    namespace: "external-secrets",
  },
  argoRollouts: {
    chart: "argo-rollouts",
    version: "2.40.3",
    repo: "https://argoproj.github.io/argo-helm",
    namespace: "argo-rollouts",
  },
} as const satisfies Record<string, PinnedChart>;

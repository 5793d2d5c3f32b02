import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { EnvironmentName, Strategy } from "../../../config/types";
import { appSecretPrefix } from "../../names";
import { policy } from "../iamDocuments";
import { ClusterOidc, irsaRole } from "../irsa";
import { argoRollouts } from "./argoRollouts";
import { CHARTS } from "./charts";
import { helmRelease } from "./helmRelease";
import { loadBalancerControllerPolicy } from "./loadBalancerControllerPolicy";

export const LOAD_BALANCER_CONTROLLER_SA = "aws-load-balancer-controller";
export const EXTERNAL_SECRETS_SA = "external-secrets";

export interface AddonArgs {
  readonly environment: EnvironmentName;
  readonly region: string;
  /** Strategies the stack runs in this update (two while a strategy switch retires the old one). */
  readonly strategies: readonly Strategy[];
  readonly clusterName: string;
  readonly vpcId: pulumi.Input<string>;
  readonly oidc: ClusterOidc;
  readonly provider: k8s.Provider;
  /** Add-on pods need nodes to run on; releases wait for these. */
  readonly nodes: pulumi.Resource[];
}

export interface Addons {
  readonly loadBalancerController: k8s.helm.v3.Release;
  readonly externalSecrets: k8s.helm.v3.Release;
  readonly metricsServer: k8s.helm.v3.Release;
  readonly argoRollouts: k8s.helm.v3.Release | undefined;
  /** IRSA role of the Argo Rollouts controller, when it is installed. */
  readonly argoRolloutsRole: (pulumi.Resource & { arn: pulumi.Output<string> }) | undefined;
  readonly loadBalancerControllerRole: aws.iam.Role;
  readonly externalSecretsRole: aws.iam.Role;
}

/**
 * The cluster add-ons every AMS environment runs: the AWS Load Balancer Controller (owns the public ALB),
 * metrics-server (feeds the HPAs), External Secrets Operator (Secrets Manager → Kubernetes Secrets), and
 * Argo Rollouts, with its own IRSA role, when the stack releases by canary (argoRollouts.ts).
 */
export function clusterAddons(name: string, args: AddonArgs, parent: pulumi.Resource): Addons {
  const opts = { parent, provider: args.provider, dependsOn: args.nodes };
  const account = aws.getCallerIdentityOutput({}, { parent });

  const loadBalancerControllerRole = irsaRole(
    `${name}-lb-controller`,
    {
      oidc: args.oidc,
      namespace: CHARTS.awsLoadBalancerController.namespace,
      serviceAccount: LOAD_BALANCER_CONTROLLER_SA,
      policy: loadBalancerControllerPolicy(args.clusterName),
      component: "addons",
    },
    parent,
  );
  const loadBalancerController = helmRelease(
    `${name}-lb-controller`,
    CHARTS.awsLoadBalancerController,
    {
      clusterName: args.clusterName,
      region: args.region,
      vpcId: args.vpcId,
      replicaCount: 2,
      serviceAccount: {
        create: true,
        name: LOAD_BALANCER_CONTROLLER_SA,
        annotations: { "eks.amazonaws.com/role-arn": loadBalancerControllerRole.arn },
      },
      // AMS only uses ALBs through Ingress; leave Services of type LoadBalancer alone.
      enableServiceMutatorWebhook: false,
      podDisruptionBudget: { maxUnavailable: 1 },
    },
    opts,
  );

  const metricsServer = helmRelease(
    `${name}-metrics-server`,
    CHARTS.metricsServer,
    { replicas: 2, podDisruptionBudget: { enabled: true, minAvailable: 1 } },
    opts,
  );

  const externalSecretsRole = irsaRole(
    `${name}-external-secrets`,
    {
      oidc: args.oidc,
      namespace: CHARTS.externalSecrets.namespace,
      serviceAccount: EXTERNAL_SECRETS_SA,
      // Read-only, and only this environment's secrets: dev's operator can never read prod's.
      policy: account.accountId.apply((accountId) =>
        policy({
          Effect: "Allow",
          Action: [
            "secretsmanager:GetSecretValue",
            "secretsmanager:DescribeSecret",
            "secretsmanager:ListSecretVersionIds",
          ],
          Resource: `arn:aws:secretsmanager:${args.region}:${accountId}:secret:${appSecretPrefix(args.environment)}*`,
        }),
      ),
      component: "addons",
    },
    parent,
  );
  const externalSecrets = helmRelease(
    `${name}-external-secrets`,
    CHARTS.externalSecrets,
    {
      installCRDs: true,
      replicaCount: 2,
      // Two replicas reconciling the same ExternalSecrets at once would race; one leads.
      leaderElect: true,
      serviceAccount: {
        create: true,
        name: EXTERNAL_SECRETS_SA,
        annotations: { "eks.amazonaws.com/role-arn": externalSecretsRole.arn },
      },
      podDisruptionBudget: { enabled: true, minAvailable: 1 },
    },
    opts,
  );

  // Also while a switch retires canary: uninstalling the chart deletes its CRDs, and with them the Rollouts
  // that still serve until the next update.
  const rollouts = args.strategies.includes("canary")
    ? argoRollouts(`${name}-argo-rollouts`, { oidc: args.oidc, region: args.region }, parent, opts)
    : undefined;

  return {
    loadBalancerController,
    externalSecrets,
    metricsServer,
    argoRollouts: rollouts?.release,
    argoRolloutsRole: rollouts?.role,
    loadBalancerControllerRole,
    externalSecretsRole,
  };
}

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { EnvironmentName, ServiceName } from "../../config/types";
import { workloadLabels } from "./workload";

/** The public HTTP route of a service, as the rolling and canary strategies attach it to the ALB. */
export interface PublicRouteArgs {
  readonly service: ServiceName;
  readonly environment: EnvironmentName;
  readonly namespace: pulumi.Input<string>;
  readonly host: string;
  readonly ingressGroup: string;
  readonly targetGroupAnnotations: Readonly<Record<string, string>>;
  /** Service the rule forwards to, and its port (or `use-annotation` when an action decides). */
  readonly backend: { readonly service: string; readonly port: { number: number } | { name: string } };
  /** Further annotations (e.g. how Pulumi awaits the Ingress). */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** An Ingress in the environment's ALB group: one host rule to one backend. */
export function publicIngress(
  name: string,
  args: PublicRouteArgs,
  opts: pulumi.CustomResourceOptions,
): k8s.networking.v1.Ingress {
  return new k8s.networking.v1.Ingress(
    name,
    {
      metadata: {
        name: `ams-${args.service}`,
        namespace: args.namespace,
        labels: workloadLabels({ service: args.service, environment: args.environment }),
        annotations: {
          "alb.ingress.kubernetes.io/group.name": args.ingressGroup,
          "alb.ingress.kubernetes.io/group.order": "10",
          ...args.targetGroupAnnotations,
          ...args.annotations,
        },
      },
      spec: {
        ingressClassName: "alb",
        rules: [
          {
            host: args.host,
            http: {
              paths: [
                {
                  path: "/",
                  pathType: "Prefix",
                  backend: { service: { name: args.backend.service, port: args.backend.port } },
                },
              ],
            },
          },
        ],
      },
    },
    opts,
  );
}

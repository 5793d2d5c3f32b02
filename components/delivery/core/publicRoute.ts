import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { EnvironmentName, PublicEntryConfig, ServiceName } from "../../../config/types";
import { routeListenerAnnotations, targetGroupAnnotations } from "../../environment/publicEntry";
import { ingressGroup, workloadName } from "../../names";
import { workloadLabels } from "./workload";

/** Where a rule sends a request: a Service and port, or (`port: { name: "use-annotation" }`) a named action. */
export interface RouteBackend {
  readonly service: string;
  readonly port: { readonly number: number } | { readonly name: string };
}

/** One host rule of the route; without `host` the rule matches any host (its conditions decide). */
export interface RouteRule {
  readonly host?: string;
  /** Tried in order, each on path prefix `/`. */
  readonly backends: readonly RouteBackend[];
}

export interface PublicRouteArgs {
  /** The AMS service the route serves: the Ingress is named and labelled after it (`ams-<service>`). */
  readonly service: ServiceName;
  readonly environment: EnvironmentName;
  readonly namespace: pulumi.Input<string>;
  /** The environment's public entry: the ALB group the route joins, its listener and target-group settings. */
  readonly entry: PublicEntryConfig;
  readonly rules: readonly RouteRule[];
  /**
   * ALB actions by name, each the JSON the AWS Load Balancer Controller reads from
   * `alb.ingress.kubernetes.io/actions.<name>` (a backend `{ service: <name>, port: { name: "use-annotation" } }`
   * forwards to it): blue-green's weighted forward over the colors and its preview action.
   */
  readonly actions?: Readonly<Record<string, string>>;
  /** Extra conditions of an action's rule by action name (`alb.ingress.kubernetes.io/conditions.<name>`). */
  readonly conditions?: Readonly<Record<string, string>>;
  /** Further annotations (e.g. how Pulumi awaits the Ingress). */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** The backend of a rule that an ALB action (not a Service) decides. */
export function actionBackend(action: string): RouteBackend {
  return { service: action, port: { name: "use-annotation" } };
}

/**
 * The annotations every backend Service and route on the public ALB carries: HTTPS listener, certificate and
 * TLS policy (publicEntry.ts, routeListenerAnnotations), deregistration delay and health check.
 */
export function publicRouteAnnotations(entry: PublicEntryConfig): Record<string, string> {
  return { ...routeListenerAnnotations(entry), ...targetGroupAnnotations(entry) };
}

/**
 * The public HTTP route of an AMS service: an Ingress in the environment's ALB group (the public entry owns
 * the load balancer; a route only adds listener rules to it), evaluated before the entry's catch-all 404.
 * Every strategy routes its api through this one builder; they differ only in rules, actions and conditions.
 */
export function publicRoute(
  name: string,
  args: PublicRouteArgs,
  opts: pulumi.CustomResourceOptions,
): k8s.networking.v1.Ingress {
  const prefixed = (kind: string, entries: Readonly<Record<string, string>> = {}) =>
    Object.fromEntries(
      Object.entries(entries).map(([key, value]) => [`alb.ingress.kubernetes.io/${kind}.${key}`, value]),
    );
  return new k8s.networking.v1.Ingress(
    name,
    {
      metadata: {
        name: workloadName(args.service),
        namespace: args.namespace,
        // No version label: a route changes only when traffic moves.
        labels: workloadLabels({ service: args.service, environment: args.environment }),
        annotations: {
          "alb.ingress.kubernetes.io/group.name": ingressGroup(args.environment),
          "alb.ingress.kubernetes.io/group.order": "10",
          ...publicRouteAnnotations(args.entry),
          ...prefixed("actions", args.actions),
          ...prefixed("conditions", args.conditions),
          ...args.annotations,
        },
      },
      spec: {
        ingressClassName: "alb",
        rules: args.rules.map((rule) => ({
          ...(rule.host === undefined ? {} : { host: rule.host }),
          http: {
            paths: rule.backends.map((backend) => ({
              path: "/",
              pathType: "Prefix",
              backend: { service: { name: backend.service, port: backend.port } },
            })),
          },
        })),
      },
    },
    opts,
  );
}

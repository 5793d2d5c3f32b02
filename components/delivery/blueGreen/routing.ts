import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  Color,
  DeliveryConfig,
  EnvironmentName,
  PublicEntryConfig,
  ServiceName,
} from "../../../config/types";
import { ReleaseState } from "../../../release/state";
import { actionBackend, publicRoute, RouteRule } from "../core/publicRoute";
import { sharedObjectAliases } from "../core/sharedObjects";
import { HTTP_PORT, httpService, READINESS_PATH, selectorLabels } from "../core/workload";
import { consumerSwitch } from "./consumerSwitch";
import { colorWorkloadName, previewServiceName, workloadName } from "../../names";

/**
 * What a flip changes — the only objects whose declaration depends on which color is active:
 * - the api's stable Service (`ams-api`, in-cluster callers) selects the active color;
 * - the api's preview Service (`ams-api-preview`) selects the idle color;
 * - the api's Ingress: the ALB's weighted forward action (active `100 − previewWeight`, idle `previewWeight`)
 *   and the preview action and conditions that send testers to the idle color;
 * - the worker colors' consume switches (ConfigMaps the running workers follow without a restart).
 * Nothing else: no Deployment and no pod template (`npm run plan -- --stack prod --compare activeColor=green`
 * shows exactly these, plus the autoscaler floor of the colors with `idleColorPolicy: scaledDown`). Each
 * color's own Service has a fixed selector, so the ALB's targets never move between colors.
 */

/**
 * The weighted forward action of the public route: both colors' target groups, active `100 − preview`,
 * idle `preview`. A flip rewrites only these weights; targets stay registered, so no pod is ever
 * re-registered while traffic moves (the failure Argo Rollouts documents for selector-switching).
 */
export function weightedForwardAction(service: string, weights: Readonly<Record<Color, number>>): string {
  return JSON.stringify({
    type: "forward",
    forwardConfig: {
      targetGroups: (["blue", "green"] as const).map((color) => ({
        serviceName: colorWorkloadName(service, color),
        servicePort: String(HTTP_PORT),
        weight: weights[color],
      })),
      targetGroupStickinessConfig: { enabled: false },
    },
  });
}

/** The preview action: everything to the idle color. */
export function previewAction(service: string, idle: Color): string {
  return JSON.stringify({
    type: "forward",
    forwardConfig: {
      targetGroups: [
        { serviceName: colorWorkloadName(service, idle), servicePort: String(HTTP_PORT), weight: 100 },
      ],
    },
  });
}

/**
 * The ALB conditions that send a request to the preview action: the preview header (or host) and, where
 * configured, the client's source address. Conditions of one rule must all match. Field names are the AWS Load
 * Balancer Controller's (`sourceIPConfig`, pkg/ingress/config_types.go in kubernetes-sigs/aws-load-balancer-
 * controller), which builds the listener rule's `source-ip` condition from them.
 */
export function previewConditions(route: DeliveryConfig["previewRoute"]): string {
  const match =
    route.kind === "header"
      ? {
          field: "http-header",
          httpHeaderConfig: { httpHeaderName: route.header, values: [PREVIEW_HEADER_VALUE] },
        }
      : { field: "host-header", hostHeaderConfig: { values: [route.host] } };
  const sources =
    route.sourceCidrs.length > 0
      ? [{ field: "source-ip", sourceIPConfig: { values: [...route.sourceCidrs] } }]
      : [];
  return JSON.stringify([match, ...sources]);
}

/** The header value that selects the preview route (the ALB condition matches it exactly). */
const PREVIEW_HEADER_VALUE = "true";

/**
 * The idle color's readiness as a caller outside the cluster sees it: the URL and headers that reach it
 * through the preview route. The guarded cut-over checks it before it moves traffic.
 */
export function previewProbe(
  apiHost: string,
  route: DeliveryConfig["previewRoute"],
): { url: string; headers: Record<string, string> } {
  return route.kind === "host"
    ? { url: `https://${route.host}${READINESS_PATH}`, headers: {} }
    : { url: `https://${apiHost}${READINESS_PATH}`, headers: { [route.header]: PREVIEW_HEADER_VALUE } };
}

/** Where testers reach the idle color. */
export function previewUrl(apiHost: string, route: DeliveryConfig["previewRoute"]): string {
  return route.kind === "host"
    ? `https://${route.host}/`
    : `https://${apiHost}/ (with header ${route.header}: ${PREVIEW_HEADER_VALUE})`;
}

/** The api's public route as the stack config declares it. */
export interface PublicRoute {
  /** The environment's public entry: API host, ALB group, listener and target-group settings. */
  readonly entry: PublicEntryConfig;
  readonly previewRoute: DeliveryConfig["previewRoute"];
  /** Paths the smoke test GETs before traffic moves to a color. */
  readonly smokePaths: readonly string[];
}

/**
 * The api's routing objects: stable Service, preview Service and the public route with its weighted and
 * preview actions. They wait for the active color (`opts.dependsOn`: its Deployment, smoke test and
 * migration), so traffic moves only once that color is ready. The stable Service and the Ingress carry the
 * other strategies' URNs as aliases (sharedObjects.ts).
 */
export function apiRouting(
  name: string,
  args: {
    readonly service: ServiceName;
    readonly environment: EnvironmentName;
    readonly namespace: pulumi.Input<string>;
    readonly release: ReleaseState;
    readonly route: PublicRoute;
    /** Name of the release component (`ams-release`), for the aliases. */
    readonly releaseName: string;
  },
  opts: { parent: pulumi.Resource; dependsOn: pulumi.Resource[] },
): pulumi.Resource[] {
  const { service, release, route } = args;
  const routingService = (logical: string, serviceName: string, color: Color, options = {}) =>
    httpService(
      logical,
      {
        serviceName,
        service,
        environment: args.environment,
        namespace: args.namespace,
        selector: selectorLabels(service, color),
        annotations: {},
      },
      { ...opts, ...options },
    );
  const stable = routingService(`${name}-stable`, workloadName(service), release.activeColor, {
    aliases: sharedObjectAliases("apiService", "blueGreen", args.releaseName),
  });
  const preview = routingService(`${name}-preview`, previewServiceName(service), release.idleColor);
  const weighted = `${service}-weighted`;
  const previewed = `${service}-preview`;
  // A host-based preview route carries its own host; the header-based one shares the API host.
  const rules: RouteRule[] =
    route.previewRoute.kind === "host"
      ? [
          { backends: [actionBackend(previewed)] },
          { host: route.entry.apiHost, backends: [actionBackend(weighted)] },
        ]
      : [{ host: route.entry.apiHost, backends: [actionBackend(previewed), actionBackend(weighted)] }];
  const ingress = publicRoute(
    `${name}-public`,
    {
      service,
      environment: args.environment,
      namespace: args.namespace,
      entry: route.entry,
      rules,
      actions: {
        [weighted]: weightedForwardAction(service, release.weights),
        [previewed]: previewAction(service, release.idleColor),
      },
      conditions: { [previewed]: previewConditions(route.previewRoute) },
    },
    { ...opts, aliases: sharedObjectAliases("apiIngress", "blueGreen", args.releaseName) },
  );
  return [stable, preview, ingress];
}

/**
 * The consume switches of the worker's colors. The active color's is set at once — its pods read it when they
 * start, so a new stack or a worker image upgrade never runs workers without a switch to read; the idle
 * color stops consuming only once the active color's workers have their capacity (their Deployment's gate):
 * during a flip both consume for a moment rather than neither.
 */
export function consumerSwitches(
  name: string,
  args: {
    environment: EnvironmentName;
    namespace: pulumi.Input<string>;
    release: ReleaseState;
    deployments: Record<Color, pulumi.Resource>;
    retiring?: boolean;
  },
  parent: pulumi.Resource,
): k8s.core.v1.ConfigMap[] {
  const { activeColor, idleColor } = args.release;
  const frozen = args.retiring ? { ignoreChanges: ["metadata", "data"] } : {};
  const active = consumerSwitch(
    `${name}-${activeColor}`,
    { environment: args.environment, namespace: args.namespace, color: activeColor, consuming: true },
    { parent, ...frozen },
  );
  const idle = consumerSwitch(
    `${name}-${idleColor}`,
    { environment: args.environment, namespace: args.namespace, color: idleColor, consuming: false },
    { parent, ...frozen, dependsOn: args.retiring ? [] : [active, args.deployments[activeColor]] },
  );
  return [active, idle];
}

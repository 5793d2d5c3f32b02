import { Color } from "../../config/types";
import { DeliveryConfig } from "../../config/types";
import { HTTP_PORT, READINESS_PATH } from "./workload";

/** The per-color Service the ALB targets (fixed selector: its targets never move between colors). */
export function colorServiceName(service: string, color: Color): string {
  return `ams-${service}-${color}`;
}

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
        serviceName: colorServiceName(service, color),
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
        { serviceName: colorServiceName(service, idle), servicePort: String(HTTP_PORT), weight: 100 },
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

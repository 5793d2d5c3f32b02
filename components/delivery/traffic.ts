import { Color } from "../../amsConfig/types";
import { DeliveryConfig } from "../../amsConfig/types";
import { HTTP_PORT } from "./workload";

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

/** The ALB condition that sends a request to the preview action. */
export function previewConditions(route: DeliveryConfig["previewRoute"]): string {
  return JSON.stringify(
    route.kind === "header"
      ? [{ field: "http-header", httpHeaderConfig: { httpHeaderName: route.header, values: ["true"] } }]
      : [{ field: "host-header", hostHeaderConfig: { values: [route.host] } }],
  );
}

/** Where testers reach the idle color. */
export function previewUrl(apiHost: string, route: DeliveryConfig["previewRoute"]): string {
  return route.kind === "host"
    ? `https://${route.host}/`
    : `https://${apiHost}/ (with header ${route.header}: true)`;
}

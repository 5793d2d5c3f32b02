import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { EnvironmentName, PublicEntryConfig } from "../../config/types";
import { amsLabels } from "../labels";
import { albName, ingressGroup, PUBLIC_INGRESS_NAME } from "../names";

/** Modern TLS only (TLS 1.3 and 1.2 with forward secrecy). */
export const SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/**
 * Target-group annotations every backend on the public ALB must carry: the deregistration delay that
 * pods' graceful shutdown and blue-green scale-downs are timed against, and the readiness health check.
 */
export function targetGroupAnnotations(entry: PublicEntryConfig): Record<string, string> {
  return {
    "alb.ingress.kubernetes.io/target-type": "ip",
    "alb.ingress.kubernetes.io/target-group-attributes": `deregistration_delay.timeout_seconds=${entry.deregistrationDelaySeconds}`,
    "alb.ingress.kubernetes.io/healthcheck-path": "/actuator/health/readiness",
    "alb.ingress.kubernetes.io/success-codes": "200",
  };
}

/**
 * Listener annotations every service route on the public ALB carries. The controller works out the
 * listeners per Ingress, so a route without them would land on port 80 only — which the group redirects
 * to 443 — and never be served.
 */
export function routeListenerAnnotations(entry: PublicEntryConfig): Record<string, string> {
  return {
    "alb.ingress.kubernetes.io/listen-ports": JSON.stringify([{ HTTPS: 443 }]),
    "alb.ingress.kubernetes.io/certificate-arn": entry.certificateArn,
    "alb.ingress.kubernetes.io/ssl-policy": SSL_POLICY,
  };
}

/** Load-balancer-level annotations: listeners, TLS, redirect, WAF, name, attributes. */
export function publicIngressAnnotations(
  environment: EnvironmentName,
  entry: PublicEntryConfig,
): Record<string, string> {
  return {
    "alb.ingress.kubernetes.io/load-balancer-name": albName(environment),
    "alb.ingress.kubernetes.io/group.name": ingressGroup(environment),
    // Evaluated after every service route, so it only catches what no route matched.
    "alb.ingress.kubernetes.io/group.order": "1000",
    "alb.ingress.kubernetes.io/scheme": "internet-facing",
    "alb.ingress.kubernetes.io/listen-ports": JSON.stringify([{ HTTP: 80 }, { HTTPS: 443 }]),
    "alb.ingress.kubernetes.io/ssl-redirect": "443",
    "alb.ingress.kubernetes.io/certificate-arn": entry.certificateArn,
    "alb.ingress.kubernetes.io/ssl-policy": SSL_POLICY,
    "alb.ingress.kubernetes.io/load-balancer-attributes": [
      "routing.http.drop_invalid_header_fields.enabled=true",
      `deletion_protection.enabled=${environment === "prod"}`,
      "idle_timeout.timeout_seconds=60",
    ].join(","),
    ...(entry.wafAclArn === undefined ? {} : { "alb.ingress.kubernetes.io/wafv2-acl-arn": entry.wafAclArn }),
    "alb.ingress.kubernetes.io/actions.not-found": JSON.stringify({
      type: "fixed-response",
      fixedResponseConfig: { contentType: "text/plain", statusCode: "404", messageBody: "Not found" },
    }),
    ...targetGroupAnnotations(entry),
  };
}

/**
 * The environment's public entry: an Ingress (class `alb`) through which the AWS Load Balancer Controller
 * creates and owns the internet-facing ALB — HTTPS with the configured certificate, HTTP redirected to
 * HTTPS, optional WAF. It routes nothing itself (unknown hosts get a 404); the delivery components add the
 * weighted api routes to the same Ingress group.
 */
export function publicEntry(
  name: string,
  args: { environment: EnvironmentName; entry: PublicEntryConfig; namespace: pulumi.Input<string> },
  opts: pulumi.CustomResourceOptions,
): k8s.networking.v1.Ingress {
  return new k8s.networking.v1.Ingress(
    name,
    {
      metadata: {
        name: PUBLIC_INGRESS_NAME,
        namespace: args.namespace,
        labels: amsLabels({
          name: "ams",
          instance: albName(args.environment),
          component: "public-entry",
          environment: args.environment,
        }),
        annotations: publicIngressAnnotations(args.environment, args.entry),
      },
      spec: {
        ingressClassName: "alb",
        defaultBackend: { service: { name: "not-found", port: { name: "use-annotation" } } },
      },
    },
    opts,
  );
}

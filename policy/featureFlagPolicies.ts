import { ResourceValidationPolicy } from "@pulumi/policy";
import { exposureOf, highestAllowedExposure, isAllowedExposureMove } from "./exposureSteps";
import { configSchema, isProd, PolicyConfig } from "./policyConfig";

/**
 * Feature-flag rules. The program enforces them too (before anything is registered); here they hold for
 * any program that deploys AMS flags and run wherever the pack runs (`pulumi preview --policy-pack`,
 * Pulumi Deployments).
 */

type Props = Record<string, unknown>;

/** The type token of the program's flag resource (components/environment/featureFlags/unleashResources.ts). */
const FEATURE_FLAG_TYPE = "pulumi-nodejs:dynamic/unleash:FeatureFlag";
const HELM_RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";
const INGRESS_TYPE = "kubernetes:networking.k8s.io/v1:Ingress";
/** The Service of the self-hosted Unleash (the chart's fullnameOverride). */
const UNLEASH_SERVICE = "unleash";

const flagExposureSteps: ResourceValidationPolicy = {
  name: "ams-flag-exposure-steps",
  description:
    "In prod a release flag's exposure moves up one step per update (the canary's 5 → 20 → 50 → 100 by default); down or off is always allowed, since that is the rollback.",
  enforcementLevel: "mandatory",
  configSchema,
  validateResource: (args, report) => {
    if (args.type !== FEATURE_FLAG_TYPE || !isProd(() => args.getConfig<PolicyConfig>())) return;
    const p = args.props as Props;
    if (p.type !== "release") return;
    // CrossGuard sees no history: the resource carries the exposure the stack's previous update recorded.
    const guard = p.exposureGuard as { steps?: unknown; previousExposure?: unknown } | undefined;
    const steps = guard?.steps;
    const previous = guard?.previousExposure;
    if (
      !Array.isArray(steps) ||
      !steps.every((step) => typeof step === "number") ||
      typeof previous !== "number"
    ) {
      report(
        `${args.name}: a prod release flag must carry exposureGuard (the steps and the previous exposure)`,
      );
      return;
    }
    const next = exposureOf({
      enabled: p.enabled === true,
      rolloutPercentage: Number(p.rolloutPercentage),
    });
    if (!isAllowedExposureMove(steps, previous, next)) {
      report(
        `${args.name}: exposure ${previous} % → ${next} % jumps past a step; allowed up to ` +
          `${highestAllowedExposure(steps, previous)} % in one update (steps ${steps.join(" → ")})`,
      );
    }
  },
};

interface EnvVar {
  readonly name?: string;
  readonly value?: unknown;
}

const unleashAuthenticated: ResourceValidationPolicy = {
  name: "ams-unleash-authenticated",
  description:
    "The self-hosted Unleash is never anonymous: its UI needs a login, its initial admin password and API token come from a Secret (never the chart's admin/unleash4all default or a plain value), and it is served over HTTPS only.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    const p = args.props as Props;
    if (args.type === HELM_RELEASE_TYPE && p.chart === "unleash") {
      const values = (p.values ?? {}) as { env?: EnvVar[]; existingSecrets?: EnvVar[]; ingress?: Props };
      const env = values.env ?? [];
      // https://docs.getunleash.io/reference/deploy/configuring-unleash: AUTH_TYPE none admits anyone as admin.
      const authType = String(env.find((variable) => variable.name === "AUTH_TYPE")?.value ?? "");
      if (!["open-source", "enterprise", "custom"].includes(authType.toLowerCase()))
        report(
          `${args.name}: AUTH_TYPE is "${authType}"; allowed: open-source, enterprise or custom (a login)`,
        );
      for (const secret of ["UNLEASH_DEFAULT_ADMIN_PASSWORD", "INIT_ADMIN_API_TOKENS"]) {
        if (env.some((variable) => variable.name === secret))
          report(`${args.name}: ${secret} is a plain env value; set it from a Secret (existingSecrets)`);
        if (!(values.existingSecrets ?? []).some((variable) => variable.name === secret))
          report(
            `${args.name}: ${secret} must come from a Secret (without it: admin/unleash4all, or no admin token)`,
          );
      }
      if (values.ingress?.enabled === true)
        report(
          `${args.name}: the chart's own Ingress must stay off; the program's HTTPS-only Ingress serves Unleash`,
        );
    }
    if (args.type === INGRESS_TYPE && routesTo(p, UNLEASH_SERVICE)) {
      const annotations = ((p.metadata as Props | undefined)?.annotations ?? {}) as Record<string, string>;
      const ports = annotations["alb.ingress.kubernetes.io/listen-ports"] ?? "";
      if (JSON.stringify(JSON.parse(ports || "[]")) !== JSON.stringify([{ HTTPS: 443 }]))
        report(`${args.name}: Unleash must listen on HTTPS 443 only (listen-ports is ${ports || "unset"})`);
      if (!annotations["alb.ingress.kubernetes.io/certificate-arn"])
        report(
          `${args.name}: Unleash's listener needs a certificate (alb.ingress.kubernetes.io/certificate-arn)`,
        );
    }
  },
};

function routesTo(ingress: Props, service: string): boolean {
  const rules = ((ingress.spec as Props | undefined)?.rules ?? []) as {
    http?: { paths?: { backend?: { service?: { name?: string } } }[] };
  }[];
  return rules.some((rule) =>
    (rule.http?.paths ?? []).some((path) => path.backend?.service?.name === service),
  );
}

export const featureFlagPolicies: ResourceValidationPolicy[] = [flagExposureSteps, unleashAuthenticated];

import * as pulumi from "@pulumi/pulumi";
import { ServiceName, Strategy } from "../../../config/types";

/**
 * Kubernetes objects every strategy declares under the same kind, namespace and name — the api's Service
 * `ams-api` and Ingress `ams-api`, and (rolling and canary) the HPA and PDB `ams-<service>` and the migration
 * Job `ams-migrate-<version>` — but under
 * different Pulumi URNs, because each strategy's component is their parent. Without aliases a strategy
 * switch would create the new URN's object (AlreadyExists: Pulumi creates before it deletes) and then delete
 * the old URN's — the same live object. With them, Pulumi treats the old URN as the same resource and updates
 * it in place (https://www.pulumi.com/docs/iac/concepts/options/aliases/). Only the one of these URNs that is
 * in the stack's state matches.
 */

/** Pulumi types of the release components, by strategy (each component's `super(...)` type token). */
export const RELEASE_TYPES: Record<Strategy, string> = {
  rolling: "ams:delivery:RollingRelease",
  blueGreen: "ams:delivery:BlueGreenRelease",
  canary: "ams:delivery:CanaryRelease",
};
/** Pulumi type of blue-green's per-service component (BlueGreenService). */
export const BLUE_GREEN_SERVICE_TYPE = "ams:delivery:BlueGreenService";

export type SharedObject = "apiService" | "apiIngress" | "autoscaler" | "disruptionBudget" | "migration";

const TYPES: Record<SharedObject, string> = {
  apiService: "kubernetes:core/v1:Service",
  apiIngress: "kubernetes:networking.k8s.io/v1:Ingress",
  autoscaler: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
  disruptionBudget: "kubernetes:policy/v1:PodDisruptionBudget",
  migration: "kubernetes:batch/v1:Job",
};

/** Where a strategy declares a shared object: the logical name and the component chain above it. */
function location(
  object: SharedObject,
  strategy: Strategy,
  release: string,
  service: ServiceName,
): { name: string; parents: { name: string; type: string }[] } | undefined {
  const root = { name: release, type: RELEASE_TYPES[strategy] };
  switch (object) {
    case "apiService":
      if (strategy === "blueGreen")
        return {
          name: `${release}-api-stable`,
          parents: [root, { name: `${release}-api`, type: BLUE_GREEN_SERVICE_TYPE }],
        };
      return { name: strategy === "canary" ? `${release}-api-root` : `${release}-api`, parents: [root] };
    case "apiIngress":
      if (strategy === "blueGreen")
        return {
          name: `${release}-api-public`,
          parents: [root, { name: `${release}-api`, type: BLUE_GREEN_SERVICE_TYPE }],
        };
      return { name: `${release}-api-public`, parents: [root] };
    case "migration":
      // Blue-green runs one migration per color (`ams-migrate-<color>-<version>`).
      return strategy === "blueGreen" ? undefined : { name: `${release}-migrate`, parents: [root] };
    case "autoscaler":
    case "disruptionBudget":
      // Blue-green's per-color objects have their own names (`ams-<service>-<color>`): nothing to share.
      return strategy === "blueGreen" ? undefined : { name: `${release}-${service}`, parents: [root] };
  }
}

/**
 * The URNs the same object has under the other strategies, as aliases for the resource `strategy` declares.
 * `release` is the release component's name (`ams-release`).
 */
export function sharedObjectAliases(
  object: SharedObject,
  strategy: Strategy,
  release: string,
  service: ServiceName = "api",
): pulumi.Output<string>[] {
  const others = (Object.keys(RELEASE_TYPES) as Strategy[]).filter((other) => other !== strategy);
  return others.flatMap((other) => {
    const where = location(object, other, release, service);
    if (!where) return [];
    let parent: pulumi.Output<string> | undefined;
    for (const component of where.parents) parent = pulumi.createUrn(component.name, component.type, parent);
    return [pulumi.createUrn(where.name, TYPES[object], parent)];
  });
}

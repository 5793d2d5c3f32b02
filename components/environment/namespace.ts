import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { EnvironmentName, ServiceName, ServiceSizing } from "../../config/types";
import { amsLabels } from "../labels";
import { environmentProtection } from "./protection";
import { CONTAINER_DEFAULTS_NAME, NAMESPACE_QUOTA_NAME, namespaceName } from "../names";
import { namespaceQuota } from "./quota";

export interface NamespaceArgs {
  /** Environment the namespace belongs to; the namespace is named `ams-<environment>`. */
  readonly environment: EnvironmentName;
  /** Per-service sizing; the ResourceQuota is computed from it (see `quota.ts`). */
  readonly sizing: Readonly<Record<ServiceName, ServiceSizing>>;
}

/**
 * The environment's Kubernetes namespace with its guard rails: a LimitRange so every container has
 * requests and limits even when a Job forgets them, and a ResourceQuota sized from the stack's sizing.
 */
export class Namespace extends pulumi.ComponentResource {
  /** Name of the namespace, for every namespaced object of this environment. */
  readonly name: pulumi.Output<string>;

  constructor(name: string, args: NamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ams:environment:Namespace", name, {}, opts);
    const labels = amsLabels({
      name: "ams",
      instance: namespaceName(args.environment),
      component: "namespace",
      environment: args.environment,
    });

    const namespace = new k8s.core.v1.Namespace(
      name,
      {
        metadata: {
          name: namespaceName(args.environment),
          labels: {
            ...labels,
            // The AWS Load Balancer Controller injects a readiness gate into pods here, so a pod counts as
            // ready only once the ALB target group reports it healthy: traffic never meets a cold pod.
            "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled",
            // AMS pods run as non-root without privileges; warn on anything the restricted profile rejects.
            "pod-security.kubernetes.io/enforce": "baseline",
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/audit": "restricted",
          },
        },
      },
      // Deleting the namespace deletes every workload in it; prod must not lose it to a refactor.
      { parent: this, protect: environmentProtection(args.environment).protect },
    );
    const namespaced = (objectName: string) => ({
      name: objectName,
      namespace: namespace.metadata.name,
      labels,
    });

    new k8s.core.v1.LimitRange(
      `${name}-defaults`,
      {
        metadata: namespaced(CONTAINER_DEFAULTS_NAME),
        spec: {
          limits: [
            {
              type: "Container",
              defaultRequest: { cpu: "100m", memory: "128Mi" },
              default: { cpu: "500m", memory: "512Mi" },
            },
          ],
        },
      },
      { parent: this },
    );

    const quota = namespaceQuota(args.sizing);
    new k8s.core.v1.ResourceQuota(
      `${name}-quota`,
      {
        metadata: namespaced(NAMESPACE_QUOTA_NAME),
        spec: {
          hard: {
            pods: String(quota.pods),
            "requests.cpu": quota.requestsCpu,
            "limits.cpu": quota.limitsCpu,
            "requests.memory": quota.requestsMemory,
            "limits.memory": quota.limitsMemory,
          },
        },
      },
      { parent: this },
    );

    this.name = namespace.metadata.name;
    this.registerOutputs({ name: this.name });
  }
}

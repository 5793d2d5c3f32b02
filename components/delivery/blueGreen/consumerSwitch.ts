import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Color, EnvironmentName } from "../../../config/types";
import { amsLabels } from "../../labels";
import { colorWorkloadName, consumerSwitchName, CONSUMER_SWITCH_READER, workloadName } from "../../names";

/**
 * The blue-green worker's consume switch: one ConfigMap per color, whose value the running worker follows
 * without a restart. A flip rewrites the two ConfigMaps and nothing else of the workers — no pod template
 * changes, so no pod restarts, and a rollback is as instant for the workers as for the api. The contract the
 * AMS worker implements is in docs/runbook-bluegreen.md ("The worker's consume switch").
 */

/** Environment variable naming the ConfigMap a worker pod reads its switch from (constant per color). */
export const CONSUMER_SWITCH_ENV = "AMS_CONSUMER_SWITCH";
/** The property in that ConfigMap: `"true"` consume, `"false"` stop the queue listeners. */
export const CONSUMER_SWITCH_KEY = "ams.queue.consumers.enabled";

export function consumerSwitch(
  name: string,
  args: { environment: EnvironmentName; namespace: pulumi.Input<string>; color: Color; consuming: boolean },
  opts: pulumi.CustomResourceOptions,
): k8s.core.v1.ConfigMap {
  return new k8s.core.v1.ConfigMap(
    name,
    {
      metadata: {
        name: consumerSwitchName(args.color),
        namespace: args.namespace,
        labels: amsLabels({
          name: workloadName("worker"),
          instance: colorWorkloadName("worker", args.color),
          component: "consumer-switch",
          color: args.color,
          environment: args.environment,
        }),
      },
      data: { [CONSUMER_SWITCH_KEY]: String(args.consuming) },
    },
    opts,
  );
}

/**
 * Read access for the worker's service account to the namespace's ConfigMaps, which Spring Cloud Kubernetes
 * needs to read its switch at start-up and to watch it for changes (`get`, `list`, `watch`; event-mode reload:
 * https://docs.spring.io/spring-cloud-kubernetes/reference/property-source-config/propertysource-reload.html).
 * ConfigMaps hold no secrets in AMS (policy `ams-workload-pods` refuses secret-looking keys), and nothing
 * here may write.
 */
export function consumerSwitchReader(
  name: string,
  args: {
    environment: EnvironmentName;
    namespace: pulumi.Input<string>;
    serviceAccountName: string;
    /** Keep both objects as last deployed (a stack switching away from blue-green). */
    frozen?: boolean;
  },
  opts: pulumi.CustomResourceOptions,
): k8s.rbac.v1.RoleBinding {
  const frozen = (...fields: string[]) => (args.frozen ? { ignoreChanges: ["metadata", ...fields] } : {});
  const labels = amsLabels({
    name: workloadName("worker"),
    instance: CONSUMER_SWITCH_READER,
    component: "consumer-switch",
    environment: args.environment,
  });
  const role = new k8s.rbac.v1.Role(
    name,
    {
      metadata: { name: CONSUMER_SWITCH_READER, namespace: args.namespace, labels },
      rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] }],
    },
    { ...opts, ...frozen("rules") },
  );
  return new k8s.rbac.v1.RoleBinding(
    name,
    {
      metadata: { name: CONSUMER_SWITCH_READER, namespace: args.namespace, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: CONSUMER_SWITCH_READER },
      subjects: [{ kind: "ServiceAccount", name: args.serviceAccountName, namespace: args.namespace }],
    },
    { ...opts, ...frozen("roleRef", "subjects"), dependsOn: [role] },
  );
}

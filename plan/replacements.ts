import { Plan, PlannedResource } from "./plan";

/**
 * Which changed input paths make the engine replace a resource instead of updating it in place, decided the
 * way the pulumi-kubernetes provider decides it in `Diff`: a change under `.metadata.name` or
 * `.metadata.namespace` always replaces; so does one under a kind's "force new" fields (the API server
 * refuses to change them), and, unless the provider is configured to mutate them, a ConfigMap's or Secret's
 * data. Source: https://github.com/pulumi/pulumi-kubernetes/blob/master/provider/pkg/provider/diff.go
 * (`forceNew`, `forceNewProperties`) and provider.go (`Diff`: `forceNewFields`; `enableConfigMapMutable` and
 * `enableSecretMutable` default to false). `*Patch` resources replace only on a new name or namespace.
 *
 * Other providers decide replacements from their schemas (an RDS `identifier`, a KMS alias `name`), which
 * are not available offline; their changes show as updates here and `pulumi preview` is the authority.
 */
export function replacingPaths(resource: PlannedResource, paths: readonly string[], plan: Plan): string[] {
  if (!resource.type.startsWith("kubernetes:")) return [];
  // A Helm release is no object with metadata: it replaces on a new release name or namespace
  // (provider/pkg/provider/helm_release.go, `Diff`).
  if (resource.type === HELM_RELEASE)
    return paths.filter((path) => within(path, "name") || within(path, "namespace"));
  const forceNew = [...METADATA, ...(resource.type.endsWith("Patch") ? [] : kindFields(resource, plan))];
  return paths.filter((path) => forceNew.some((field) => within(path, field)));
}

const METADATA = ["metadata.name", "metadata.namespace"];

const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

const LABEL_SELECTOR = ["spec.selector"];

/** `group/version:Kind` (the part of the Pulumi type after `kubernetes:`) → its force-new fields. */
const FORCE_NEW: Readonly<Record<string, readonly string[]>> = {
  "apps/v1:Deployment": LABEL_SELECTOR,
  "apps/v1:DaemonSet": LABEL_SELECTOR,
  "apps/v1:StatefulSet": [
    "spec.podManagementPolicy",
    "spec.revisionHistoryLimit",
    "spec.selector",
    "spec.serviceName",
    "spec.volumeClaimTemplates",
  ],
  "batch/v1:Job": ["spec.completions", "spec.parallelism", "spec.selector", "spec.template"],
  "core/v1:PersistentVolumeClaim": [
    "spec.accessModes",
    "spec.selector",
    "spec.storageClassName",
    "spec.volumeName",
  ],
  "core/v1:ResourceQuota": ["spec.scopes"],
  "core/v1:Service": ["spec.clusterIP"],
  "rbac.authorization.k8s.io/v1:RoleBinding": ["roleRef"],
  "rbac.authorization.k8s.io/v1:ClusterRoleBinding": ["roleRef"],
  "storage.k8s.io/v1:StorageClass": ["parameters", "provisioner"],
};

function kindFields(resource: PlannedResource, plan: Plan): readonly string[] {
  const kind = resource.type.slice("kubernetes:".length);
  if (kind === "core/v1:Secret") {
    return mutable(resource, plan, "enableSecretMutable") ? ["type"] : ["type", "stringData", "data"];
  }
  if (kind === "core/v1:ConfigMap") {
    return mutable(resource, plan, "enableConfigMapMutable") ? [] : ["binaryData", "data"];
  }
  return FORCE_NEW[kind] ?? [];
}

/** Data of an `immutable` object can never change; otherwise the resource's provider decides. */
function mutable(resource: PlannedResource, plan: Plan, setting: string): boolean {
  if (resource.inputs.immutable === true) return false;
  const provider = plan.resources.find((candidate) => candidate.urn === resource.provider);
  const value = provider?.inputs[setting];
  return value === true || value === "true";
}

function within(path: string, field: string): boolean {
  return path === field || path.startsWith(`${field}.`) || path.startsWith(`${field}[`);
}

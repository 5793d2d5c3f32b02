/**
 * Validates Kubernetes objects against the official OpenAPI schemas shipped by `kubernetes-models`
 * (generated from the Kubernetes API). An object of a kind the package does not know fails loudly rather
 * than passing unchecked.
 */
interface ValidatingModel {
  validate(): void;
}
type ModelClass = new (data: Record<string, unknown>) => ValidatingModel;

/**
 * Where the schema of an API group lives: Kubernetes' own in `kubernetes-models`, CRDs in their
 * `@kubernetes-models/*` package. External Secrets' `v1` is its `v1beta1` promoted unchanged (operator
 * v0.16); the newest package that runs on Node 20 ships the schema under `v1beta1`, so that is used.
 */
function schemaModule(apiVersion: string, kind: string): string {
  if (apiVersion === "external-secrets.io/v1")
    return `@kubernetes-models/external-secrets/external-secrets.io/v1beta1/${kind}`;
  if (apiVersion.startsWith("external-secrets.io/"))
    return `@kubernetes-models/external-secrets/${apiVersion}/${kind}`;
  if (apiVersion.startsWith("argoproj.io/")) return `@kubernetes-models/argo-rollouts/${apiVersion}/${kind}`;
  return `kubernetes-models/${apiVersion}/${kind}`;
}

export async function validateKubernetesObject(object: Record<string, unknown>): Promise<void> {
  const apiVersion = String(object.apiVersion);
  const kind = String(object.kind);
  let module: Record<string, unknown>;
  try {
    module = (await import(schemaModule(apiVersion, kind))) as Record<string, unknown>;
  } catch {
    throw new Error(`kubernetes-models has no schema for ${apiVersion} ${kind}`);
  }
  const Model = module[kind] as ModelClass | undefined;
  if (typeof Model !== "function")
    throw new Error(`kubernetes-models/${apiVersion}/${kind} exports no ${kind}`);
  const asSchemaVersion =
    apiVersion === "external-secrets.io/v1"
      ? { ...object, apiVersion: "external-secrets.io/v1beta1" }
      : object;
  new Model(asSchemaVersion).validate();
}

/** `kubernetes:core/v1:Namespace` → `{ apiVersion: "v1", kind: "Namespace" }`. */
export function typeTokenToApi(type: string): { apiVersion: string; kind: string } {
  const [, groupVersion, kind] = type.split(":");
  const [group, version] = groupVersion.split("/");
  return { apiVersion: group === "core" ? version : `${group}/${version}`, kind };
}

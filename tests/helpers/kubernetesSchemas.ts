/**
 * Validates Kubernetes objects against the official OpenAPI schemas shipped by `kubernetes-models`
 * (generated from the Kubernetes API). An object of a kind the package does not know fails loudly rather
 * than passing unchecked.
 */
interface ValidatingModel {
  validate(): void;
}
type ModelClass = new (data: Record<string, unknown>) => ValidatingModel;

export async function validateKubernetesObject(object: Record<string, unknown>): Promise<void> {
  const apiVersion = String(object.apiVersion);
  const kind = String(object.kind);
  let module: Record<string, unknown>;
  try {
    module = (await import(`kubernetes-models/${apiVersion}/${kind}`)) as Record<string, unknown>;
  } catch {
    throw new Error(`kubernetes-models has no schema for ${apiVersion} ${kind}`);
  }
  const Model = module[kind] as ModelClass | undefined;
  if (typeof Model !== "function")
    throw new Error(`kubernetes-models/${apiVersion}/${kind} exports no ${kind}`);
  new Model(object).validate();
}

/** `kubernetes:core/v1:Namespace` → `{ apiVersion: "v1", kind: "Namespace" }`. */
export function typeTokenToApi(type: string): { apiVersion: string; kind: string } {
  const [, groupVersion, kind] = type.split(":");
  const [group, version] = groupVersion.split("/");
  return { apiVersion: group === "core" ? version : `${group}/${version}`, kind };
}

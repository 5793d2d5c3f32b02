/**
 * What the Kubernetes API server accepts as names and label values, by the rules of
 * k8s.io/apimachinery/pkg/util/validation/validation.go
 * (https://github.com/kubernetes/apimachinery/blob/master/pkg/util/validation/validation.go):
 * `IsDNS1123Label`, `IsDNS1123Subdomain`, `IsDNS1035Label`, `IsValidLabelValue` and `IsQualifiedName`.
 * Kept in the policy pack (which is published on its own, so it imports nothing from outside its folder);
 * the program's name builders (components/kubernetesNames.ts) use the same rules.
 */

/** `IsDNS1123Label`: lower-case alphanumerics and '-', starting and ending alphanumeric, ≤ 63. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS1123_LABEL_MAX = 63;
/** `IsDNS1123Subdomain`: dot-separated DNS-1123 labels, ≤ 253 in all. */
export const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const DNS1123_SUBDOMAIN_MAX = 253;
/** `IsDNS1035Label` (Service names): like a DNS-1123 label but starting with a letter. */
export const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** `IsValidLabelValue`: empty, or alphanumerics with '-', '_', '.' inside, ≤ 63. */
export const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
export const LABEL_VALUE_MAX = 63;

export function isDns1123Label(value: string): boolean {
  return value.length <= DNS1123_LABEL_MAX && DNS1123_LABEL.test(value);
}

export function isDns1123Subdomain(value: string): boolean {
  return value.length <= DNS1123_SUBDOMAIN_MAX && DNS1123_SUBDOMAIN.test(value);
}

export function isDns1035Label(value: string): boolean {
  return value.length <= DNS1123_LABEL_MAX && DNS1035_LABEL.test(value);
}

export function isLabelValue(value: string): boolean {
  return value.length <= LABEL_VALUE_MAX && LABEL_VALUE.test(value);
}

/** `IsQualifiedName` for label keys: an optional DNS-subdomain prefix and '/', then a name of ≤ 63. */
export function isLabelKey(key: string): boolean {
  const slash = key.indexOf("/");
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  return (
    (prefix === undefined || isDns1123Subdomain(prefix)) &&
    name.length <= 63 &&
    /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/.test(name)
  );
}

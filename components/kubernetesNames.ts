import { createHash } from "crypto";
import { DNS1123_LABEL_MAX, isDns1123Label, isLabelValue, LABEL_VALUE_MAX } from "../policy/kubernetesNames";

/**
 * Kubernetes names and label values built from config values: any valid AMS config (an image tag may be 128
 * characters of `[A-Za-z0-9_.-]`) gives names the API server accepts, by the rules in
 * policy/kubernetesNames.ts (which the policy pack checks every planned object against).
 */

/** Eight hex characters that tell apart two values a lossy conversion would otherwise merge. */
function shortHash(value: string): string {
  return createHash("sha256").update(value).digest("hex").slice(0, 8);
}

/**
 * A DNS-1123 label (≤ 63) from a fixed prefix and a free-form suffix such as a version: the suffix is
 * lower-cased and runs of other characters become '-' (`1.5.0-rc.1` → `1-5-0-rc-1`). When that does not fit,
 * it is cut and a hash of the whole suffix appended, so long versions that share a beginning still get
 * different names. Two tags that differ only in punctuation or case share a name; for the version-named
 * Jobs that is harmless (a Job's template is immutable, so Pulumi replaces it and it runs again).
 * `prefix` must itself be a valid label start.
 */
export function dnsLabel(prefix: string, suffix: string): string {
  const readable = suffix
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  const whole = readable === "" ? prefix : `${prefix}-${readable}`;
  if (isDns1123Label(whole)) return whole;
  const hash = shortHash(suffix);
  const room = DNS1123_LABEL_MAX - prefix.length - hash.length - 2;
  const cut = readable.slice(0, Math.max(room, 0)).replace(/-+$/, "");
  return cut === "" ? `${prefix}-${hash}` : `${prefix}-${cut}-${hash}`;
}

/**
 * A label value for a free-form string (the `app.kubernetes.io/version` of an image tag): kept as is when
 * valid, otherwise made valid (characters outside the alphabet become '-', the ends trimmed to alphanumerics,
 * cut to fit) with a hash of the original appended so distinct versions keep distinct labels. The full value
 * always stays available where Kubernetes allows any string (the image reference, `AMS_VERSION`).
 */
export function labelValue(value: string): string {
  if (isLabelValue(value)) return value;
  const hash = shortHash(value);
  const cleaned = value.replace(/[^A-Za-z0-9_.-]+/g, "-");
  const cut = cleaned
    .slice(0, LABEL_VALUE_MAX - hash.length - 1)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
  return cut === "" ? hash : `${cut}-${hash}`;
}

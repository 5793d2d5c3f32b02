import { Color } from "../config/types";
import { labelValue } from "./kubernetesNames";

/** The part of the system every AMS object belongs to (`app.kubernetes.io/part-of`). */
export const PART_OF = "ams";

export interface LabelArgs {
  /** `app.kubernetes.io/name`: the application, e.g. `ams-api`. */
  readonly name: string;
  /** `app.kubernetes.io/instance`: this instance of it, e.g. `ams-api-blue`. */
  readonly instance: string;
  /** `app.kubernetes.io/component`: its role, e.g. `api`, `worker`, `config`. */
  readonly component: string;
  /**
   * `app.kubernetes.io/version`: image tag, when the object runs one. An image tag may be longer or use
   * characters a label value may not (`labelValue` makes it valid; the image keeps the exact tag).
   */
  readonly version?: string;
  /** `ams.io/color`, for blue-green objects. */
  readonly color?: Color;
  /** `ams.io/environment`. */
  readonly environment: string;
}

/** Kubernetes recommended labels plus the AMS ones, so `kubectl get -l` works the same everywhere. */
export function amsLabels(args: LabelArgs): Record<string, string> {
  return {
    "app.kubernetes.io/name": args.name,
    "app.kubernetes.io/instance": args.instance,
    "app.kubernetes.io/component": args.component,
    ...(args.version === undefined ? {} : { "app.kubernetes.io/version": labelValue(args.version) }),
    "app.kubernetes.io/part-of": PART_OF,
    "app.kubernetes.io/managed-by": "pulumi",
    "ams.io/environment": args.environment,
    ...(args.color === undefined ? {} : { "ams.io/color": args.color }),
  };
}

/** Tags for AWS resources; the provider adds the stack-wide ones (see `providers.ts`). */
export function awsTags(component: string): Record<string, string> {
  return { "ams:component": component };
}

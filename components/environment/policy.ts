import { EnvironmentName } from "../../amsConfig/types";

/** Safety settings that follow from the environment alone, so no stack can forget one. */
export interface EnvironmentPolicy {
  /** Pulumi `protect` on resources whose loss would lose data or take the environment down. */
  readonly protect: boolean;
  /** Days a deleted Secrets Manager secret stays recoverable (AWS allows 7–30). */
  readonly secretRecoveryWindowDays: number;
}

export function environmentPolicy(environment: EnvironmentName): EnvironmentPolicy {
  const prod = environment === "prod";
  return { protect: prod, secretRecoveryWindowDays: prod ? 30 : 7 };
}

/** Kubernetes namespace of an environment: the seed's "own namespace per environment". */
export function namespaceName(environment: EnvironmentName): string {
  return `ams-${environment}`;
}

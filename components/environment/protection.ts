import { EnvironmentName } from "../../config/types";

/** Safety settings that follow from the environment alone, so no stack can forget one. */
export interface EnvironmentProtection {
  /**
   * Pulumi `protect`, deletion protection and final snapshots on everything whose loss would lose data or
   * take the environment down. Staging keeps them like prod: it is the rehearsal of prod's changes, and a
   * rehearsal that can delete a database without a snapshot predicts nothing.
   */
  readonly protect: boolean;
  /** Days a deleted Secrets Manager secret stays recoverable (AWS allows 7–30). */
  readonly secretRecoveryWindowDays: number;
}

export function environmentProtection(environment: EnvironmentName): EnvironmentProtection {
  return {
    protect: environment !== "dev",
    secretRecoveryWindowDays: environment === "prod" ? 30 : 7,
  };
}

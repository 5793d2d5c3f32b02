import * as pulumi from "@pulumi/pulumi";

/** What the plan prints in place of every secret value. */
export const SECRET_MASK = "[secret]";

/** The wire form of a secret value, as the Pulumi SDK serializes it for the engine (and the mocks). */
export function isWireSecret(value: unknown): value is { value: unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig
  );
}

export function wireSecret(value: unknown): Record<string, unknown> {
  return { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value };
}

/**
 * Replaces every secret in a resource's inputs by `[secret]`: values the SDK marked secret, and the
 * properties the resource declares secret (`additionalSecretOutputs`, e.g. a Kubernetes Secret's `data`),
 * which the real engine would encrypt even if the program passed them in plain.
 */
export function maskInputs(
  inputs: Record<string, unknown>,
  secretProperties: readonly string[],
): Record<string, unknown> {
  const masked: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(inputs)) {
    masked[key] = secretProperties.includes(key) ? SECRET_MASK : maskValue(value);
  }
  return masked;
}

export function maskValue(value: unknown): unknown {
  if (isWireSecret(value)) return SECRET_MASK;
  if (Array.isArray(value)) return value.map(maskValue);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, maskValue(child)]));
  }
  return value;
}

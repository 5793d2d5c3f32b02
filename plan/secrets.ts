import { createHash, randomBytes } from "crypto";
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

export interface MaskedInputs {
  readonly inputs: Record<string, unknown>;
  /**
   * Per masked top-level input, a digest of its real value, salted per process: lets `--compare` see that
   * a secret changed without keeping (or printing) the secret. Never written out.
   */
  readonly secretDigests: Record<string, string>;
}

const PROCESS_SALT = randomBytes(32);

/**
 * Replaces every secret in a resource's inputs by `[secret]`: values the SDK marked secret, and the
 * properties the resource declares secret (`additionalSecretOutputs`, e.g. a Kubernetes Secret's `data`),
 * which the real engine would encrypt even if the program passed them in plain. A secret map keeps its
 * keys (they are names, not secrets), so a masked manifest still has the shape its schema wants.
 */
export function maskInputs(
  inputs: Record<string, unknown>,
  secretProperties: readonly string[],
): MaskedInputs {
  const masked: Record<string, unknown> = {};
  const secretDigests: Record<string, string> = {};
  for (const [key, value] of Object.entries(inputs)) {
    if (secretProperties.includes(key) || containsSecret(value)) {
      const plain = reveal(value);
      masked[key] = maskWhole(plain);
      secretDigests[key] = createHash("sha256")
        .update(PROCESS_SALT)
        .update(JSON.stringify(plain) ?? "")
        .digest("hex");
    } else {
      masked[key] = value;
    }
  }
  return { inputs: masked, secretDigests };
}

function containsSecret(value: unknown): boolean {
  if (isWireSecret(value)) return true;
  if (Array.isArray(value)) return value.some(containsSecret);
  if (typeof value === "object" && value !== null) return Object.values(value).some(containsSecret);
  return false;
}

/** The value with every secret envelope removed, for digesting only. */
function reveal(value: unknown): unknown {
  if (isWireSecret(value)) return reveal(value.value);
  if (Array.isArray(value)) return value.map(reveal);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, reveal(child)]));
  }
  return value;
}

function maskWhole(value: unknown): unknown {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    return Object.fromEntries(Object.keys(value).map((key) => [key, SECRET_MASK]));
  }
  return SECRET_MASK;
}

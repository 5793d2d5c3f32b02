/** The offline plan's document, as `npm run plan -- --json` prints it (the contract in docs/). */

export interface PlannedOptions {
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  readonly dependsOn: string[];
  readonly deleteBeforeReplace: boolean;
  readonly ignoreChanges: string[];
  /** Other URNs this resource had (a strategy switch moves shared objects under another component). */
  readonly aliases: string[];
  /** How long the engine waits for a create, update or delete (`"35m"`); unset: the provider's default. */
  readonly customTimeouts: CustomTimeouts;
}

export interface CustomTimeouts {
  readonly create?: string;
  readonly update?: string;
  readonly delete?: string;
}

/**
 * A custom timeout in seconds. The engine parses them as Go durations (`time.ParseDuration`: `35m`, `1h30m`,
 * `90s`); `undefined` when unset.
 */
export function timeoutSeconds(timeout: string | undefined): number | undefined {
  if (timeout === undefined || timeout === "") return undefined;
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
  const parts = [...timeout.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  if (parts.map((part) => part[0]).join("") !== timeout) throw new Error(`not a duration: ${timeout}`);
  return parts.reduce((total, [, amount, unit]) => total + Number(amount) * units[unit], 0);
}

export interface PlannedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** URN of the parent; `null` only for the stack itself. */
  readonly parent: string | null;
  /** `true` for provider-backed resources, `false` for components and the stack. */
  readonly custom: boolean;
  /** URN of the explicit provider a custom resource uses; `null` for a default provider (or none). */
  readonly provider: string | null;
  /** Inputs as the engine would receive them; every secret is `"[secret]"`. */
  readonly inputs: Record<string, unknown>;
  readonly options: PlannedOptions;
}

export interface Plan {
  readonly project: string;
  readonly stack: string;
  readonly resources: PlannedResource[];
  /** Stack outputs; secret ones are `"[secret]"`. */
  readonly outputs: Record<string, unknown>;
}

export function findResources(plan: Plan, type: string): PlannedResource[] {
  return plan.resources.filter((resource) => resource.type === type);
}

export function findResource(plan: Plan, type: string, name: string): PlannedResource {
  const found = plan.resources.find((resource) => resource.type === type && resource.name === name);
  if (!found) throw new Error(`plan of ${plan.stack} has no ${type} named ${name}`);
  return found;
}

/**
 * The Kubernetes objects a plan declares (what `--out` writes): `kubernetes:` resources with a kind.
 * Helm releases are `kubernetes:` resources too, but not objects; their charts render those.
 */
export function kubernetesObjects(plan: Plan): PlannedResource[] {
  return plan.resources.filter(
    (resource) => resource.type.startsWith("kubernetes:") && typeof resource.inputs.kind === "string",
  );
}

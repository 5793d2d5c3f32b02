/** The offline plan's document, as `npm run plan -- --json` prints it (the contract in docs/). */

export interface PlannedOptions {
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  readonly dependsOn: string[];
  readonly deleteBeforeReplace: boolean;
  readonly ignoreChanges: string[];
  /** Other URNs this resource had (a strategy switch moves shared objects under another component). */
  readonly aliases: string[];
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

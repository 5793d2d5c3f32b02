import * as pulumi from "@pulumi/pulumi";

/** Resource options as the program declared them; what the plan's `options` object reports. */
export interface CapturedOptions {
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  readonly dependsOn: string[];
  readonly deleteBeforeReplace: boolean;
  readonly ignoreChanges: string[];
}

export interface CapturedResource {
  readonly resource: pulumi.Resource;
  readonly type: string;
  readonly name: string;
  readonly parent: pulumi.Resource | undefined;
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  readonly dependsOn:
    pulumi.Input<pulumi.Input<pulumi.Resource>[]> | pulumi.Input<pulumi.Resource> | undefined;
  readonly deleteBeforeReplace: boolean;
  readonly ignoreChanges: string[];
  readonly additionalSecretOutputs: string[];
}

/**
 * Records every resource the program constructs, with its options, through a stack transformation (the
 * legacy kind, which runs in-process under mocks; the engine-side transforms do not). Must be installed
 * inside `runInPulumiStack`, before the program runs.
 */
export function captureResources(): CapturedResource[] {
  const captured: CapturedResource[] = [];
  const protectOf = new Map<pulumi.Resource, boolean>();
  const stack = pulumi.runtime.getStackResource();
  pulumi.runtime.registerStackTransformation(({ resource, type, name, opts }) => {
    const parent = opts.parent ?? stack;
    // Pulumi inherits `protect` from the parent when a resource does not set it.
    const protect = opts.protect ?? (parent ? (protectOf.get(parent) ?? false) : false);
    protectOf.set(resource, protect);
    const custom = opts as pulumi.CustomResourceOptions;
    captured.push({
      resource,
      type,
      name,
      parent,
      protect,
      retainOnDelete: opts.retainOnDelete ?? false,
      dependsOn: opts.dependsOn,
      deleteBeforeReplace: custom.deleteBeforeReplace ?? false,
      ignoreChanges: [...(opts.ignoreChanges ?? [])],
      additionalSecretOutputs: [...(custom.additionalSecretOutputs ?? [])],
    });
    return undefined;
  });
  return captured;
}

export function unwrap<T>(value: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(value).apply((resolved) => resolve(resolved as T)));
}

export function urnOf(resource: pulumi.Resource): Promise<string> {
  return new Promise((resolve) => resource.urn.apply(resolve));
}

/** URNs of the explicit `dependsOn` resources, whatever mix of Inputs and arrays the program passed. */
export async function dependsOnUrns(dependsOn: CapturedResource["dependsOn"]): Promise<string[]> {
  if (dependsOn === undefined) return [];
  const resolved = await resolveInput(dependsOn);
  const list = Array.isArray(resolved) ? resolved : [resolved];
  const urns: string[] = [];
  for (const item of list) {
    const resource = await resolveInput(item);
    if (pulumi.Resource.isInstance(resource)) urns.push(await urnOf(resource));
  }
  return urns;
}

/** Awaits an Input without unwrapping the resources inside it (as `pulumi.output` would). */
async function resolveInput(value: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(value)) {
    return new Promise((resolve) => (value as pulumi.Output<unknown>).apply((v) => resolve(v)));
  }
  return value instanceof Promise ? await value : value;
}

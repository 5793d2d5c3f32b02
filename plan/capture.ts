import * as pulumi from "@pulumi/pulumi";
import { CustomTimeouts } from "./plan";

/**
 * Input key the harness adds to every resource's properties so the mocks can tell which constructed
 * resource a registration belongs to (two resources may share a type and name under different parents).
 * The mocks remove it before anything else sees the inputs.
 */
export const PLAN_ID_KEY = "__amsPlanId";

export interface CapturedResource {
  readonly planId: string;
  readonly resource: pulumi.Resource;
  readonly type: string;
  readonly name: string;
  /** `undefined` for children of the stack. */
  readonly parent: pulumi.Resource | undefined;
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  readonly dependsOn:
    pulumi.Input<pulumi.Input<pulumi.Resource>[]> | pulumi.Input<pulumi.Resource> | undefined;
  readonly deleteBeforeReplace: boolean;
  readonly ignoreChanges: string[];
  /** Aliases as declared (the program gives full URNs: see components/delivery/core/sharedObjects.ts). */
  readonly aliases: pulumi.Input<pulumi.URN | pulumi.Alias>[];
  readonly customTimeouts: CustomTimeouts;
  readonly additionalSecretOutputs: string[];
}

/**
 * Records every resource the program constructs, with its options, through a stack transformation (the
 * legacy kind, which runs in-process under mocks; the engine-side transforms do not). Must be installed
 * inside `runInPulumiStack`, before the program runs.
 */
export function captureResources(onCapture: (item: CapturedResource) => void): void {
  const protectOf = new Map<pulumi.Resource, boolean>();
  const stack = pulumi.runtime.getStackResource();
  let next = 0;
  pulumi.runtime.registerStackTransformation(({ resource, type, name, props, opts }) => {
    // A resource reference rehydrated by the SDK (e.g. a node group's `cluster` read back from the engine)
    // is constructed with its URN; it refers to a resource already captured, it is not a new one.
    if (opts.urn !== undefined) return undefined;
    const parent = opts.parent && opts.parent !== stack ? opts.parent : undefined;
    // Pulumi inherits `protect` from the parent when a resource does not set it.
    const protect = opts.protect ?? (parent ? (protectOf.get(parent) ?? false) : false);
    protectOf.set(resource, protect);
    const custom = opts as pulumi.CustomResourceOptions;
    const planId = String(next++);
    onCapture({
      planId,
      resource,
      type,
      name,
      parent,
      protect,
      retainOnDelete: opts.retainOnDelete ?? false,
      dependsOn: opts.dependsOn,
      deleteBeforeReplace: custom.deleteBeforeReplace ?? false,
      ignoreChanges: [...(opts.ignoreChanges ?? [])],
      aliases: [...(opts.aliases ?? [])],
      customTimeouts: { ...custom.customTimeouts },
      additionalSecretOutputs: [...(custom.additionalSecretOutputs ?? [])],
    });
    return { props: { ...props, [PLAN_ID_KEY]: planId }, opts };
  });
}

export function unwrap<T>(value: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(value).apply((resolved) => resolve(resolved as T)));
}

export function urnOf(resource: pulumi.Resource): Promise<string> {
  return new Promise((resolve) => resource.urn.apply(resolve));
}

/**
 * The URN aliases of a resource. Alias objects (name/type/parent parts) are not used by the program and are
 * left out (the provider SDKs add such aliases of their own to every Kubernetes object); a URN alias is
 * resolved to its string. A URN the program builds from a parent's (`pulumi.createUrn(name, type, parent)`)
 * carries the mock monitor's parent chain, which starts with the root stack's type; the engine's never does
 * (`CreateURN` leaves the root stack out of the type chain: pulumi/pulumi pkg/resource/deploy/
 * step_generator.go), so it is shown as the engine would have it.
 */
export async function aliasUrns(aliases: CapturedResource["aliases"]): Promise<string[]> {
  const urns: string[] = [];
  for (const alias of aliases) {
    const resolved = await resolveInput(alias);
    if (typeof resolved === "string") urns.push(resolved.replace("::pulumi:pulumi:Stack$", "::"));
  }
  return urns;
}

/** The explicit `dependsOn` resources, whatever mix of Inputs and arrays the program passed. */
export async function dependsOnResources(
  dependsOn: CapturedResource["dependsOn"],
): Promise<pulumi.Resource[]> {
  if (dependsOn === undefined) return [];
  const resolved = await resolveInput(dependsOn);
  const list = Array.isArray(resolved) ? resolved : [resolved];
  const resources: pulumi.Resource[] = [];
  for (const item of list) {
    const resource = await resolveInput(item);
    if (pulumi.Resource.isInstance(resource)) resources.push(resource);
  }
  return resources;
}

/** Awaits an Input without unwrapping the resources inside it (as `pulumi.output` would). */
async function resolveInput(value: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(value)) {
    return new Promise((resolve) => (value as pulumi.Output<unknown>).apply((v) => resolve(v)));
  }
  return value instanceof Promise ? await value : value;
}

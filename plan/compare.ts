import { Plan, PlannedResource } from "./plan";

export type ChangeOp = "create" | "update" | "delete";

export interface Change {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly op: ChangeOp;
  /** Dotted paths of the inputs (and `options.*`) that differ; empty for create and delete. */
  readonly paths: string[];
  /** For an update matched through an alias: the URN the resource had in the baseline. */
  readonly previousUrn?: string;
}

export interface Comparison {
  readonly changes: Change[];
}

/**
 * What would change between two plans of the same stack, resource by resource, as the Pulumi engine would
 * pair them: by URN, or by an alias of the new resource that names an old URN (a strategy switch moves the
 * objects all strategies share under another component, see components/delivery/core/sharedObjects.ts). Paths join
 * object keys with `.` as they are, so a label key reads `spec.selector.ams.io/color`; array elements are
 * `[i]`. Input paths under the new resource's `ignoreChanges` are not changes: the engine keeps the old inputs
 * there. `ignoreChanges`, `aliases` and `customTimeouts` change how the engine acts, not the resource, so
 * changing them changes nothing either.
 */
export function comparePlans(before: Plan, after: Plan): Comparison {
  const beforeByUrn = new Map(before.resources.map((resource) => [resource.urn, resource]));
  const afterByUrn = new Map(after.resources.map((resource) => [resource.urn, resource]));
  const matched = new Set<string>();
  /** New URN → the URN it had in the baseline, for resources that moved (their children moved with them). */
  const movedFrom = new Map<string, string>();
  const changes: Change[] = [];
  for (const resource of after.resources) {
    const previousUrn = [
      resource.urn,
      ...resource.options.aliases,
      ...inheritedAliases(resource, movedFrom),
    ].find((urn) => beforeByUrn.has(urn) && (urn === resource.urn || !afterByUrn.has(urn)));
    const previous = previousUrn === undefined ? undefined : beforeByUrn.get(previousUrn);
    if (!previous || previousUrn === undefined) {
      changes.push(change(resource, "create", []));
      continue;
    }
    matched.add(previousUrn);
    const ignored = (path: string) =>
      resource.options.ignoreChanges.some(
        (prefix) => path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`),
      );
    const options = (r: PlannedResource) => ({
      ...r.options,
      dependsOn: [],
      ignoreChanges: [],
      aliases: [],
      customTimeouts: {},
    });
    const paths = [
      ...differingPaths(previous.inputs, resource.inputs, "").filter((path) => !ignored(path)),
      ...changedSecrets(previous, resource).filter((path) => !ignored(path)),
      // A changed dependsOn alone is no change: Pulumi orders the update by it but updates nothing.
      ...differingPaths(options(previous), options(resource), "options"),
      ...(previous.provider === resource.provider ? [] : ["provider"]),
    ];
    const moved = previousUrn !== resource.urn;
    if (moved) movedFrom.set(resource.urn, previousUrn);
    if (paths.length > 0 || moved)
      changes.push({ ...change(resource, "update", paths), ...(moved ? { previousUrn } : {}) });
  }
  for (const resource of before.resources) {
    if (!matched.has(resource.urn)) changes.push(change(resource, "delete", []));
  }
  return { changes };
}

/**
 * The alias a child gets from its parent's: the SDK gives every child of an aliased parent the URN it would
 * have had under the parent's old URN, with the parent's old name as the prefix of its own when it was named
 * after the parent (`inheritedChildAlias` in pulumi/pulumi sdk/nodejs/resource.ts), so renaming a component's
 * type or name moves its whole subtree without a replace.
 */
function inheritedAliases(resource: PlannedResource, movedFrom: ReadonlyMap<string, string>): string[] {
  const previousParent = resource.parent === null ? undefined : movedFrom.get(resource.parent);
  if (previousParent === undefined || resource.parent === null) return [];
  const [prefix, parentType, previousParentName] = urnParts(previousParent);
  const parentName = urnParts(resource.parent)[2];
  const name = resource.name.startsWith(parentName)
    ? previousParentName + resource.name.slice(parentName.length)
    : resource.name;
  return [`${prefix}::${parentType}$${resource.type}::${name}`];
}

/** `urn:pulumi:<stack>::<project>::<qualified type>::<name>` → [`urn:pulumi:<stack>::<project>`, type, name]. */
function urnParts(urn: string): [string, string, string] {
  const parts = urn.split("::");
  return [parts.slice(0, 2).join("::"), parts[2], parts.slice(3).join("::")];
}

/**
 * Secret inputs print as `[secret]` on both sides; their digests (kept off the printed plan) show whether
 * the value behind the mask changed, as `pulumi preview` would. A plan read back from `--json` has none, so
 * against it a secret's change cannot be seen (`--against` says so).
 */
function changedSecrets(before: PlannedResource, after: PlannedResource): string[] {
  const digests = (resource: PlannedResource) =>
    (resource as PlannedResource & { secretDigests?: Record<string, string> }).secretDigests;
  const [a, b] = [digests(before), digests(after)];
  if (a === undefined || b === undefined) return [];
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((key) => a[key] !== b[key]).sort();
}

function change(resource: PlannedResource, op: ChangeOp, paths: string[]): Change {
  return { urn: resource.urn, type: resource.type, name: resource.name, op, paths };
}

/** Leaf paths where two JSON values differ. */
export function differingPaths(a: unknown, b: unknown, prefix: string): string[] {
  if (Array.isArray(a) && Array.isArray(b)) {
    const paths: string[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      paths.push(...differingPaths(a[i], b[i], `${prefix}[${i}]`));
    }
    return paths;
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((key) => differingPaths(a[key], b[key], prefix === "" ? key : `${prefix}.${key}`));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix];
}

/** The value at a path produced by `differingPaths`, for showing before → after. */
export function valueAt(root: unknown, path: string): unknown {
  let node: unknown = root;
  let rest = path;
  while (rest !== "" && node !== undefined) {
    const index = /^\[(\d+)\]\.?/.exec(rest);
    if (index) {
      node = Array.isArray(node) ? node[Number(index[1])] : undefined;
      rest = rest.slice(index[0].length);
      continue;
    }
    // Keys may contain dots (label keys); take the longest key of this object that prefixes the path.
    const object = isObject(node) ? node : {};
    const key = Object.keys(object)
      .filter(
        (candidate) =>
          rest === candidate || rest.startsWith(`${candidate}.`) || rest.startsWith(`${candidate}[`),
      )
      .sort((x, y) => y.length - x.length)[0];
    if (key === undefined) return undefined;
    node = object[key];
    rest = rest.slice(key.length).replace(/^\./, "");
  }
  return node;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

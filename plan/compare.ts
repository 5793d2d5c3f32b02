import { Plan, PlannedResource } from "./plan";
import { parseUrn } from "./urn";
import { replacingPaths } from "./replacements";

/** What the engine does to a resource: `replace` is a create of a new object and a delete of the old one. */
export type ChangeOp = "create" | "update" | "replace" | "delete";

export interface Change {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly op: ChangeOp;
  /** Dotted paths of the inputs (and `options.*`) that differ; empty for create and delete. */
  readonly paths: string[];
  /** For an update or replace matched through an alias: the URN the resource had in the baseline. */
  readonly previousUrn?: string;
  /** For a replace: the changed paths that force it (the provider cannot change them in place). */
  readonly replaceOn?: string[];
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
 * changing them changes nothing either. A change the provider cannot make in place is a `replace`
 * (plan/replacements.ts).
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
    if (paths.length === 0 && !moved) continue;
    const replaceOn = replacingPaths(resource, paths, after);
    changes.push({
      ...change(resource, replaceOn.length > 0 ? "replace" : "update", paths),
      ...(moved ? { previousUrn } : {}),
      ...(replaceOn.length > 0 ? { replaceOn } : {}),
    });
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
  const previous = parseUrn(previousParent);
  const parentName = parseUrn(resource.parent).name;
  const name = resource.name.startsWith(parentName)
    ? previous.name + resource.name.slice(parentName.length)
    : resource.name;
  return [`${previous.stackAndProject}::${previous.qualifiedType}$${resource.type}::${name}`];
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
  const steps = walkPath(root, path);
  return steps.length === 0 ? root : steps[steps.length - 1].node;
}

/**
 * A path as a reader wants it: a list element that has a name (a container, an environment variable, a
 * port) is named by it instead of its index, `containers[api].env[AMS_QUEUE_CONSUMERS_ENABLED].value`.
 * Elements whose name differs on the two sides keep their index.
 */
export function namedPath(before: unknown, after: unknown, path: string): string {
  const [a, b] = [walkPath(before, path), walkPath(after, path)];
  let named = "";
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const step = b[i] ?? a[i];
    if (step.index === undefined) {
      named += named === "" ? step.key : `.${step.key}`;
      continue;
    }
    const names = [a[i]?.node, b[i]?.node].filter((node) => node !== undefined).map(elementName);
    const name = names[0];
    named += name !== undefined && names.every((other) => other === name) ? `[${name}]` : `[${step.index}]`;
  }
  return named;
}

/** The fields that name a list element, in order of preference. */
const NAME_FIELDS = ["name", "serviceName"];

function elementName(node: unknown): string | undefined {
  if (!isObject(node)) return undefined;
  const field = NAME_FIELDS.find((candidate) => typeof node[candidate] === "string");
  return field === undefined ? undefined : (node[field] as string);
}

interface PathStep {
  /** The object key of this step; `undefined` for a list element. */
  readonly key?: string;
  readonly index?: number;
  readonly node: unknown;
}

/**
 * Follows a path of `differingPaths` through a value, one step per key or list index; a step whose key
 * or element is missing has an `undefined` node, and the rest of the path is read as plain keys.
 */
function walkPath(root: unknown, path: string): PathStep[] {
  const steps: PathStep[] = [];
  let node: unknown = root;
  let rest = path;
  while (rest !== "") {
    const index = /^\[(\d+)\]\.?/.exec(rest);
    if (index) {
      node = Array.isArray(node) ? node[Number(index[1])] : undefined;
      steps.push({ index: Number(index[1]), node });
      rest = rest.slice(index[0].length);
      continue;
    }
    // Keys may contain dots (label keys); take the longest key of this object that prefixes the path.
    const object = isObject(node) ? node : {};
    const key =
      Object.keys(object)
        .filter(
          (candidate) =>
            rest === candidate || rest.startsWith(`${candidate}.`) || rest.startsWith(`${candidate}[`),
        )
        .sort((x, y) => y.length - x.length)[0] ?? /^[^.[]+/.exec(rest)?.[0];
    if (key === undefined) break;
    node = isObject(node) ? node[key] : undefined;
    steps.push({ key, node });
    rest = rest.slice(key.length).replace(/^\./, "");
  }
  return steps;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

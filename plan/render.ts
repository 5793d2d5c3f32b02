import * as YAML from "yaml";
import { Change, ChangeOp, Comparison, differingPaths, namedPath, valueAt } from "./compare";
import { flipWarnings } from "./warnings";
import { kubernetesObjects, Plan, PlannedResource } from "./plan";
import { parseUrn } from "./urn";

export const PLACEHOLDER_NOTICE =
  "Offline plan: the real program evaluated under Pulumi mocks, without the Pulumi CLI, credentials or a " +
  "cluster. Values that providers compute (ids, ARNs, endpoints, kubeconfig) are placeholders; " +
  "`pulumi preview` is the provider-backed view.";

/**
 * The human-readable plan: the resource tree with each resource's inputs and notable options, then the
 * stack outputs and how many resources of each type. `selected` describes a `--type`/`--resource` view: the
 * plan then holds only those resources, each printed as its own root.
 */
export function renderPlanText(plan: Plan, selected?: { of: number; description: string }): string {
  const urns = new Set(plan.resources.map((resource) => resource.urn));
  const children = new Map<string | null, PlannedResource[]>();
  for (const resource of plan.resources) {
    const parent = resource.parent !== null && urns.has(resource.parent) ? resource.parent : null;
    const siblings = children.get(parent) ?? [];
    siblings.push(resource);
    children.set(parent, siblings);
  }
  const count =
    selected === undefined
      ? `${plan.resources.length} resources`
      : `${plan.resources.length} of ${selected.of} resources (${selected.description})`;
  const lines = [`Plan of ${plan.project}/${plan.stack}: ${count}.`, PLACEHOLDER_NOTICE, ""];
  const walk = (resource: PlannedResource, prefix: string, last: boolean, root: boolean) => {
    const branch = root ? "" : last ? "└─ " : "├─ ";
    lines.push(`${prefix}${branch}${resource.type}  ${resource.name}${optionBadges(resource)}`);
    const childPrefix = root ? "" : prefix + (last ? "   " : "│  ");
    const kids = children.get(resource.urn) ?? [];
    const detailPrefix = childPrefix + (kids.length > 0 ? "│  " : "   ");
    if (resource.options.dependsOn.length > 0) {
      lines.push(`${detailPrefix}  (dependsOn)`);
      for (const urn of resource.options.dependsOn) lines.push(`${detailPrefix}    - ${shortUrn(urn)}`);
    }
    if (Object.keys(resource.inputs).length > 0) {
      for (const line of YAML.stringify(legibleInputs(resource.inputs), { lineWidth: 0 })
        .trimEnd()
        .split("\n")) {
        lines.push(`${detailPrefix}  ${line}`);
      }
    }
    kids.forEach((kid, i) => walk(kid, childPrefix, i === kids.length - 1, false));
  };
  for (const root of children.get(null) ?? []) walk(root, "", true, true);
  if (selected === undefined) {
    lines.push("", "Outputs:");
    for (const line of YAML.stringify(plan.outputs, { lineWidth: 0 }).trimEnd().split("\n"))
      lines.push(`  ${line}`);
  }
  lines.push("", "Resources by type:", ...typeCounts(plan));
  return lines.join("\n") + "\n";
}

/** One line per resource type with how many the plan declares, most first. */
function typeCounts(plan: Plan): string[] {
  const counts = new Map<string, number>();
  for (const resource of plan.resources) counts.set(resource.type, (counts.get(resource.type) ?? 0) + 1);
  const sorted = [...counts].sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  const width = Math.max(...sorted.map(([, count]) => String(count).length));
  return sorted.map(([type, count]) => `  ${String(count).padStart(width)}  ${type}`);
}

function optionBadges(resource: PlannedResource): string {
  const { options } = resource;
  const badges = [
    options.protect ? "protect" : "",
    options.retainOnDelete ? "retainOnDelete" : "",
    options.deleteBeforeReplace ? "deleteBeforeReplace" : "",
    options.ignoreChanges.length > 0 ? `ignoreChanges: ${options.ignoreChanges.join(", ")}` : "",
    Object.keys(options.customTimeouts).length > 0
      ? `customTimeouts: ${Object.entries(options.customTimeouts)
          .map(([operation, timeout]) => `${operation} ${timeout}`)
          .join(", ")}`
      : "",
  ].filter((badge) => badge !== "");
  return badges.length > 0 ? `  [${badges.join("; ")}]` : "";
}

/** `urn:…::a:b:Parent$kubernetes:core/v1:Service::name` → `Parent/Service::name`. */
function componentPath(urn: string): string {
  const { qualifiedType, name } = parseUrn(urn);
  const chain = qualifiedType.split("$").map((type) => type.split(":").pop());
  return `${chain.join("/")}::${name}`;
}

/** `urn:…::type::name` → `name` (type tail for clarity). */
function shortUrn(urn: string): string {
  const { qualifiedType, name } = parseUrn(urn);
  return `${qualifiedType.split("$").pop()?.split(":").pop()}/${name}`;
}

export function renderComparisonText(
  comparison: Comparison,
  before: Plan,
  after: Plan,
  description: string,
): string {
  const beforeByUrn = new Map(before.resources.map((resource) => [resource.urn, resource]));
  const afterByUrn = new Map(after.resources.map((resource) => [resource.urn, resource]));
  const lines = [`Compare ${after.project}/${after.stack}: ${description}`, PLACEHOLDER_NOTICE, ""];
  for (const warning of flipWarnings(before.outputs, after.outputs)) lines.push(`Warning: ${warning}`, "");
  for (const change of comparison.changes) {
    lines.push(`${OP_SYMBOL[change.op]} ${change.op} ${change.type}  ${change.name}`);
    if (change.previousUrn !== undefined)
      lines.push(`    (the same object, until now ${componentPath(change.previousUrn)}: aliased)`);
    if (change.replaceOn !== undefined)
      lines.push(`    (replaced: the provider cannot change ${change.replaceOn.join(", ")} in place)`);
    const previous = beforeByUrn.get(change.previousUrn ?? change.urn);
    const next = afterByUrn.get(change.urn);
    for (const path of change.paths) {
      const root = (resource: PlannedResource | undefined) =>
        path.startsWith("options.") ? { options: resource?.options } : resource?.inputs;
      const [from, to] = [root(previous), root(next)];
      lines.push(
        ...describeValueChange(namedPath(from, to, path), valueAt(from, path), valueAt(to, path), "    "),
      );
    }
  }
  lines.push("", ...changeSummary(comparison));
  const outputKeys = [...new Set([...Object.keys(before.outputs), ...Object.keys(after.outputs)])].sort();
  const changedOutputs = outputKeys.filter(
    (key) => JSON.stringify(before.outputs[key]) !== JSON.stringify(after.outputs[key]),
  );
  if (changedOutputs.length > 0) {
    lines.push("Stack outputs that change:");
    for (const key of changedOutputs) {
      lines.push(...describeValueChange(key, before.outputs[key], after.outputs[key], "    "));
    }
  }
  return lines.join("\n") + "\n";
}

const OP_SYMBOL: Record<ChangeOp, string> = { create: "+", update: "~", replace: "+-", delete: "-" };
const OPS: readonly ChangeOp[] = ["create", "update", "replace", "delete"];

/** `N resources change: …` and, when more than one type changes, the count of each op per type. */
export function changeSummary(comparison: Comparison): string[] {
  const { changes } = comparison;
  if (changes.length === 0) return ["No resource changes."];
  const counts = (subset: readonly Change[]) =>
    OPS.map((op) => `${subset.filter((change) => change.op === op).length} ${op}`).join(", ");
  const noun = changes.length === 1 ? "resource changes" : "resources change";
  const lines = [`${changes.length} ${noun}: ${counts(changes)}.`];
  const types = [...new Set(changes.map((change) => change.type))].sort();
  if (types.length < 2) return lines;
  const width = Math.max(...types.map((type) => type.length));
  lines.push("By type:");
  for (const type of types) {
    const ofType = changes.filter((change) => change.type === type);
    const ops = OPS.map((op) => [op, ofType.filter((change) => change.op === op).length] as const)
      .filter(([, count]) => count > 0)
      .map(([op, count]) => `${count} ${op}`);
    lines.push(`    ${type.padEnd(width)}  ${ops.join(", ")}`);
  }
  return lines;
}

/**
 * One changed value as `path: before → after`. An object, or a string holding a JSON document (an ALB action
 * annotation, an IAM policy), is compared inside: one line per field that differs, instead of two blobs.
 */
function describeValueChange(path: string, before: unknown, after: unknown, indent: string): string[] {
  const structured = (value: unknown) => (isStructure(value) ? value : jsonDocument(value));
  const [a, b] = [structured(before), structured(after)];
  if (a === undefined || b === undefined) {
    return [`${indent}${path}: ${JSON.stringify(before)} → ${JSON.stringify(after)}`];
  }
  const inner = differingPaths(a, b, "");
  const count = `${inner.length} ${inner.length === 1 ? "field differs" : "fields differ"}`;
  return [
    `${indent}${path} (${isStructure(before) ? "" : "JSON, "}${count}):`,
    ...inner.map(
      (field) =>
        `${indent}    ${namedPath(a, b, field)}: ${JSON.stringify(valueAt(a, field))} → ${JSON.stringify(valueAt(b, field))}`,
    ),
  ];
}

function isStructure(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}

/** The object or list a string holds as JSON text; `undefined` for anything else. */
function jsonDocument(value: unknown): unknown {
  if (typeof value !== "string" || !/^\s*[[{]/.test(value)) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === "object" && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Inputs as the plan prints them: a string holding a JSON document (an IAM or KMS policy, a dashboard) is
 * pretty-printed, so it reads as a block instead of one line of thousands of characters.
 */
function legibleInputs(value: unknown): unknown {
  const document = jsonDocument(value);
  if (document !== undefined) return JSON.stringify(document, null, 2);
  if (Array.isArray(value)) return value.map(legibleInputs);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, legibleInputs(child)]));
  }
  return value;
}

/** A Kubernetes object's manifest, as the plan declares it (secrets masked). */
export interface Manifest {
  readonly fileName: string;
  readonly object: Record<string, unknown>;
}

export function kubernetesManifests(plan: Plan): Manifest[] {
  return kubernetesObjects(plan).map((resource, index) => {
    const kind = String(resource.inputs.kind).toLowerCase();
    const metadata = (resource.inputs.metadata ?? {}) as { name?: string };
    const fileName = `${String(index + 1).padStart(3, "0")}-${kind}-${metadata.name ?? resource.name}.yaml`;
    return { fileName, object: resource.inputs };
  });
}

export function manifestYaml(manifest: Manifest): string {
  return YAML.stringify(manifest.object, { lineWidth: 0 });
}

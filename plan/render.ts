import * as YAML from "yaml";
import { Comparison, valueAt } from "./compare";
import { kubernetesObjects, Plan, PlannedResource } from "./plan";

export const PLACEHOLDER_NOTICE =
  "Offline plan: the real program evaluated under Pulumi mocks, without the Pulumi CLI, credentials or a " +
  "cluster. Values that providers compute (ids, ARNs, endpoints, kubeconfig) are placeholders; " +
  "`pulumi preview` is the provider-backed view.";

/** The human-readable plan: the resource tree with each resource's inputs and notable options. */
export function renderPlanText(plan: Plan): string {
  const children = new Map<string | null, PlannedResource[]>();
  for (const resource of plan.resources) {
    const siblings = children.get(resource.parent) ?? [];
    siblings.push(resource);
    children.set(resource.parent, siblings);
  }
  const lines = [
    `Plan of ${plan.project}/${plan.stack}: ${plan.resources.length} resources.`,
    PLACEHOLDER_NOTICE,
    "",
  ];
  const walk = (resource: PlannedResource, prefix: string, last: boolean, root: boolean) => {
    const branch = root ? "" : last ? "└─ " : "├─ ";
    lines.push(`${prefix}${branch}${resource.type}  ${resource.name}${optionBadges(resource)}`);
    const childPrefix = root ? "" : prefix + (last ? "   " : "│  ");
    const kids = children.get(resource.urn) ?? [];
    const detailPrefix = childPrefix + (kids.length > 0 ? "│  " : "   ");
    if (Object.keys(resource.inputs).length > 0) {
      for (const line of YAML.stringify(resource.inputs, { lineWidth: 0 }).trimEnd().split("\n")) {
        lines.push(`${detailPrefix}  ${line}`);
      }
    }
    kids.forEach((kid, i) => walk(kid, childPrefix, i === kids.length - 1, false));
  };
  for (const root of children.get(null) ?? []) walk(root, "", true, true);
  lines.push("", "Outputs:");
  for (const line of YAML.stringify(plan.outputs, { lineWidth: 0 }).trimEnd().split("\n"))
    lines.push(`  ${line}`);
  return lines.join("\n") + "\n";
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
    options.dependsOn.length > 0 ? `dependsOn: ${options.dependsOn.map(shortUrn).join(", ")}` : "",
  ].filter((badge) => badge !== "");
  return badges.length > 0 ? `  [${badges.join("; ")}]` : "";
}

/** `urn:…::a:b:Parent$kubernetes:core/v1:Service::name` → `Parent/Service::name`. */
function componentPath(urn: string): string {
  const parts = urn.split("::");
  const chain = parts[2].split("$").map((type) => type.split(":").pop());
  return `${chain.join("/")}::${parts[3]}`;
}

/** `urn:…::type::name` → `name` (type tail for clarity). */
function shortUrn(urn: string): string {
  const parts = urn.split("::");
  return `${parts[2].split("$").pop()?.split(":").pop()}/${parts[3]}`;
}

export function renderComparisonText(
  comparison: Comparison,
  before: Plan,
  after: Plan,
  description: string,
): string {
  const beforeByUrn = new Map(before.resources.map((resource) => [resource.urn, resource]));
  const afterByUrn = new Map(after.resources.map((resource) => [resource.urn, resource]));
  const symbol = { create: "+", update: "~", delete: "-" } as const;
  const lines = [`Compare ${after.project}/${after.stack}: ${description}`, PLACEHOLDER_NOTICE, ""];
  for (const change of comparison.changes) {
    // A new object name cannot be patched in: Pulumi replaces the object (e.g. a version-named Job).
    const replaced = change.op === "update" && change.paths.includes("metadata.name");
    lines.push(
      `${replaced ? "+- replace" : `${symbol[change.op]} ${change.op}`} ${change.type}  ${change.name}`,
    );
    if (change.previousUrn !== undefined)
      lines.push(`    (the same object, until now ${componentPath(change.previousUrn)}: aliased)`);
    const previous = beforeByUrn.get(change.previousUrn ?? change.urn);
    const next = afterByUrn.get(change.urn);
    for (const path of change.paths) {
      const read = (resource: PlannedResource | undefined) =>
        path.startsWith("options.")
          ? valueAt(resource?.options, path.slice(8))
          : valueAt(resource?.inputs, path);
      lines.push(`    ${path}: ${JSON.stringify(read(previous))} → ${JSON.stringify(read(next))}`);
    }
  }
  const count = (op: string) => comparison.changes.filter((change) => change.op === op).length;
  lines.push(
    "",
    comparison.changes.length === 0
      ? "No resource changes."
      : `${comparison.changes.length} resources change: ${count("create")} create, ${count("update")} update, ${count("delete")} delete.`,
  );
  const outputKeys = [...new Set([...Object.keys(before.outputs), ...Object.keys(after.outputs)])].sort();
  const changedOutputs = outputKeys.filter(
    (key) => JSON.stringify(before.outputs[key]) !== JSON.stringify(after.outputs[key]),
  );
  if (changedOutputs.length > 0) {
    lines.push("Stack outputs that change:");
    for (const key of changedOutputs) {
      lines.push(
        `    ${key}: ${JSON.stringify(before.outputs[key])} → ${JSON.stringify(after.outputs[key])}`,
      );
    }
  }
  return lines.join("\n") + "\n";
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

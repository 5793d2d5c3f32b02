import { Comparison } from "./compare";
import { Plan, PlannedResource } from "./plan";

/** `--type` and `--resource`: which resources a plan or comparison shows (all when both are empty). */
export interface Selection {
  /** A full type (`kubernetes:batch/v1:Job`) or its kind, the part after the last `:` (`Job`). */
  readonly types: readonly string[];
  /** A resource's name (`ams-release-api-stable`) or its URN. */
  readonly resources: readonly string[];
}

export const EVERYTHING: Selection = { types: [], resources: [] };

export function isSelective(selection: Selection): boolean {
  return selection.types.length > 0 || selection.resources.length > 0;
}

export function selects(
  selection: Selection,
  resource: Pick<PlannedResource, "type" | "name" | "urn">,
): boolean {
  const kind = resource.type.slice(resource.type.lastIndexOf(":") + 1);
  const typeMatches =
    selection.types.length === 0 || selection.types.some((type) => type === resource.type || type === kind);
  const nameMatches =
    selection.resources.length === 0 ||
    selection.resources.some((name) => name === resource.name || name === resource.urn);
  return typeMatches && nameMatches;
}

/** The plan with only the selected resources (their parents are not kept: each prints on its own). */
export function selectPlan(plan: Plan, selection: Selection): Plan {
  if (!isSelective(selection)) return plan;
  return { ...plan, resources: plan.resources.filter((resource) => selects(selection, resource)) };
}

export function selectChanges(comparison: Comparison, selection: Selection): Comparison {
  if (!isSelective(selection)) return comparison;
  return { ...comparison, changes: comparison.changes.filter((change) => selects(selection, change)) };
}

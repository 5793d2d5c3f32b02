import { Plan, PlannedResource } from "../../plan/plan";
import { checkPolicies } from "../../plan/policyCheck";

/**
 * A copy of a plan with one resource changed (and, where a rule spans resources, others added next to
 * it): the violating variant of a real planned resource.
 */
export function variant(
  plan: Plan,
  type: string,
  name: string,
  change: (resource: PlannedResource) => void,
  add: (resource: PlannedResource) => PlannedResource[] = () => [],
): Plan {
  const copy = structuredClone(plan) as Plan;
  const resource = copy.resources.find((r) => r.type === type && r.name === name);
  if (!resource) throw new Error(`no ${type} ${name} in the plan of ${plan.stack}`);
  change(resource);
  copy.resources.push(...add(resource));
  return copy;
}

/** The messages of one policy's violations over a plan. */
export async function firing(plan: Plan, policy: string): Promise<string[]> {
  return (await checkPolicies(plan)).filter((v) => v.policy === policy).map((v) => v.message);
}

import { Plan } from "../../plan/plan";
import { listStacks } from "../../plan/projectFiles";
import { runPlan } from "../../plan/runPlan";
import { parseOverride } from "../../plan/stackConfig";

/** Every committed stack; tests loop over these so a new stack file is covered without edits. */
export const STACKS = listStacks();

const cache = new Map<string, Promise<Plan>>();

/**
 * The plan of a stack (with `key=value` overrides), evaluated once per test process, judged against the
 * committed stack file as the previous deployment. Runs are chained: the Pulumi runtime is process-global,
 * so two evaluations must never overlap.
 */
export function planOf(stack: string, ...overrides: string[]): Promise<Plan> {
  return planAfter(stack, [], overrides);
}

/**
 * The plan of a stack that already runs with these overrides: the `pulumi up` after deploying them, judged
 * against them. What a stack that releases by canary (say) declares from one update to the next, as opposed
 * to `planOf(stack, "strategy=canary")`, the update that switches it.
 */
export function planDeployed(stack: string, ...overrides: string[]): Promise<Plan> {
  return planAfter(stack, overrides, []);
}

/**
 * The plan of a change (`change` overrides) made after `base` was deployed: what `--set <base> --compare
 * <change>` evaluates second. The guard rails judge it against the base, not the committed file.
 */
export function planAfter(stack: string, base: readonly string[], change: readonly string[]): Promise<Plan> {
  const key = [stack, ...base, "→", ...change].join(" ");
  let plan = cache.get(key);
  if (!plan) {
    const parse = (texts: readonly string[]) => texts.map((text) => parseOverride(text, "--set"));
    plan = runExclusive(() =>
      runPlan({ stack, overrides: parse([...base, ...change]), deployed: parse(base) }),
    );
    cache.set(key, plan);
  }
  return plan;
}

let queue: Promise<unknown> = Promise.resolve();
export function runExclusive<T>(work: () => Promise<T>): Promise<T> {
  const result = queue.then(work, work);
  queue = result.catch(() => undefined);
  return result;
}

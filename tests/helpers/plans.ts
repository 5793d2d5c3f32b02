import { Plan } from "../harness/plan";
import { listStacks } from "../harness/projectFiles";
import { runPlan } from "../harness/runPlan";
import { ConfigOverride, parseOverride } from "../harness/stackConfig";

/** Every committed stack; tests loop over these so a new stack file is covered without edits. */
export const STACKS = listStacks();

const cache = new Map<string, Promise<Plan>>();

/**
 * The plan of a stack (with `key=value` overrides), evaluated once per test process. Runs are chained:
 * the Pulumi runtime is process-global, so two evaluations must never overlap.
 */
export function planOf(stack: string, ...overrides: string[]): Promise<Plan> {
  const key = [stack, ...overrides].join(" ");
  let plan = cache.get(key);
  if (!plan) {
    const parsed: ConfigOverride[] = overrides.map((text) => parseOverride(text, "--set"));
    plan = runExclusive(() => runPlan({ stack, overrides: parsed }));
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

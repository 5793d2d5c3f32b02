import { strict as assert } from "assert";
import { STRATEGIES } from "../../../../config/types";
import {
  MIGRATION_DEADLINE_SECONDS,
  MIGRATION_TIMEOUT_MINUTES,
  PROVIDER_JOB_TIMEOUT_MINUTES,
  SMOKE_DEADLINE_SECONDS,
} from "../../../../components/delivery/core/gates";
import { comparePlans } from "../../../../plan/compare";
import { Plan, PlannedResource, findResources, timeoutSeconds } from "../../../../plan/plan";
import { planAfter, planDeployed, STACKS } from "../../../helpers/plans";

const JOB = "kubernetes:batch/v1:Job";
const WORKLOADS = ["kubernetes:apps/v1:Deployment", "kubernetes:argoproj.io/v1alpha1:Rollout"];
const ROUTING = [
  "kubernetes:core/v1:Service",
  "kubernetes:networking.k8s.io/v1:Ingress",
  "kubernetes:core/v1:ConfigMap",
];

/** Every resource that waits, directly or through others, for `urn`: what Pulumi does not apply if it fails. */
function blockedBy(plan: Plan, urn: string): Set<string> {
  const blocked = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const resource of plan.resources) {
      if (blocked.has(resource.urn)) continue;
      if (resource.options.dependsOn.some((dep) => dep === urn || blocked.has(dep))) {
        blocked.add(resource.urn);
        grew = true;
      }
    }
  }
  return blocked;
}

const jobSpec = (job: PlannedResource) =>
  job.inputs.spec as {
    activeDeadlineSeconds?: number;
    backoffLimit?: number;
    ttlSecondsAfterFinished?: number;
  };
const annotations = (job: PlannedResource) =>
  (job.inputs.metadata as { annotations?: Record<string, string> }).annotations ?? {};

describe("migration and smoke Jobs gate traffic and never wedge later updates", () => {
  for (const stack of STACKS) {
    for (const strategy of STRATEGIES) {
      it(`${stack}, ${strategy}: every gate is awaited, fails by its own deadline, and is replaced when it failed`, async () => {
        const jobs = findResources(await planDeployed(stack, `strategy=${strategy}`), JOB);
        assert.ok(jobs.length > 0);
        for (const job of jobs) {
          // Pulumi awaits a Job until Complete and fails the update on Failed (provider/pkg/await/job.go);
          // skipAwait would turn the gate off.
          assert.equal(annotations(job)["pulumi.com/skipAwait"], undefined, job.urn);
          // A failed Job is replaced on the next update (the provider's Diff plans a replacement for an unready
          // Job carrying replaceUnready: provider/pkg/provider/provider.go) instead of being awaited forever.
          assert.equal(annotations(job)["pulumi.com/replaceUnready"], "true", job.urn);
          // The cluster never deletes it behind Pulumi's back (the next update's GET would fail).
          assert.equal(jobSpec(job).ttlSecondsAfterFinished, undefined, job.urn);
          const deadline = jobSpec(job).activeDeadlineSeconds ?? Infinity;
          // Pulumi waits as long as the Job's customTimeouts say, else the provider's default.
          const { create, update } = job.options.customTimeouts;
          for (const timeout of [create, update]) {
            const awaited = timeoutSeconds(timeout) ?? PROVIDER_JOB_TIMEOUT_MINUTES * 60;
            assert.ok(
              deadline < awaited,
              `${job.urn}: deadline ${deadline}s inside Pulumi's ${awaited}s wait`,
            );
          }
          const component = (job.inputs.metadata as { labels: Record<string, string> }).labels[
            "app.kubernetes.io/component"
          ];
          if (component === "migration") {
            assert.equal(deadline, MIGRATION_DEADLINE_SECONDS);
            assert.equal(timeoutSeconds(update), MIGRATION_TIMEOUT_MINUTES * 60);
          }
          if (component === "smoke-test") assert.equal(deadline, SMOKE_DEADLINE_SECONDS);
        }
      });

      it(`${stack}, ${strategy}: a new version's migration fails → nothing that serves or routes has changed`, async () => {
        const base = [`strategy=${strategy}`];
        const before = await planDeployed(stack, ...base);
        // The version a release changes: blue-green deploys to the idle color, the others replace the live one.
        const change = strategy === "blueGreen" ? ["greenVersion=9.9.9"] : ["blueVersion=9.9.9"];
        const after = await planAfter(stack, base, change);
        const migration = findResources(after, JOB).find((job) =>
          (job.inputs.metadata as { name: string }).name.match(/^ams-migrate(-green)?-9-9-9$/),
        ) as PlannedResource;
        assert.ok(migration, "the new version has its migration");
        const blocked = blockedBy(after, migration.urn);
        const changed = comparePlans(before, after).changes.filter(
          (c) => c.op !== "delete" && [...WORKLOADS, ...ROUTING].includes(c.type),
        );
        assert.ok(changed.length > 0);
        for (const c of changed)
          assert.ok(blocked.has(c.urn), `${c.urn} is applied only after the migration`);
        // Blue-green: the live color and the routing do not change at all.
        if (strategy === "blueGreen")
          assert.ok(
            changed.every((c) => c.name.endsWith("-green")),
            changed.map((c) => c.name).join(),
          );
      });
    }
  }

  it("a blue-green flip moves traffic only after the target color's migration and smoke test passed", async () => {
    const after = await planAfter("prod", [], ["activeColor=green"]);
    const green = findResources(after, JOB).filter((job) =>
      /-green-/.test((job.inputs.metadata as { name: string }).name),
    );
    assert.equal(green.length, 2, "migration and smoke test");
    for (const job of green) {
      const blocked = blockedBy(after, job.urn);
      for (const routing of ["ams-release-api-stable", "ams-release-api-preview", "ams-release-api-public"])
        assert.ok(
          [...blocked].some((urn) => urn.endsWith(`::${routing}`)),
          `${routing} waits for ${job.name}`,
        );
    }
  });
});

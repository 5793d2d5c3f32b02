import { strict as assert } from "assert";
import { ConfigError } from "../../../../config/errors";
import { Strategy, STRATEGIES } from "../../../../config/types";
import {
  releaseTransition,
  strategyChangeNotice,
  strategyChangeProblems,
} from "../../../../components/delivery/core/transition";
import { comparePlans } from "../../../../plan/compare";
import { Plan, PlannedResource, kubernetesObjects } from "../../../../plan/plan";
import { checkPolicies } from "../../../../plan/policyCheck";
import { runPlanInProcess } from "../../../helpers/cli";
import { parseStack } from "../../../helpers/config";
import { planAfter, planDeployed, STACKS } from "../../../helpers/plans";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const ROLLOUT = "kubernetes:argoproj.io/v1alpha1:Rollout";
const SERVICE = "kubernetes:core/v1:Service";
const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
const JOB = "kubernetes:batch/v1:Job";
const ARGO = "ams-addons-argo-rollouts";

/** group/kind namespace/name: what the API server knows an object by. */
function objectKey(resource: PlannedResource): string {
  const metadata = resource.inputs.metadata as { name?: string; namespace?: string };
  const [, groupVersion, kind] = resource.type.split(":");
  return `${groupVersion.split("/")[0]}/${kind} ${metadata.namespace ?? ""}/${metadata.name ?? resource.name}`;
}

/**
 * What may be serving traffic: workloads, and the Services the ALB's target groups and in-cluster callers use
 * (not blue-green's preview Service, which only testers call).
 */
const serving = (plan: Plan) =>
  kubernetesObjects(plan).filter(
    (r) =>
      [DEPLOYMENT, ROLLOUT, SERVICE].includes(r.type) &&
      !(r.inputs.metadata as { name: string }).name.endsWith("-preview"),
  );

const REFUSED: [Strategy, Strategy][] = [["blueGreen", "canary"]];
const refused = (from: Strategy, to: Strategy) => REFUSED.some(([f, t]) => f === from && t === to);

describe("switching strategy: every direction is one safe `pulumi up`, or refused naming the way", () => {
  for (const stack of STACKS) {
    for (const from of STRATEGIES) {
      for (const to of STRATEGIES.filter((s) => s !== from)) {
        if (refused(from, to)) {
          it(`${stack}: ${from} → ${to} is refused before anything is registered, naming the path through rolling`, async () => {
            await assert.rejects(
              planAfter(stack, [`strategy=${from}`], [`strategy=${to}`]),
              (err: unknown) => {
                assert.ok(ConfigError.isConfigError(err));
                const problems = (err as ConfigError).problems;
                assert.deepEqual(
                  problems.map((p) => p.key),
                  ["strategy"],
                );
                assert.match(problems[0].allowed, /through rolling/);
                return true;
              },
            );
          });
          continue;
        }
        it(`${stack}: ${from} → ${to} brings ${to} up behind the old workloads, which stay until the next update`, async () => {
          const before = await planDeployed(stack, `strategy=${from}`);
          const switched = await planAfter(stack, [`strategy=${from}`], [`strategy=${to}`]);
          const next = await planDeployed(stack, `strategy=${to}`);

          // No Kubernetes object is declared twice, and every delivery rule holds mid-switch too.
          const keys = kubernetesObjects(switched).map(objectKey);
          assert.deepEqual(
            keys.filter((key, i) => keys.indexOf(key) !== i),
            [],
          );
          assert.deepEqual(
            (await checkPolicies(switched)).filter((v) => v.enforcementLevel === "mandatory"),
            [],
          );

          const change = comparePlans(before, switched).changes;
          const declared = new Set(keys);
          const beforeByUrn = new Map(before.resources.map((r) => [r.urn, r]));
          // Nothing deleted is claimed by another URN: shared objects moved through aliases instead.
          for (const deleted of change.filter((c) => c.op === "delete")) {
            const resource = beforeByUrn.get(deleted.urn) as PlannedResource;
            if (resource.type.startsWith("kubernetes:") && typeof resource.inputs.kind === "string")
              assert.ok(!declared.has(objectKey(resource)), `${deleted.urn} is deleted but still declared`);
          }
          // Only the objects all strategies share move, and a moved object is the same Kubernetes object.
          const shared = [SERVICE, INGRESS, HPA, PDB, JOB];
          for (const moved of change.filter((c) => c.previousUrn !== undefined)) {
            assert.ok(shared.includes(moved.type), moved.urn);
            const was = beforeByUrn.get(moved.previousUrn as string) as PlannedResource;
            const now = switched.resources.find((r) => r.urn === moved.urn) as PlannedResource;
            assert.equal(objectKey(now), objectKey(was));
          }
          // Whatever served before keeps running untouched: not deleted, not changed.
          for (const old of serving(before)) {
            const touched = change.find((c) => c.urn === old.urn || c.previousUrn === old.urn);
            const routing =
              old.type === SERVICE && (old.inputs.metadata as { name: string }).name === "ams-api";
            if (routing) continue; // the shared api Service moves to the new workloads, once they are ready
            assert.equal(touched, undefined, `${old.urn} must stay as it is during the switch`);
          }
          // The public route moves only once the new strategy's api workload has its capacity.
          const ingress = kubernetesObjects(switched).find(
            (r) => r.type === INGRESS && r.name.endsWith("-api-public"),
          );
          const frozen = (r: PlannedResource) => r.options.ignoreChanges.includes("metadata");
          const apiWorkload = kubernetesObjects(switched).find(
            (r) =>
              (r.type === DEPLOYMENT || r.type === ROLLOUT) &&
              !frozen(r) &&
              ["ams-api", `ams-api-${parseStack(stack).release.activeColor}`].includes(
                (r.inputs.metadata as { name: string }).name,
              ),
          ) as PlannedResource;
          assert.ok(ingress && apiWorkload);
          const waitsFor = (resource: PlannedResource, urn: string, seen = new Set<string>()): boolean =>
            resource.options.dependsOn.some((dep) => {
              if (dep === urn) return true;
              if (seen.has(dep)) return false;
              seen.add(dep);
              const next = switched.resources.find((r) => r.urn === dep);
              return next !== undefined && waitsFor(next, urn, seen);
            });
          assert.ok(waitsFor(ingress, apiWorkload.urn), "the Ingress waits for the new api workload");
          // Argo Rollouts stays installed as long as a Rollout exists.
          const argo = (plan: Plan) => plan.resources.some((r) => r.name === ARGO && r.type.includes("helm"));
          assert.equal(argo(switched), from === "canary" || to === "canary");
          assert.equal(argo(next), to === "canary");

          // The next update removes the old strategy's workloads and changes nothing else.
          const cleanup = comparePlans(switched, next).changes;
          assert.ok(cleanup.length > 0);
          assert.deepEqual(
            cleanup.filter((c) => c.op !== "delete").map((c) => `${c.op} ${c.urn}`),
            [],
          );
          const retired = switched.resources.filter(frozen);
          assert.ok(retired.length > 0, "the old workloads are still declared, frozen");
          for (const old of retired)
            assert.ok(
              cleanup.some((c) => c.urn === old.urn && c.op === "delete"),
              `${old.urn} is removed next`,
            );
        });
      }
    }
  }

  it("the rules: refused pairs and a version change in the same update; what drains and what retires", () => {
    const prod = parseStack("prod").release;
    const previous = {
      strategy: "blueGreen" as const,
      activeColor: "blue" as const,
      activeVersion: "1.4.0",
      idleVersion: "1.3.2",
    };
    assert.deepEqual(strategyChangeProblems(previous, prod), [], "no switch");
    assert.deepEqual(strategyChangeProblems(previous, parseStack("prod", "strategy=rolling").release), []);
    assert.deepEqual(
      strategyChangeProblems(previous, parseStack("prod", "strategy=canary").release).map((p) => p.key),
      ["strategy"],
    );
    assert.deepEqual(
      strategyChangeProblems(
        previous,
        parseStack("prod", "strategy=rolling", "blueVersion=1.5.0").release,
      ).map((p) => p.key),
      ["blueVersion"],
    );
    assert.match(
      String(strategyChangeNotice(previous, parseStack("prod", "strategy=rolling").release)),
      /next `pulumi up` removes them/,
    );
    assert.equal(strategyChangeNotice({}, prod), undefined, "a first deploy switches nothing");
    const switching = releaseTransition(previous, parseStack("prod", "strategy=rolling").release);
    assert.equal(switching.retiring?.strategy, "blueGreen");
    assert.equal(switching.retiring?.idleVersion, "1.3.2");
    const flip = releaseTransition(previous, parseStack("prod", "activeColor=green").release);
    assert.equal(flip.drainingColor, "blue");
    assert.equal(flip.retiring, undefined);
  });

  it("`plan --compare strategy=…` shows which: the refusal as a config error, a switch as aliased updates", async () => {
    const refusal = await runPlanInProcess("--stack", "prod", "--compare", "strategy=canary");
    assert.equal(refusal.status, 2);
    assert.match(refusal.stderr, /strategy is "canary"; allowed: .*through rolling/);
    const switched = await runPlanInProcess("--stack", "prod", "--compare", "strategy=rolling", "--json");
    assert.equal(switched.status, 0, switched.stderr);
    const changes = (
      JSON.parse(switched.stdout) as { changes: { name: string; op: string; previousUrn?: string }[] }
    ).changes;
    assert.deepEqual(
      changes.filter((c) => c.previousUrn !== undefined).map((c) => `${c.op} ${c.name}`),
      ["update ams-release-api", "update ams-release-api-public"],
    );
  });
});

import { strict as assert } from "assert";
import { ConfigError } from "../../../../config/errors";
import { COLORS, IDLE_COLOR_POLICIES } from "../../../../config/types";
import { colorFloor } from "../../../../components/delivery/blueGreen/service";
import { liveUpdateProblems } from "../../../../components/delivery/blueGreen/liveUpdateGuard";
import { lastSwitchTime } from "../../../../release/outputs";
import { drainTiming } from "../../../../components/delivery/core/workload";
import { SHUTDOWN_PHASE_SECONDS } from "../../../../components/environment/appSettings";
import { Change, comparePlans } from "../../../../plan/compare";
import { Plan, PlannedResource, findResource, findResources } from "../../../../plan/plan";
import { runPlan } from "../../../../plan/runPlan";
import { parseOverride } from "../../../../plan/stackConfig";
import { runPlanInProcess } from "../../../helpers/cli";
import { parseStack } from "../../../helpers/config";
import { planAfter, planDeployed, planOf, runExclusive, STACKS } from "../../../helpers/plans";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const JOB = "kubernetes:batch/v1:Job";
const SERVICE = "kubernetes:core/v1:Service";
const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";

/** Stacks releasing blue-green; for each, overrides that give the idle color a version so a flip is valid. */
function blueGreenStacks(): { stack: string; base: string[]; other: string }[] {
  return STACKS.filter((stack) => parseStack(stack).release.strategy === "blueGreen").map((stack) => {
    const release = parseStack(stack).release;
    const other = release.activeColor === "blue" ? "green" : "blue";
    const base = release.versions[other] ? [] : [`${other}Version=${release.versions[release.activeColor]}`];
    return { stack, base, other };
  });
}

const names = (changes: Change[]) => changes.map((change) => change.name).sort();
const weightedAction = (plan: Plan) =>
  JSON.parse(
    (
      findResource(plan, INGRESS, "ams-release-api-public").inputs.metadata as {
        annotations: Record<string, string>;
      }
    ).annotations["alb.ingress.kubernetes.io/actions.api-weighted"],
  ) as { forwardConfig: { targetGroups: { serviceName: string; weight: number }[] } };

describe("BlueGreenService: config-driven cut-over and rollback", function () {
  // A flip case plans a stack three times (flip, the next update, back): seconds each on a busy machine.
  this.timeout(60_000);
  describe("a flip changes only routing, the workers' consume switches and (scaledDown) the target's floor", () => {
    for (const { stack, base, other } of blueGreenStacks()) {
      for (const policy of IDLE_COLOR_POLICIES) {
        const config = [...base, `idleColorPolicy=${policy}`];
        const original = parseStack(stack, ...config).release.activeColor;
        it(`${stack} (idle ${policy}): activeColor=${other}, the next update, and back`, async () => {
          const sizing = parseStack(stack, ...config).sizing;
          const settled = await planAfter(stack, config, []);
          const flipped = await planAfter(stack, config, [`activeColor=${other}`]);
          const settledAfterFlip = await planAfter(stack, [...config, `activeColor=${other}`], []);
          const flippedBack = await planAfter(
            stack,
            [...config, `activeColor=${other}`],
            [`activeColor=${original}`],
          );
          const routing = [
            `${SERVICE} ams-release-api-preview`,
            `${INGRESS} ams-release-api-public`,
            `${SERVICE} ams-release-api-stable`,
          ];
          const consumeSwitch = COLORS.map((color) => `${CONFIG_MAP} ams-release-worker-switch-${color}`);
          // A scaled-down idle color runs one warm pod: the flip raises the target color's HPA floor to the
          // HPA minimum and its Deployment's capacity gate with it. The color losing traffic keeps its floor
          // until the next update. Where that minimum is one pod, there is nothing to resize.
          const floorRaised = (color: string) =>
            (["api", "worker"] as const).flatMap((service) =>
              policy === "scaledDown" && sizing[service].minReplicas > 1
                ? [`${DEPLOYMENT} ams-release-${service}-${color}`, `${HPA} ams-release-${service}-${color}`]
                : [],
            );
          const described = (changes: Change[]) => changes.map((c) => `${c.type} ${c.name}`).sort();
          for (const [from, to, target] of [
            [settled, flipped, other],
            [settledAfterFlip, flippedBack, original],
          ] as const) {
            const changes = comparePlans(from, to).changes;
            assert.ok(
              changes.every((change) => change.op === "update"),
              "no create, no delete",
            );
            assert.deepEqual(
              described(changes),
              [...routing, ...consumeSwitch, ...floorRaised(target)].sort(),
            );
            for (const change of changes.filter((c) => c.type === DEPLOYMENT))
              assert.deepEqual(change.paths, ["metadata.annotations.pulumi.com/waitFor"], change.name);
            for (const change of changes.filter((c) => c.type === HPA))
              assert.deepEqual(change.paths, ["spec.minReplicas"], change.name);
            assert.ok(
              !changes.some((c) => c.paths.some((path) => path.startsWith("spec.template"))),
              "no pod template changes: no pod restarts",
            );
          }
          // The next update shrinks the color that lost traffic to its warm pod; nothing else changes.
          const lowered = comparePlans(flipped, settledAfterFlip).changes;
          assert.deepEqual(described(lowered), floorRaised(original).sort());
        });
      }
    }
  });

  it("routes 100/0 to the active color, and a preview weight of 10 changes only the ALB weights (90/10)", async () => {
    const before = await planOf("prod");
    const after = await planOf("prod", "previewWeight=10");
    const weights = (plan: Plan) =>
      Object.fromEntries(
        weightedAction(plan).forwardConfig.targetGroups.map((g) => [g.serviceName, g.weight]),
      );
    assert.deepEqual(weights(before), { "ams-api-blue": 100, "ams-api-green": 0 });
    assert.deepEqual(weights(after), { "ams-api-blue": 90, "ams-api-green": 10 });
    const changes = comparePlans(before, after).changes;
    assert.deepEqual(names(changes), ["ams-release-api-public"]);
    assert.deepEqual(changes[0].paths, [
      "metadata.annotations.alb.ingress.kubernetes.io/actions.api-weighted",
    ]);
  });

  it("a new version on the idle color changes its Deployments, its migration and its smoke test, and no routing", async () => {
    const changes = comparePlans(await planOf("prod"), await planOf("prod", "greenVersion=1.5.0")).changes;
    assert.deepEqual(names(changes), [
      "ams-release-api-green",
      "ams-release-api-smoke-green",
      "ams-release-migrate-green",
      "ams-release-worker-green",
    ]);
    const green = findResource(
      await planOf("prod", "greenVersion=1.5.0"),
      DEPLOYMENT,
      "ams-release-api-green",
    );
    const container = (green.inputs.spec as { template: { spec: { containers: { image: string }[] } } })
      .template.spec.containers[0];
    assert.match(container.image, /\/prod\/ams-api:1\.5\.0$/);
    const migration = findResource(
      await planOf("prod", "greenVersion=1.5.0"),
      JOB,
      "ams-release-migrate-green",
    );
    assert.equal((migration.inputs.metadata as { name: string }).name, "ams-migrate-green-1-5-0");
  });

  describe("guard rail: the live color's version", () => {
    it("changing it is refused, naming the key and the override, before anything is registered", async () => {
      let registered: string[] = [];
      await assert.rejects(
        runExclusive(() =>
          runPlan({
            stack: "prod",
            overrides: [parseOverride("blueVersion=1.4.1", "--set")],
            onSettled: (types) => (registered = types),
          }),
        ),
        (err: unknown) =>
          ConfigError.isConfigError(err) &&
          /blueVersion is "1\.4\.1"/.test((err as Error).message) &&
          /allowLiveUpdate/.test((err as Error).message),
      );
      assert.deepEqual(
        registered,
        ["pulumi:pulumi:Stack", "pulumi:pulumi:StackReference"],
        "only the read of the previous outputs",
      );
    });
    it("allowLiveUpdate lets an emergency hotfix through and says so in the outputs", async () => {
      const plan = await planOf("prod", "blueVersion=1.4.1", "allowLiveUpdate=true");
      assert.equal(plan.outputs.allowLiveUpdate, true);
      assert.equal(plan.outputs.activeVersion, "1.4.1");
    });
    it("the rule itself: first deploys and flips pass; an in-place change of the live version does not", () => {
      const release = parseStack("prod").release;
      assert.deepEqual(liveUpdateProblems({}, release, false), [], "first deploy");
      assert.deepEqual(
        liveUpdateProblems({ activeColor: "green", activeVersion: "1.3.2" }, release, false),
        [],
        "flip",
      );
      assert.deepEqual(
        liveUpdateProblems({ activeColor: "blue", activeVersion: "1.4.0" }, release, false),
        [],
        "unchanged",
      );
      assert.equal(
        liveUpdateProblems({ activeColor: "blue", activeVersion: "1.3.9" }, release, false)[0].key,
        "blueVersion",
      );
      assert.deepEqual(
        liveUpdateProblems({ activeColor: "blue", activeVersion: "1.3.9" }, release, true),
        [],
      );
    });
    it("a flip that also changes the target color's version is refused: that version was never on the preview route", async () => {
      const release = parseStack("prod", "activeColor=green", "greenVersion=1.5.0").release;
      const previous = { activeColor: "blue" as const, activeVersion: "1.4.0", idleVersion: "1.3.2" };
      const problems = liveUpdateProblems(previous, release, false);
      assert.deepEqual(
        problems.map((p) => [p.key, p.value]),
        [["greenVersion", '"1.5.0"']],
      );
      assert.match(problems[0].allowed, /"1\.3\.2", what green ran while idle/);
      assert.deepEqual(liveUpdateProblems(previous, release, true), [], "allowLiveUpdate");
      const flipOnly = parseStack("prod", "activeColor=green").release;
      assert.deepEqual(liveUpdateProblems(previous, flipOnly, false), [], "a plain flip");
      // End to end: the committed prod stack is the previous deployment, so the program refuses it.
      await assert.rejects(
        runExclusive(() =>
          runPlan({
            stack: "prod",
            overrides: ["activeColor=green", "greenVersion=1.5.0"].map((o) => parseOverride(o, "--set")),
          }),
        ),
        (err: unknown) =>
          ConfigError.isConfigError(err) &&
          /greenVersion is "1\.5\.0"/.test((err as Error).message) &&
          /allowLiveUpdate/.test((err as Error).message),
      );
    });
    it("--compare judges the change against its --set base, as the pulumi up after deploying that base would", async () => {
      // dev's committed green has no version: deploying one and flipping in the same update is refused…
      const together = await runPlanInProcess(
        "--stack",
        "dev",
        "--set",
        "greenVersion=1.4.0",
        "--set",
        "activeColor=green",
      );
      assert.equal(together.status, 2);
      assert.match(together.stderr, /greenVersion is "1\.4\.0"; allowed: a version deployed earlier/);
      // …while the flip after that deploy is a plain flip.
      const afterDeploy = await runPlanInProcess(
        "--stack",
        "dev",
        "--set",
        "greenVersion=1.4.0",
        "--compare",
        "activeColor=green",
        "--json",
      );
      assert.equal(afterDeploy.status, 0, afterDeploy.stderr);
      assert.ok((JSON.parse(afterDeploy.stdout) as { changes: unknown[] }).changes.length > 0);
    });
    it("a new idle version is refused while preview traffic is on (users would reach it before its smoke test)", () => {
      const release = parseStack("prod", "previewWeight=10", "greenVersion=1.5.0").release;
      const problems = liveUpdateProblems(
        { activeColor: "blue", activeVersion: "1.4.0", idleVersion: "1.3.2" },
        release,
        false,
      );
      assert.deepEqual(
        problems.map((p) => p.key),
        ["greenVersion"],
      );
      assert.match(problems[0].allowed, /previewWeight to 0 first/);
    });
    it("records when traffic last moved", () => {
      const now = new Date("2026-11-26T10:00:00Z");
      assert.equal(
        lastSwitchTime({ activeColor: "blue", lastSwitchTime: "2026-01-01T00:00:00Z" }, "blue", now),
        "2026-01-01T00:00:00Z",
      );
      assert.equal(lastSwitchTime({ activeColor: "blue" }, "green", now), now.toISOString());
    });
  });

  describe("order: traffic moves only to a ready, migrated, smoke-tested color; the old one drains first", () => {
    for (const { stack, base, other } of blueGreenStacks()) {
      for (const flipped of [false, true]) {
        it(`${stack}${flipped ? ` after activeColor=${other}` : ""}`, async () => {
          const plan = await planAfter(stack, base, flipped ? [`activeColor=${other}`] : []);
          const release = parseStack(stack, ...base, ...(flipped ? [`activeColor=${other}`] : [])).release;
          const active = release.activeColor;
          const idle = active === "blue" ? "green" : "blue";
          const urn = (type: string, name: string) => findResource(plan, type, name).urn;
          const routing = [
            urn(SERVICE, "ams-release-api-stable"),
            urn(SERVICE, "ams-release-api-preview"),
            urn(INGRESS, "ams-release-api-public"),
          ];
          for (const name of [
            "ams-release-api-stable",
            "ams-release-api-preview",
            "ams-release-api-public",
          ]) {
            const resource = findResources(plan, name === "ams-release-api-public" ? INGRESS : SERVICE).find(
              (r) => r.name === name,
            ) as PlannedResource;
            assert.deepEqual(
              [...resource.options.dependsOn].sort(),
              [
                urn(DEPLOYMENT, `ams-release-api-${active}`),
                urn(JOB, `ams-release-api-smoke-${active}`),
                urn(JOB, `ams-release-migrate-${active}`),
              ].sort(),
              name,
            );
          }
          const idleDeployment = findResource(plan, DEPLOYMENT, `ams-release-api-${idle}`);
          for (const routingUrn of routing)
            assert.ok(idleDeployment.options.dependsOn.includes(routingUrn), "idle color waits for routing");
          assert.ok(
            findResource(plan, DEPLOYMENT, `ams-release-api-${active}`).options.dependsOn.includes(
              urn(JOB, `ams-release-migrate-${active}`),
            ),
          );
          // The drain: pods outlive the ALB's deregistration delay before they stop.
          const pod = (
            idleDeployment.inputs.spec as {
              template: {
                spec: {
                  terminationGracePeriodSeconds: number;
                  containers: { lifecycle: { preStop: { sleep: { seconds: number } } } }[];
                };
              };
            }
          ).template.spec;
          const preStop = pod.containers[0].lifecycle.preStop.sleep.seconds;
          const delay = parseStack(stack).publicEntry.deregistrationDelaySeconds;
          assert.ok(preStop >= delay, `preStop ${preStop}s ≥ deregistration delay ${delay}s`);
          assert.ok(
            pod.terminationGracePeriodSeconds > preStop + SHUTDOWN_PHASE_SECONDS,
            "room for Spring's graceful shutdown",
          );
          // Workers: the idle color stops consuming only after the active one started.
          const idleWorker = findResource(plan, DEPLOYMENT, `ams-release-worker-${idle}`);
          assert.ok(idleWorker.options.dependsOn.includes(urn(DEPLOYMENT, `ams-release-worker-${active}`)));
        });
      }
    }
  });

  describe("deployments and pods", () => {
    it("both colors always exist with fixed color selectors; the stable and preview Services select active and idle", async () => {
      const plan = await planOf("prod");
      for (const color of ["blue", "green"]) {
        const service = findResource(plan, SERVICE, `ams-release-api-${color}`);
        assert.equal(
          (service.inputs.spec as { selector: Record<string, string> }).selector["ams.io/color"],
          color,
        );
        const deployment = findResource(plan, DEPLOYMENT, `ams-release-api-${color}`);
        assert.equal(
          (deployment.inputs.metadata as { labels: Record<string, string> }).labels["ams.io/color"],
          color,
        );
      }
      assert.equal(
        (
          findResource(plan, SERVICE, "ams-release-api-stable").inputs.spec as {
            selector: Record<string, string>;
          }
        ).selector["ams.io/color"],
        "blue",
      );
      assert.equal(
        (
          findResource(plan, SERVICE, "ams-release-api-preview").inputs.spec as {
            selector: Record<string, string>;
          }
        ).selector["ams.io/color"],
        "green",
      );
    });

    it("pods probe the actuator, run non-root, and get config, secrets and their IRSA service account", async () => {
      const plan = await planOf("prod");
      const spec = (
        findResource(plan, DEPLOYMENT, "ams-release-api-blue").inputs.spec as {
          template: { spec: Record<string, unknown> };
        }
      ).template.spec;
      const container = (spec.containers as Record<string, unknown>[])[0] as {
        readinessProbe: { httpGet: { path: string } };
        livenessProbe: { httpGet: { path: string } };
        startupProbe: { httpGet: { path: string } };
        envFrom: Record<string, { name: string }>[];
        securityContext: { readOnlyRootFilesystem: boolean };
        env: { name: string; value: string }[];
      };
      assert.equal(container.readinessProbe.httpGet.path, "/actuator/health/readiness");
      assert.equal(container.livenessProbe.httpGet.path, "/actuator/health/liveness");
      assert.ok(container.startupProbe);
      assert.equal(spec.serviceAccountName, "ams-api");
      assert.deepEqual(
        container.envFrom.map((source) => Object.values(source)[0].name),
        // No database secret: the services log in to Aurora and DocumentDB with their IAM roles; the app
        // secret carries the feature-flag client token.
        ["ams-shared-config", "ams-redis", "ams-app"],
      );
      assert.equal(container.securityContext.readOnlyRootFilesystem, true);
      assert.ok(container.env.some((e) => e.name === "AMS_COLOR" && e.value === "blue"));
    });

    it("service routes land on the HTTPS listener with the environment's certificate, for every strategy", async () => {
      for (const [strategy, name] of [
        ["blueGreen", "ams-release-api-public"],
        ["rolling", "ams-release-api-public"],
        ["canary", "ams-release-api-public"],
      ]) {
        const plan = await planDeployed("prod", `strategy=${strategy}`);
        const annotations = (
          findResource(plan, INGRESS, name).inputs.metadata as { annotations: Record<string, string> }
        ).annotations;
        assert.deepEqual(
          JSON.parse(annotations["alb.ingress.kubernetes.io/listen-ports"]),
          [{ HTTPS: 443 }],
          strategy,
        );
        assert.equal(
          annotations["alb.ingress.kubernetes.io/certificate-arn"],
          parseStack("prod").publicEntry.certificateArn,
        );
      }
    });

    it("smoke tests check every path (one curl each, stop at the first failure) and failed Jobs are re-run", async () => {
      const smoke = findResource(await planOf("prod"), JOB, "ams-release-api-smoke-blue");
      const container = (smoke.inputs.spec as { template: { spec: { containers: { command: string[] }[] } } })
        .template.spec.containers[0];
      const [shell, flag, script] = container.command;
      assert.deepEqual([shell, flag], ["sh", "-c"]);
      const lines = script.split("\n");
      assert.equal(lines[0], "set -e");
      const paths = [...new Set(["/actuator/health/readiness", ...parseStack("prod").delivery.smokePaths])];
      assert.equal(lines.length, 1 + paths.length);
      paths.forEach((path, i) => assert.match(lines[i + 1], new RegExp(`^curl --fail .*:8080${path}"$`)));
      assert.equal(
        (smoke.inputs.metadata as { annotations: Record<string, string> }).annotations[
          "pulumi.com/replaceUnready"
        ],
        "true",
      );
    });

    it("idle workers do not consume: each color reads its own consume switch, the same in every update", async () => {
      const plan = await planOf("prod");
      const switchOf = (color: string) =>
        (
          findResource(plan, CONFIG_MAP, `ams-release-worker-switch-${color}`).inputs as {
            data: Record<string, string>;
          }
        ).data["ams.queue.consumers.enabled"];
      assert.equal(switchOf("blue"), "true");
      assert.equal(switchOf("green"), "false");
      for (const color of COLORS) {
        const env = (
          findResource(plan, DEPLOYMENT, `ams-release-worker-${color}`).inputs.spec as {
            template: { spec: { containers: { env: { name: string; value: string }[] }[] } };
          }
        ).template.spec.containers[0].env;
        assert.deepEqual(
          env.filter((e) => e.name === "AMS_CONSUMER_SWITCH").map((e) => e.value),
          [`ams-worker-switch-${color}`],
        );
        assert.ok(!env.some((e) => e.name === "AMS_QUEUE_CONSUMERS_ENABLED"), "no consume flag in the pod");
      }
      // The idle color stops only after the active one was switched on and its workers have their capacity.
      const active = findResource(plan, CONFIG_MAP, "ams-release-worker-switch-blue");
      assert.deepEqual(active.options.dependsOn, [], "set at once: starting pods always find their switch");
      assert.deepEqual(
        [...findResource(plan, CONFIG_MAP, "ams-release-worker-switch-green").options.dependsOn].sort(),
        [active.urn, findResource(plan, DEPLOYMENT, "ams-release-worker-blue").urn].sort(),
      );
      // The worker may read (never write) the switches.
      const role = findResource(
        plan,
        "kubernetes:rbac.authorization.k8s.io/v1:Role",
        "ams-release-worker-switch-reader",
      );
      assert.deepEqual(role.inputs.rules, [
        { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] },
      ]);
    });

    it("autoscaler floors: active and full idle the minimum; scaled-down idle one pod, from the update after it lost traffic; version-less none", () => {
      const live = { activeColor: "blue" as const, idleVersion: "1.0" };
      assert.equal(colorFloor("blue", live, "full", 3, undefined), 3);
      assert.equal(colorFloor("green", live, "full", 3, undefined), 3);
      assert.equal(colorFloor("green", live, "scaledDown", 3, undefined), 1);
      assert.equal(colorFloor("green", live, "scaledDown", 3, "green"), 3, "draining");
      assert.equal(
        colorFloor("green", { activeColor: "blue", idleVersion: undefined }, "full", 3, undefined),
        undefined,
      );
    });

    it("no replica count under an HPA; a version-less color runs none and has no HPA", async () => {
      for (const stack of STACKS) {
        const plan = await planDeployed(stack);
        const scaled = new Set(
          findResources(plan, HPA).map(
            (hpa) => (hpa.inputs.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name,
          ),
        );
        for (const deployment of findResources(plan, DEPLOYMENT)) {
          const name = (deployment.inputs.metadata as { name: string }).name;
          const replicas = (deployment.inputs.spec as { replicas?: number }).replicas;
          if (scaled.has(name)) {
            assert.equal(replicas, undefined, `${stack} ${name}`);
            assert.deepEqual(deployment.options.ignoreChanges, ["spec.replicas"], `${stack} ${name}`);
          } else {
            assert.equal(replicas, 0, `${stack} ${name}: only a color without a version lacks an HPA`);
          }
        }
      }
      // dev's green has no version: no pods, no HPA; giving it one hands its count to the new HPA.
      const dev = await planOf("dev");
      const replicasOf = (deployment: PlannedResource) =>
        (deployment.inputs.spec as { replicas?: number }).replicas;
      assert.equal(replicasOf(findResource(dev, DEPLOYMENT, "ams-release-api-green")), 0);
      assert.ok(!findResources(dev, HPA).some((hpa) => hpa.name === "ams-release-api-green"));
      const versioned = findResource(
        await planOf("dev", "greenVersion=1.4.0"),
        DEPLOYMENT,
        "ams-release-api-green",
      );
      assert.equal(replicasOf(versioned), undefined);
      assert.deepEqual(versioned.options.ignoreChanges, [], "the 0 the program owned is released, not kept");
    });

    it("traffic moves only once the target color has its capacity: the HPA floor in available pods", async () => {
      const sizing = (minReplicas: number) =>
        `api={"minReplicas":${minReplicas},"maxReplicas":4,"cpuRequest":"250m","cpuLimit":"1","memoryRequest":"512Mi","memoryLimit":"1Gi"}`;
      const plan = await planAfter("dev", ["greenVersion=1.4.0", sizing(2)], ["activeColor=green"]);
      const deployment = findResource(plan, DEPLOYMENT, "ams-release-api-green");
      const gate = JSON.parse(
        (deployment.inputs.metadata as { annotations: Record<string, string> }).annotations[
          "pulumi.com/waitFor"
        ],
      ) as string[];
      assert.deepEqual(gate, [
        'jsonpath={.status.conditions[?(@.type=="Progressing")].reason}=NewReplicaSetAvailable',
        'jsonpath={.status.conditions[?(@.type=="Available")].status}=True',
        "jsonpath={$[?(@.availableReplicas > 1)]}",
      ]);
      // The gate follows the HPA floor it waits for, the HPA is raised first, and routing waits for the gate.
      const hpa = findResource(plan, HPA, "ams-release-api-green");
      assert.equal((hpa.inputs.spec as { minReplicas: number }).minReplicas, 2);
      assert.ok(deployment.options.dependsOn.includes(hpa.urn));
      assert.ok(
        findResource(plan, SERVICE, "ams-release-api-stable").options.dependsOn.includes(deployment.urn),
      );
      assert.ok(
        findResource(plan, INGRESS, "ams-release-api-public").options.dependsOn.includes(deployment.urn),
      );
    });

    it("a scaled-down idle color keeps one warm, smoke-tested pod behind the preview route, with an HPA floor of one", async () => {
      const plan = await planAfter("prod", ["greenVersion=1.5.0", "idleColorPolicy=scaledDown"], []);
      const minimum = parseStack("prod").sizing.api.minReplicas;
      const floor = (name: string) =>
        (findResource(plan, HPA, name).inputs.spec as { minReplicas: number }).minReplicas;
      const gate = (name: string) =>
        (findResource(plan, DEPLOYMENT, name).inputs.metadata as { annotations: Record<string, string> })
          .annotations["pulumi.com/waitFor"];
      assert.equal(floor("ams-release-api-blue"), minimum);
      assert.ok(gate("ams-release-api-blue").includes(`availableReplicas > ${minimum - 1})`));
      assert.equal(floor("ams-release-api-green"), 1);
      assert.ok(gate("ams-release-api-green").includes("availableReplicas > 0)"));
      // The warm pod is smoke-tested when its version lands, so a later flip needs no new Job.
      findResource(plan, JOB, "ams-release-api-smoke-green");
      const preview = findResource(plan, SERVICE, "ams-release-api-preview").inputs.spec as {
        selector: Record<string, string>;
      };
      assert.equal(preview.selector["ams.io/color"], "green");
    });

    it("drain timing outlasts the deregistration delay and Spring's shutdown, whatever the delay", () => {
      for (const delay of [0, 30, 60, 300]) {
        const timing = drainTiming(delay);
        assert.ok(timing.preStopSeconds > delay);
        assert.ok(timing.terminationGracePeriodSeconds > timing.preStopSeconds + SHUTDOWN_PHASE_SECONDS);
      }
    });

    it("a preview host, when configured, replaces the header rule", async () => {
      const plan = await planOf("prod", "previewHost=preview.api.ams.example.com");
      const ingress = findResource(plan, INGRESS, "ams-release-api-public");
      const conditions = JSON.parse(
        (ingress.inputs.metadata as { annotations: Record<string, string> }).annotations[
          "alb.ingress.kubernetes.io/conditions.api-preview"
        ],
      );
      assert.deepEqual(conditions, [
        { field: "host-header", hostHeaderConfig: { values: ["preview.api.ams.example.com"] } },
        {
          field: "source-ip",
          sourceIPConfig: { values: parseStack("prod").delivery.previewRoute.sourceCidrs },
        },
      ]);
      assert.equal(plan.outputs.previewUrl, "https://preview.api.ams.example.com/");
      assert.deepEqual(plan.outputs.previewProbe, {
        url: "https://preview.api.ams.example.com/actuator/health/readiness",
        headers: {},
      });
    });

    it("the cut-over's health probe reaches the idle color the way the ALB's preview rule matches it", async () => {
      const plan = await planOf("prod");
      const ingress = findResource(plan, INGRESS, "ams-release-api-public");
      const [condition] = JSON.parse(
        (ingress.inputs.metadata as { annotations: Record<string, string> }).annotations[
          "alb.ingress.kubernetes.io/conditions.api-preview"
        ],
      ) as { httpHeaderConfig: { httpHeaderName: string; values: string[] } }[];
      const probe = plan.outputs.previewProbe as { url: string; headers: Record<string, string> };
      assert.deepEqual(probe.headers, {
        [condition.httpHeaderConfig.httpHeaderName]: condition.httpHeaderConfig.values[0],
      });
      assert.equal(probe.url, `https://${parseStack("prod").publicEntry.apiHost}/actuator/health/readiness`);
      assert.equal(plan.outputs.idleColorPolicy, parseStack("prod").release.idleColorPolicy);
    });
  });
});

import { strict as assert } from "assert";
import { ConfigError } from "../../amsConfig/errors";
import { COLORS, IDLE_COLOR_POLICIES } from "../../amsConfig/types";
import { colorReplicas } from "../../components/delivery/blueGreen";
import {
  lastSwitchTime,
  liveUpdateProblems,
  strategyChangeWarning,
} from "../../components/delivery/liveUpdateGuard";
import { drainTiming } from "../../components/delivery/workload";
import { SHUTDOWN_PHASE_SECONDS } from "../../components/environment/appSettings";
import { Change, comparePlans } from "../harness/compare";
import { Plan, PlannedResource, findResource, findResources } from "../harness/plan";
import { runPlan } from "../harness/runPlan";
import { parseOverride } from "../harness/stackConfig";
import { runPlanInProcess } from "../helpers/cli";
import { parseStack } from "../helpers/config";
import { planAfter, planOf, runExclusive, STACKS } from "../helpers/plans";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const JOB = "kubernetes:batch/v1:Job";
const SERVICE = "kubernetes:core/v1:Service";
const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
const SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount";

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

describe("BlueGreenService: config-driven cut-over and rollback", () => {
  describe("a flip changes only routing (and the worker's consume switch)", () => {
    for (const { stack, base, other } of blueGreenStacks()) {
      for (const policy of IDLE_COLOR_POLICIES) {
        const config = [...base, `idleColorPolicy=${policy}`];
        it(`${stack} (idle ${policy}): activeColor=${other} and back`, async () => {
          const sizing = parseStack(stack, ...config).sizing;
          const before = await planOf(stack, ...config);
          const after = await planAfter(stack, config, [`activeColor=${other}`]);
          for (const changes of [comparePlans(before, after).changes, comparePlans(after, before).changes]) {
            assert.ok(
              changes.every((change) => change.op === "update"),
              "no create, no delete",
            );
            const routing = [
              `${SERVICE} ams-release-api-preview`,
              `${INGRESS} ams-release-api-public`,
              `${SERVICE} ams-release-api-stable`,
            ];
            const consumeSwitch = COLORS.map((color) => `${DEPLOYMENT} ams-release-worker-${color}`);
            // A scaled-down idle color runs one warm pod: the flip raises the new active color to its HPA
            // minimum and lowers the old one, in the Deployments and in the HPAs' floors. Where that minimum
            // is one pod, there is nothing to resize.
            const resized = (service: "api" | "worker") =>
              policy === "scaledDown" && sizing[service].minReplicas > 1
                ? COLORS.flatMap((color) => [
                    `${DEPLOYMENT} ams-release-${service}-${color}`,
                    `${HPA} ams-release-${service}-${color}`,
                  ])
                : [];
            const expected = new Set([...routing, ...consumeSwitch, ...resized("api"), ...resized("worker")]);
            assert.deepEqual(changes.map((c) => `${c.type} ${c.name}`).sort(), [...expected].sort());
            for (const change of changes.filter((c) => c.name.startsWith("ams-release-api-"))) {
              if (change.type === DEPLOYMENT) assert.deepEqual(change.paths, ["spec.replicas"]);
              if (change.type === HPA) assert.deepEqual(change.paths, ["spec.minReplicas"]);
            }
            for (const change of changes.filter((c) => c.name.startsWith("ams-release-worker-"))) {
              assert.ok(
                change.paths.every(
                  (path) =>
                    path === "spec.replicas" ||
                    path === "spec.minReplicas" ||
                    path.startsWith("spec.template.spec.containers[0].env"),
                ),
                change.paths.join(),
              );
            }
            assert.ok(
              !changes.some(
                (c) => c.type === JOB || c.type.includes("PodDisruptionBudget") || c.type === SERVICE_ACCOUNT,
              ),
              "no Job, PDB or identity change",
            );
            if (policy === "full") assert.ok(!changes.some((c) => c.type === HPA), "no HPA change");
          }
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
    it("a strategy change is announced loudly (it replaces every workload), not refused", () => {
      const canary = parseStack("prod", "strategy=canary").release;
      assert.match(
        String(strategyChangeWarning({ strategy: "blueGreen" }, canary)),
        /every AMS workload is replaced/,
      );
      assert.equal(strategyChangeWarning({}, canary), undefined);
      assert.deepEqual(
        liveUpdateProblems(
          { strategy: "blueGreen", activeColor: "blue", activeVersion: "1.3.0" },
          canary,
          false,
        ),
        [],
      );
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
        ["ams-shared-config", "ams-postgres", "ams-documentdb", "ams-redis", "ams-app"],
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
        const plan = await planOf("prod", `strategy=${strategy}`);
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

    it("idle workers do not consume", async () => {
      const plan = await planOf("prod");
      const consuming = (color: string) =>
        (
          (
            findResource(plan, DEPLOYMENT, `ams-release-worker-${color}`).inputs.spec as {
              template: { spec: { containers: { env: { name: string; value: string }[] }[] } };
            }
          ).template.spec.containers[0].env.find((e) => e.name === "AMS_QUEUE_CONSUMERS_ENABLED") as {
            value: string;
          }
        ).value;
      assert.equal(consuming("blue"), "true");
      assert.equal(consuming("green"), "false");
    });

    it("replica policy: active and a full idle color run the minimum; a scaled-down idle color one pod; a version-less none", () => {
      assert.equal(colorReplicas("blue", { activeColor: "blue", idleVersion: "1.0" }, "full", 3), 3);
      assert.equal(colorReplicas("green", { activeColor: "blue", idleVersion: "1.0" }, "full", 3), 3);
      assert.equal(colorReplicas("green", { activeColor: "blue", idleVersion: "1.0" }, "scaledDown", 3), 1);
      assert.equal(colorReplicas("green", { activeColor: "blue", idleVersion: undefined }, "full", 3), 0);
      assert.equal(
        colorReplicas("green", { activeColor: "blue", idleVersion: undefined }, "scaledDown", 3),
        0,
      );
    });

    it("a scaled-down idle color keeps one warm, smoke-tested pod behind the preview route, with an HPA floor of one", async () => {
      const plan = await planOf("prod", "greenVersion=1.5.0", "idleColorPolicy=scaledDown");
      const minimum = parseStack("prod").sizing.api.minReplicas;
      const replicas = (name: string) =>
        (findResource(plan, DEPLOYMENT, name).inputs.spec as { replicas: number }).replicas;
      const floor = (name: string) =>
        (findResource(plan, HPA, name).inputs.spec as { minReplicas: number }).minReplicas;
      assert.equal(replicas("ams-release-api-blue"), minimum);
      assert.equal(floor("ams-release-api-blue"), minimum);
      assert.equal(replicas("ams-release-api-green"), 1);
      assert.equal(floor("ams-release-api-green"), 1);
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

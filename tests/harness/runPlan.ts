import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { CapturedResource, captureResources, dependsOnUrns, unwrap, urnOf } from "./capture";
import { PlanMocks } from "./mocks";
import { Plan, PlannedResource } from "./plan";
import { loadProject, loadStackConfig, PROJECT_DIR } from "./projectFiles";
import { maskInputs, SECRET_MASK } from "./secrets";
import { buildProgramConfig, ConfigOverride } from "./stackConfig";

export interface PlanRequest {
  /** Stack whose `Pulumi.<stack>.yaml` drives the run. */
  readonly stack: string;
  /** `--set` overrides, applied on top of the stack file in order. */
  readonly overrides?: readonly ConfigOverride[];
  /** Where `Pulumi.yaml` and the stack files are; the repository root unless a test points elsewhere. */
  readonly projectDir?: string;
  /** The program to evaluate; the real `index.ts` unless a harness test passes a small one. */
  readonly program?: () => Promise<Record<string, unknown>>;
  /** Called with the types registered with the mocks once the run settles, even when it failed. */
  readonly onSettled?: (registeredTypes: string[]) => void;
}

const STACK_TYPE = "pulumi:pulumi:Stack";

let realProgram: (() => Promise<Record<string, unknown>>) | undefined;
function loadRealProgram(): () => Promise<Record<string, unknown>> {
  // Loaded lazily so that config-file errors are reported before the (heavy) provider SDKs load.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- index.ts is `export =` (what Pulumi runs)
  realProgram ??= require(path.join(PROJECT_DIR, "index")) as () => Promise<Record<string, unknown>>;
  return realProgram;
}

/**
 * Evaluates the AMS program for one stack under Pulumi mocks — no CLI, credentials or network — and
 * returns what it declares: every resource with its inputs and options, and the stack outputs, with every
 * secret masked. Runs are sequential: the Pulumi runtime is process-global.
 */
export async function runPlan(request: PlanRequest): Promise<Plan> {
  const projectDir = request.projectDir ?? PROJECT_DIR;
  const project = loadProject(projectDir);
  const config = buildProgramConfig(
    project,
    loadStackConfig(request.stack, projectDir),
    request.overrides ?? [],
  );
  const program = request.program ?? loadRealProgram();

  let captured: CapturedResource[] = [];
  const secretOutputs = new Map<string, readonly string[]>();
  const mocks = new PlanMocks({ region: config.values["aws:region"] ?? "us-east-1" }, (type, name) => {
    return secretOutputs.get(PlanMocks.key(type, name)) ?? [];
  });
  await pulumi.runtime.setMocks(mocks, project.name, request.stack, false);
  pulumi.runtime.setAllConfig(config.values, config.secretKeys);

  let programOutputs: Record<string, unknown> = {};
  try {
    await pulumi.runtime.runInPulumiStack(async () => {
      captured = captureResources();
      const originalPush = captured.push.bind(captured);
      captured.push = (...items: CapturedResource[]) => {
        for (const item of items)
          secretOutputs.set(PlanMocks.key(item.type, item.name), item.additionalSecretOutputs);
        return originalPush(...items);
      };
      programOutputs = (await program()) ?? {};
      return programOutputs;
    });
  } finally {
    await pulumi.runtime.disconnect();
    request.onSettled?.([...mocks.registered.values()].map((resource) => resource.type));
  }

  const stackUrn = `urn:pulumi:${request.stack}::${project.name}::${STACK_TYPE}::${project.name}-${request.stack}`;
  const resources: PlannedResource[] = [
    {
      urn: stackUrn,
      type: STACK_TYPE,
      name: `${project.name}-${request.stack}`,
      parent: null,
      custom: false,
      inputs: {},
      options: {
        protect: false,
        retainOnDelete: false,
        dependsOn: [],
        deleteBeforeReplace: false,
        ignoreChanges: [],
      },
    },
  ];
  for (const item of captured) {
    const registered = mocks.registered.get(PlanMocks.key(item.type, item.name));
    if (!registered) throw new Error(`${item.type} ${item.name} was constructed but never registered`);
    resources.push({
      urn: await urnOf(item.resource),
      type: item.type,
      name: item.name,
      parent: item.parent ? await urnOf(item.parent) : stackUrn,
      custom: registered.custom,
      inputs: maskInputs(registered.inputs, item.additionalSecretOutputs),
      options: {
        protect: item.protect,
        retainOnDelete: item.retainOnDelete,
        dependsOn: await dependsOnUrns(item.dependsOn),
        deleteBeforeReplace: item.deleteBeforeReplace,
        ignoreChanges: item.ignoreChanges,
      },
    });
  }
  return {
    project: project.name,
    stack: request.stack,
    resources,
    outputs: await maskOutputs(programOutputs),
  };
}

async function maskOutputs(outputs: Record<string, unknown>): Promise<Record<string, unknown>> {
  const masked: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(outputs)) {
    const output = pulumi.output(value);
    masked[key] = (await pulumi.isSecret(output)) ? SECRET_MASK : await unwrap(pulumi.unsecret(output));
  }
  return masked;
}

import { createHash } from "crypto";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { aliasUrns, CapturedResource, captureResources, dependsOnResources, unwrap, urnOf } from "./capture";
import { PlanMocks, RegisteredResource } from "./mocks";
import { Plan, PlannedResource } from "./plan";
import { parseAmsConfig } from "../config/parse";
import { ConfigError, KeyOrigin } from "../config/errors";
import { RawConfig } from "../config/rawConfig";
import { AmsConfig } from "../config/types";
import { PreviousRelease, recordedRelease } from "../release/outputs";
import { declaredFlagStates } from "../components/environment/featureFlags/exposureGuard";
import { describeRelease } from "../release/state";
import { projectValues } from "../config/load";
import { loadProject, loadStackConfig, ProjectFile } from "./projectFiles";
import { PROJECT_DIR } from "../tools/cli/project";
import { maskInputs, SECRET_MASK } from "./secrets";
import { buildProgramConfig, ConfigOverride } from "./stackConfig";

export interface PlanRequest {
  /** Stack whose `Pulumi.<stack>.yaml` drives the run. */
  readonly stack: string;
  /** `--set` overrides, applied on top of the stack file in order. */
  readonly overrides?: readonly ConfigOverride[];
  /**
   * Overrides the previous `pulumi up` is taken to have applied on top of the stack file (default none: the
   * committed file is what was deployed). A `--compare` run is judged against the state its base run
   * describes, as the `pulumi up` after deploying that base would be.
   */
  readonly deployed?: readonly ConfigOverride[];
  /** Where `Pulumi.yaml` and the stack files are; the repository root unless a test points elsewhere. */
  readonly projectDir?: string;
  /** The program to evaluate; the real `index.ts` unless a harness test passes a small one. */
  readonly program?: () => Promise<Record<string, unknown>>;
  /** Called with the types registered with the mocks once the run settles, even when it failed. */
  readonly onSettled?: (registeredTypes: string[]) => void;
}

const STACK_TYPE = "pulumi:pulumi:Stack";
const NO_OPTIONS = {
  protect: false,
  retainOnDelete: false,
  dependsOn: [],
  deleteBeforeReplace: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: {},
};

/**
 * The program of the Pulumi project in `dir`: its `index.ts`, `export =` a function (what Pulumi runs).
 * The AMS program unless asked for another project (`plan --project deployments`). Loaded only once the
 * config files have been read, so their errors are reported before the (heavy) provider SDKs load.
 */
export function programIn(dir: string): () => Promise<Record<string, unknown>> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- index.ts is `export =` (what Pulumi runs)
  return require(path.join(dir, "index")) as () => Promise<Record<string, unknown>>;
}

/**
 * Errors that already failed a run. The Pulumi runtime rejects the stack's outputs with a program's error
 * once more, later and unhandled (after the run returned); a later run must not take it for its own.
 */
const reportedFailures = new WeakSet<object>();
function remember(err: unknown): unknown {
  if (typeof err === "object" && err !== null) reportedFailures.add(err);
  return err;
}

/**
 * Evaluates the AMS program for one stack under Pulumi mocks — no CLI, credentials or network — and
 * returns what it declares: every resource with its inputs and options, and the stack outputs, with every
 * secret masked. Runs are sequential: the Pulumi runtime is process-global.
 */
export async function runPlan(request: PlanRequest): Promise<Plan> {
  const projectDir = request.projectDir ?? PROJECT_DIR;
  const project = loadProject(projectDir);
  const stackConfig = loadStackConfig(request.stack, projectDir);
  const config = buildProgramConfig(project, stackConfig, request.overrides ?? []);
  const program = request.program ?? programIn(PROJECT_DIR);

  // Pulumi captures a stack trace per resource; mapping each through source maps is most of a run's cost.
  const sourceMaps = process.sourceMapsEnabled;
  process.setSourceMapsEnabled(false);
  const captured: CapturedResource[] = [];
  const secretOutputs = new Map<string, readonly string[]>();
  const mocks = new PlanMocks(
    {
      region: config.values["aws:region"] ?? "us-east-1",
      previousOutputs: deployedRelease(project, stackConfig, request.stack, request.deployed ?? []),
    },
    (planId) => secretOutputs.get(planId) ?? [],
  );
  await pulumi.runtime.setMocks(mocks, project.name, request.stack, false, "organization");
  pulumi.runtime.setAllConfig(config.values, config.secretKeys);

  // A failure inside an `apply` surfaces as an unhandled rejection, not through the program's promise;
  // collect them so the run fails with the real error instead of the process dying on it.
  const asyncFailures: unknown[] = [];
  const onUnhandled = (reason: unknown) => {
    if (typeof reason === "object" && reason !== null && reportedFailures.has(reason)) return;
    asyncFailures.push(reason);
  };
  process.on("unhandledRejection", onUnhandled);
  // Under mocks there is no engine to send `pulumi.log.warn` to, so the SDK prints it with console.warn
  // (@pulumi/pulumi log/index.js); the plan keeps them with its result instead, for the CLI to print after
  // the plan (as `pulumi up` lists diagnostics) and for specs to assert on instead of printing them.
  const warnings: string[] = [];
  const consoleWarn = console.warn;
  console.warn = (...args: unknown[]) => {
    const text = args.map(String).join(" ");
    if (text.startsWith(RUNTIME_WARNING)) warnings.push(text.slice(RUNTIME_WARNING.length));
    else consoleWarn(...args);
  };
  let programOutputs: Record<string, unknown> = {};
  try {
    await pulumi.runtime.runInPulumiStack(async () => {
      captureResources((item) => {
        captured.push(item);
        secretOutputs.set(item.planId, item.additionalSecretOutputs);
      });
      programOutputs = (await program()) ?? {};
      return programOutputs;
    });
  } catch (err) {
    remember(err);
    throw err instanceof ConfigError
      ? remember(err.withKeyOrigins(keyOrigins(project, stackConfig, request)))
      : err;
  } finally {
    await pulumi.runtime.disconnect();
    process.off("unhandledRejection", onUnhandled);
    console.warn = consoleWarn;
    process.setSourceMapsEnabled(sourceMaps);
    request.onSettled?.([...mocks.registered.values()].map((resource) => resource.type));
  }
  if (asyncFailures.length > 0) throw remember(asyncFailures[0]);

  const urns = await engineUrns(captured, project.name, request.stack);
  const stackUrn = `urn:pulumi:${request.stack}::${project.name}::${STACK_TYPE}::${project.name}-${request.stack}`;
  const resources: PlannedResource[] = [
    {
      urn: stackUrn,
      type: STACK_TYPE,
      name: `${project.name}-${request.stack}`,
      parent: null,
      custom: false,
      provider: null,
      inputs: {},
      options: NO_OPTIONS,
    },
  ];
  for (const item of captured) {
    const registered = mocks.registered.get(item.planId);
    if (!registered) {
      throw new Error(
        `${item.type} "${item.name}" was constructed but its registration failed (see the errors above)`,
      );
    }
    const masked = maskInputs(
      (await referencesAsUrns(registered.inputs, urns)) as Record<string, unknown>,
      item.additionalSecretOutputs,
    );
    const inputs = summarizeDynamicProvider(masked.inputs);
    const { secretDigests } = masked;
    const planned: PlannedResource = {
      urn: urns.byResource.get(item.resource) as string,
      type: item.type,
      name: item.name,
      parent: item.parent ? (urns.byResource.get(item.parent) ?? null) : stackUrn,
      custom: registered.custom,
      provider: providerUrn(registered, urns),
      inputs,
      options: {
        protect: item.protect,
        retainOnDelete: item.retainOnDelete,
        dependsOn: (await dependsOnResources(item.dependsOn)).map(
          (r) => urns.byResource.get(r) ?? "(unknown)",
        ),
        deleteBeforeReplace: item.deleteBeforeReplace,
        ignoreChanges: item.ignoreChanges,
        aliases: await aliasUrns(item.aliases),
        customTimeouts: item.customTimeouts,
      },
    };
    Object.defineProperty(planned, "secretDigests", { value: secretDigests, enumerable: false });
    resources.push(planned);
  }
  const plan: Plan = {
    project: project.name,
    stack: request.stack,
    resources,
    outputs: await maskOutputs(programOutputs),
  };
  // Not part of the JSON document: what the program warned about while it ran.
  Object.defineProperty(plan, "warnings", { value: warnings, enumerable: false });
  return plan;
}

const RUNTIME_WARNING = "warning: [runtime] ";

/** The warnings the program logged (`pulumi.log.warn`) while the plan ran. */
export function planWarnings(plan: Plan): readonly string[] {
  return (plan as Plan & { warnings?: string[] }).warnings ?? [];
}

/** Where a project key's value came from: its declaration's default, the stack file or an override. */
function keyOrigins(
  project: ProjectFile,
  stackConfig: Readonly<Record<string, unknown>>,
  request: PlanRequest,
): (key: string) => KeyOrigin | undefined {
  return (key) => {
    const qualified = key.includes(":") ? key : `${project.name}:${key}`;
    if (Object.hasOwn(project.config, key) || Object.hasOwn(project.config, qualified)) return "Pulumi.yaml";
    if ((request.overrides ?? []).some((override) => override.key.split(".")[0] === key))
      return "command line";
    if (Object.hasOwn(stackConfig, qualified)) return "stack file";
    return undefined;
  };
}

/**
 * The validated config a stack file declares (plus overrides), exactly as the program would read it under
 * `pulumi up`: `Pulumi.yaml` defaults, the stack file, the overrides, then `parseAmsConfig`. Throws the
 * program's own `ConfigError` when it does not validate.
 */
export function declaredConfig(
  project: ProjectFile,
  stackConfig: Record<string, unknown>,
  stack: string,
  overrides: readonly ConfigOverride[],
): AmsConfig {
  const values = buildProgramConfig(project, stackConfig, overrides).values;
  try {
    return parseAmsConfig({
      project: project.name,
      stack,
      raw: new RawConfig(projectValues(values, project.name)),
      awsRegion: values["aws:region"],
    });
  } catch (err) {
    throw err instanceof ConfigError
      ? err.withKeyOrigins(keyOrigins(project, stackConfig, { stack, overrides }))
      : err;
  }
}

/**
 * The release and flag outputs a `pulumi up` of this config records (`releaseOutputs`), as the guard rails read
 * them back (`lastRecordedRelease`). The switch time is a fixed stand-in: offline, nothing has ever switched.
 */
export function appliedRelease(config: AmsConfig): PreviousRelease {
  const { strategy, activeColor, activeVersion, idleVersion } = recordedRelease(
    describeRelease(config.release),
  );
  return {
    strategy,
    activeColor,
    activeVersion,
    idleVersion,
    lastSwitchTime: "2026-01-01T00:00:00.000Z",
    featureFlags: declaredFlagStates(config.featureFlags),
  };
}

/**
 * The offline stand-in for "what this stack's last `pulumi up` exported": the release its committed stack
 * file declares (plus `deployed` overrides). So `--set blueVersion=X` on a blue-live stack is judged against
 * the committed blueVersion, exactly as `pulumi up` would judge it against the last deployment.
 */
function deployedRelease(
  project: ProjectFile,
  stackConfig: Record<string, unknown>,
  stack: string,
  deployed: readonly ConfigOverride[],
): Record<string, unknown> {
  try {
    return { ...appliedRelease(declaredConfig(project, stackConfig, stack, deployed)) };
  } catch {
    // A stack file that does not validate has never been deployed as it stands.
    return {};
  }
}

interface UrnIndex {
  /** The URN the Pulumi engine gives each captured resource. */
  readonly byResource: Map<pulumi.Resource, string>;
  /** The mocks' URN (what `resource.urn` resolves to here) → the engine's. */
  readonly byMockUrn: Map<string, string>;
}

/**
 * The engine names a resource `urn:pulumi:<stack>::<project>::<parent types>$<type>::<name>`, with the
 * whole chain of parent types but without the stack's; the mock monitor abbreviates differently. The plan
 * shows the engine's, so a URN from it works with `pulumi state` and `--target`.
 */
async function engineUrns(
  captured: readonly CapturedResource[],
  project: string,
  stack: string,
): Promise<UrnIndex> {
  const byResource = new Map<pulumi.Resource, string>();
  const qualifiedTypes = new Map<pulumi.Resource, string>();
  for (const item of captured) {
    const parentType = item.parent ? qualifiedTypes.get(item.parent) : undefined;
    const qualified = parentType ? `${parentType}$${item.type}` : item.type;
    qualifiedTypes.set(item.resource, qualified);
    byResource.set(item.resource, `urn:pulumi:${stack}::${project}::${qualified}::${item.name}`);
  }
  const byMockUrn = new Map<string, string>();
  for (const item of captured)
    byMockUrn.set(await urnOf(item.resource), byResource.get(item.resource) as string);
  return { byResource, byMockUrn };
}

function providerUrn(registered: RegisteredResource, urns: UrnIndex): string | null {
  if (registered.provider === "") return null;
  const mockUrn = registered.provider.split("::").slice(0, -1).join("::");
  return urns.byMockUrn.get(mockUrn) ?? mockUrn;
}

/**
 * Resource references in inputs (a node group's `cluster`, a role passed by object) arrive at the mocks as
 * live Resource objects; the plan shows them as the URN the engine would receive.
 */
async function referencesAsUrns(node: unknown, urns: UrnIndex): Promise<unknown> {
  if (pulumi.Resource.isInstance(node)) {
    const mockUrn = await urnOf(node);
    return urns.byMockUrn.get(mockUrn) ?? mockUrn;
  }
  if (Array.isArray(node)) return Promise.all(node.map((child) => referencesAsUrns(child, urns)));
  if (typeof node === "object" && node !== null) {
    const entries = await Promise.all(
      Object.entries(node).map(async ([key, child]) => [key, await referencesAsUrns(child, urns)]),
    );
    return Object.fromEntries(entries);
  }
  return node;
}

/**
 * A dynamic resource's `__provider` input is its provider's serialized code (kilobytes of JavaScript); the
 * plan shows its size and digest instead, so the resource's own inputs stay legible and `--compare` still
 * sees the code change. A secret captured in the code would have made it secret: it then stays `[secret]`.
 */
export function summarizeDynamicProvider(inputs: Record<string, unknown>): Record<string, unknown> {
  const code = inputs.__provider;
  if (typeof code !== "string" || code === SECRET_MASK) return inputs;
  const digest = createHash("sha256").update(code).digest("hex").slice(0, 12);
  return { ...inputs, __provider: `[dynamic provider code: ${code.length} bytes, sha256 ${digest}]` };
}

async function maskOutputs(outputs: Record<string, unknown>): Promise<Record<string, unknown>> {
  const masked: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(outputs)) {
    const output = pulumi.output(value);
    masked[key] = (await pulumi.isSecret(output)) ? SECRET_MASK : await unwrap(pulumi.unsecret(output));
  }
  return masked;
}

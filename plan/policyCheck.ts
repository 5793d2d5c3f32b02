import * as fs from "fs";
import * as path from "path";
import {
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import { packConfigFileName } from "../policy/packConfig";
import { resourcePolicies, stackPolicies } from "../policy/policies";
import { Plan, PlannedResource, timeoutSeconds } from "./plan";
import { configOf, enforcementLevelOf, parsePolicyPackConfig, resolvePolicyPackConfig } from "./policyConfig";
import { UsageError } from "../tools/cli/usageError";
import { PROJECT_DIR } from "../tools/cli/project";

export interface Violation {
  readonly policy: string;
  readonly enforcementLevel: string;
  /** The resource the violation is about; the stack's URN for a stack policy without one. */
  readonly urn: string;
  readonly message: string;
}

export interface PolicyCheckOptions {
  /** The policy config file; default `policy/config.<environment>.json`, the file the stack's preview uses. */
  readonly configFile?: string;
  /** The policies to run; default the pack's. */
  readonly resourcePolicies?: readonly ResourceValidationPolicy[];
  readonly stackPolicies?: readonly StackValidationPolicy[];
  /** Told the name of each policy that calls `getConfig()`. */
  readonly onConfigRead?: (policy: string) => void;
}

/** The policy config file a stack's environment uses (`policy/config.<environment>.json`). */
export function policyConfigFile(plan: Plan): string {
  const environment = String(plan.outputs.environment ?? plan.stack);
  return path.join(PROJECT_DIR, "policy", packConfigFileName(environment));
}

/**
 * The policy pack's rules run over an offline plan, the way the CrossGuard analyzer would run them over a
 * preview: each resource policy sees every resource's inputs and options, each stack policy all of them.
 * Policy config comes from the environment's config file, resolved as the engine resolves it
 * (`policyConfig.ts`): a file the engine would refuse is refused here too, and each policy sees only what
 * the engine would hand it.
 */
export async function checkPolicies(plan: Plan, options: PolicyCheckOptions = {}): Promise<Violation[]> {
  const resourceRules = options.resourcePolicies ?? resourcePolicies;
  const stacks = options.stackPolicies ?? stackPolicies;
  const file = options.configFile ?? policyConfigFile(plan);
  const shown = path.relative(PROJECT_DIR, file).startsWith("..") ? file : path.relative(PROJECT_DIR, file);
  if (!fs.existsSync(file))
    throw new UsageError(
      `${shown} does not exist: each environment's preview needs its policy config ` +
        `(npm run docs generates it from the policy list).`,
    );
  const resolved = resolvePolicyPackConfig(
    [...resourceRules, ...stacks],
    parsePolicyPackConfig(fs.readFileSync(file, "utf8"), shown),
    shown,
  );
  const getConfig = (policy: string) => () => {
    options.onConfigRead?.(policy);
    return configOf(resolved, policy);
  };
  // Components and providers too: CrossGuard sees them (the remote components — eks.Cluster, awsx Vpc —
  // carry the settings; providers are resources to the engine: pulumi/pulumi-policy#323).
  const resources = plan.resources.filter((resource) => resource.type !== "pulumi:pulumi:Stack");
  const violations: Violation[] = [];
  for (const policy of resourceRules) {
    const level = enforcementLevelOf(resolved, policy);
    if (level === "disabled") continue;
    for (const resource of resources) {
      await runResourcePolicy(policy, args(resource, getConfig(policy.name)), (message, urn) =>
        violations.push(violation(policy, level, urn ?? resource.urn, message)),
      );
    }
  }
  for (const policy of stacks) {
    const level = enforcementLevelOf(resolved, policy);
    if (level === "disabled") continue;
    await runStackPolicy(policy, resources, getConfig(policy.name), (message, urn) =>
      violations.push(violation(policy, level, urn ?? plan.resources[0].urn, message)),
    );
  }
  return violations;
}

function violation(
  policy: ResourceValidationPolicy | StackValidationPolicy,
  enforcementLevel: string,
  urn: string,
  message: string,
): Violation {
  return { policy: policy.name, enforcementLevel, urn, message };
}

function args(resource: PlannedResource, config: () => Record<string, unknown>): ResourceValidationArgs {
  return {
    type: resource.type,
    props: resource.inputs,
    urn: resource.urn,
    name: resource.name,
    opts: {
      protect: resource.options.protect,
      ignoreChanges: resource.options.ignoreChanges,
      aliases: [],
      additionalSecretOutputs: [],
      // As the analyzer hands them over: seconds, 0 where the program left the provider's default.
      customTimeouts: {
        createSeconds: timeoutSeconds(resource.options.customTimeouts.create) ?? 0,
        updateSeconds: timeoutSeconds(resource.options.customTimeouts.update) ?? 0,
        deleteSeconds: timeoutSeconds(resource.options.customTimeouts.delete) ?? 0,
      },
    },
    stackTags: new Map(),
    // The AMS policies compare type tokens; typed access through SDK classes is not used offline.
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => config() as T,
    notApplicable: (reason?: string): never => {
      throw new Error(`not applicable: ${reason ?? ""}`);
    },
  };
}

async function runResourcePolicy(
  policy: ResourceValidationPolicy,
  resourceArgs: ResourceValidationArgs,
  report: ReportViolation,
): Promise<void> {
  const validations = [policy.validateResource ?? []].flat();
  for (const validate of validations) await validate(resourceArgs, report);
}

async function runStackPolicy(
  policy: StackValidationPolicy,
  resources: PlannedResource[],
  config: () => Record<string, unknown>,
  report: ReportViolation,
): Promise<void> {
  // The stack arguments mirror what the analyzer builds (resources with the same accessors as above);
  // the policy package's type lists internals (e.g. typed `isType` overloads) the AMS policies never use.
  await policy.validateStack(
    {
      resources: resources.map((resource) => ({
        ...args(resource, config),
        dependencies: [],
        propertyDependencies: {},
      })),
      stackTags: new Map(),
      getConfig: <T extends object>() => config() as T,
      notApplicable: (reason?: string): never => {
        throw new Error(`not applicable: ${reason ?? ""}`);
      },
    } as unknown as Parameters<StackValidationPolicy["validateStack"]>[0],
    report,
  );
}

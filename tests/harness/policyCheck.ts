import {
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import { resourcePolicies, stackPolicies } from "../../policy/policies";
import { Plan, PlannedResource } from "./plan";

export interface Violation {
  readonly policy: string;
  readonly enforcementLevel: string;
  /** The resource the violation is about; the stack's URN for a stack policy without one. */
  readonly urn: string;
  readonly message: string;
}

/**
 * The policy pack's rules run over an offline plan, the way the CrossGuard analyzer would run them over a
 * preview: each resource policy sees every resource's inputs and options, each stack policy all of them.
 * Policy config: the stack's environment.
 */
export async function checkPolicies(plan: Plan): Promise<Violation[]> {
  const config = { environment: String(plan.outputs.environment ?? plan.stack) };
  // Components too: CrossGuard sees them (and the remote ones — eks.Cluster, awsx Vpc — carry the settings).
  const resources = plan.resources.filter(
    (resource) => resource.type !== "pulumi:pulumi:Stack" && !resource.type.startsWith("pulumi:providers:"),
  );
  const violations: Violation[] = [];
  for (const policy of resourcePolicies) {
    for (const resource of resources) {
      await runResourcePolicy(policy, args(resource, config), (message, urn) =>
        violations.push(violation(policy, urn ?? resource.urn, message)),
      );
    }
  }
  for (const policy of stackPolicies) {
    await runStackPolicy(policy, resources, config, (message, urn) =>
      violations.push(violation(policy, urn ?? plan.resources[0].urn, message)),
    );
  }
  return violations;
}

function violation(
  policy: ResourceValidationPolicy | StackValidationPolicy,
  urn: string,
  message: string,
): Violation {
  return { policy: policy.name, enforcementLevel: policy.enforcementLevel ?? "advisory", urn, message };
}

function args(resource: PlannedResource, config: object): ResourceValidationArgs {
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
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    },
    stackTags: new Map(),
    // The AMS policies compare type tokens; typed access through SDK classes is not used offline.
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => config as T,
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
  config: object,
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
      getConfig: <T extends object>() => config as T,
      notApplicable: (reason?: string): never => {
        throw new Error(`not applicable: ${reason ?? ""}`);
      },
    } as unknown as Parameters<StackValidationPolicy["validateStack"]>[0],
    report,
  );
}

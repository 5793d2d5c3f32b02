import { createHash } from "crypto";

/**
 * Plausible provider-computed outputs per resource type, so dependent resources receive realistic inputs
 * (an ARN where an ARN goes, a namespace name where a namespace goes). Deterministic: the same resource
 * gets the same placeholders in every run, so `--compare` shows only real differences.
 */

/** The account every offline ARN is in; obviously not a real one. */
export const MOCK_ACCOUNT_ID = "123456789012";

export interface MockContext {
  readonly region: string;
}

type State = Record<string, unknown>;

export function stableHash(...parts: string[]): string {
  return createHash("sha256").update(parts.join("::")).digest("hex");
}

/** A deterministic UUID-shaped string. */
function mockUuid(seed: string): string {
  const hex = stableHash(seed);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Pulumi's auto-naming: logical name plus a random suffix. */
function autoName(type: string, name: string): string {
  return `${name}-${stableHash(type, name).slice(0, 7)}`;
}

export interface MockResult {
  readonly id: string;
  readonly state: State;
}

export function mockResource(type: string, name: string, inputs: State, ctx: MockContext): MockResult {
  if (type.startsWith("pulumi:providers:")) return { id: mockUuid(type + name), state: inputs };
  if (type.startsWith("kubernetes:")) return kubernetesObject(type, name, inputs);
  if (type.startsWith("aws:")) return awsResource(type, name, inputs, ctx);
  if (type.startsWith("random:")) return randomResource(type, name, inputs);
  return { id: `${name}-${stableHash(type, name).slice(0, 8)}`, state: inputs };
}

function kubernetesObject(type: string, name: string, inputs: State): MockResult {
  const metadata = (inputs.metadata ?? {}) as State;
  const objectName = (metadata.name as string | undefined) ?? autoName(type, name);
  const clusterScoped =
    /:(Namespace|ClusterRole|ClusterRoleBinding|StorageClass|IngressClass|CustomResourceDefinition)$/.test(
      type,
    );
  const namespace = clusterScoped ? undefined : ((metadata.namespace as string | undefined) ?? "default");
  return {
    id: namespace ? `${namespace}/${objectName}` : objectName,
    state: {
      ...inputs,
      metadata: {
        ...metadata,
        name: objectName,
        ...(namespace ? { namespace } : {}),
        uid: mockUuid(type + name),
        resourceVersion: "1",
        creationTimestamp: "2026-01-01T00:00:00Z",
      },
    },
  };
}

function awsResource(type: string, name: string, inputs: State, ctx: MockContext): MockResult {
  const service = type.split(":")[1].split("/")[0];
  const arnPrefix = `arn:aws:${service}:${ctx.region}:${MOCK_ACCOUNT_ID}`;
  const physicalName = (inputs.name as string | undefined) ?? autoName(type, name);
  const tagsAll = { ...((inputs.tags ?? {}) as State) };
  switch (type) {
    case "aws:ssm/parameter:Parameter":
      return {
        id: physicalName,
        state: {
          ...inputs,
          name: physicalName,
          arn: `${arnPrefix}:parameter${physicalName}`,
          version: 1,
          tagsAll,
        },
      };
    case "aws:secretsmanager/secret:Secret": {
      const arn = `${arnPrefix}:secret:${physicalName}-${stableHash(type, name).slice(0, 6)}`;
      return { id: arn, state: { ...inputs, name: physicalName, arn, tagsAll } };
    }
    case "aws:secretsmanager/secretVersion:SecretVersion": {
      const versionId = mockUuid(type + name);
      return {
        id: `${String(inputs.secretId)}|${versionId}`,
        state: { ...inputs, arn: inputs.secretId, versionId, versionStages: ["AWSCURRENT"] },
      };
    }
    default: {
      const resourceType = type.split(":")[2].replace(/^./, (c) => c.toLowerCase());
      return {
        id: physicalName,
        state: {
          ...inputs,
          name: physicalName,
          arn: `${arnPrefix}:${resourceType}/${physicalName}`,
          tagsAll,
        },
      };
    }
  }
}

function randomResource(type: string, name: string, inputs: State): MockResult {
  const length = typeof inputs.length === "number" ? inputs.length : 16;
  const result = stableHash("random", type, name).repeat(4).slice(0, length);
  return { id: "none", state: { ...inputs, result } };
}

/** Answers for the provider functions (invokes) the program calls. */
export function mockInvoke(token: string, inputs: State, ctx: MockContext): State {
  switch (token) {
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return {
        accountId: MOCK_ACCOUNT_ID,
        arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/offline-plan`,
        userId: "AIDAOFFLINEPLAN",
      };
    case "aws:index/getRegion:getRegion":
      return { name: ctx.region, region: ctx.region, id: ctx.region };
    case "aws:index/getPartition:getPartition":
      return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
    case "aws:index/getAvailabilityZones:getAvailabilityZones":
      return {
        names: ["a", "b", "c", "d"].map((zone) => `${ctx.region}${zone}`),
        zoneIds: [1, 2, 3, 4].map((n) => `apne2-az${n}`),
        id: ctx.region,
      };
    default:
      throw new Error(
        `The offline plan has no answer for the invoke ${token} (inputs ${JSON.stringify(inputs)}); ` +
          "add one to tests/harness/mockOutputs.ts.",
      );
  }
}

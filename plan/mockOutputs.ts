import { createHash } from "crypto";

/**
 * Plausible provider-computed outputs per resource type, so dependent resources receive realistic inputs
 * (an ARN where an ARN goes, a namespace name where a namespace goes). Deterministic: the same resource
 * gets the same placeholders in every run, so `--compare` shows only real differences.
 */

/** The account every offline ARN is in: the placeholder the stack files use too (AWS documentation's example account), so one plan shows one account. */
export const MOCK_ACCOUNT_ID = "111122223333";

export interface MockContext {
  readonly region: string;
  /** Outputs a StackReference to this stack answers with: what its previous `pulumi up` exported. */
  readonly previousOutputs: Record<string, unknown>;
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
  // The only stack the program references is itself (its previous outputs, for the live-color guard).
  if (type === "pulumi:pulumi:StackReference") {
    return {
      id: String(inputs.name ?? name),
      state: { ...inputs, outputs: ctx.previousOutputs, secretOutputNames: [] },
    };
  }
  if (type.startsWith("kubernetes:")) return kubernetesObject(type, name, inputs, ctx);
  if (type === "pulumi-nodejs:dynamic/unleash:ClientToken") return unleashClientToken(name, inputs);
  if (type === "eks:index:Cluster") return eksComponent(name, inputs, ctx);
  if (type === "awsx:ec2:Vpc") return awsxVpc(name, inputs, ctx);
  if (type.startsWith("aws:")) return awsResource(type, name, inputs, ctx);
  if (type.startsWith("random:")) return randomResource(type, name, inputs);
  return { id: `${name}-${stableHash(type, name).slice(0, 8)}`, state: inputs };
}

/**
 * `awsx.ec2.Vpc` is a remote component too: one resource under mocks. It answers with the ids its real
 * children would have — one public and one private subnet per availability zone.
 */
/** The zone of each subnet the awsx mock made up, for the `ec2.getSubnet` look-up. */
const subnetZones = new Map<string, string>();
const ZONE_LETTERS = ["a", "b", "c", "d", "e", "f"];

function awsxVpc(name: string, inputs: State, ctx: MockContext): MockResult {
  const hash = stableHash("awsx:ec2:Vpc", name);
  const zones = typeof inputs.numberOfAvailabilityZones === "number" ? inputs.numberOfAvailabilityZones : 3;
  const subnetIds = (kind: string) =>
    Array.from({ length: zones }, (_, zone) => {
      const id = `subnet-0${stableHash(hash, kind, String(zone)).slice(0, 16)}`;
      subnetZones.set(id, `${ctx.region}${ZONE_LETTERS[zone]}`);
      return id;
    });
  const vpcId = `vpc-0${hash.slice(0, 16)}`;
  return {
    id: vpcId,
    state: {
      ...inputs,
      vpcId,
      publicSubnetIds: subnetIds("public"),
      privateSubnetIds: subnetIds("private"),
      isolatedSubnetIds: [],
      subnetLayout: [],
      availabilityZones: ZONE_LETTERS.slice(0, zones).map((zone) => `${ctx.region}${zone}`),
    },
  };
}

/** Unleash answers a new backend token with its secret, `<project>:<environment>.<random>`. */
function unleashClientToken(name: string, inputs: State): MockResult {
  const secret = `${String(inputs.project)}:${String(inputs.environment)}.${stableHash("unleash-token", name)}`;
  return { id: String(inputs.tokenName ?? name), state: { ...inputs, secret } };
}

function helmRelease(name: string, inputs: State): MockResult {
  const namespace = typeof inputs.namespace === "string" ? inputs.namespace : "default";
  const releaseName = typeof inputs.name === "string" ? inputs.name : name;
  return {
    id: `${namespace}/${releaseName}`,
    state: {
      ...inputs,
      status: {
        name: releaseName,
        namespace,
        chart: inputs.chart,
        version: inputs.version,
        revision: 1,
        status: "deployed",
      },
    },
  };
}

/** The DNS name AWS gives an application load balancer: its name, an id, the region. */
function albDnsName(loadBalancerName: string, ctx: MockContext, internal = false): string {
  return `${internal ? "internal-" : ""}${loadBalancerName}-123456789.${ctx.region}.elb.amazonaws.com`;
}

/**
 * An ALB Ingress as the provider's await returns it: only once the Load Balancer Controller wrote the
 * ALB's DNS name into `status.loadBalancer.ingress` (pulumi/pulumi-kubernetes provider/pkg/await/ingress.go).
 * Members of one Ingress group share the ALB the group's `load-balancer-name` names (the AMS groups are
 * named as their ALB).
 */
function ingressStatus(metadata: State, objectName: string, ctx: MockContext): State {
  const annotations = (metadata.annotations ?? {}) as Record<string, string>;
  const loadBalancerName =
    annotations["alb.ingress.kubernetes.io/load-balancer-name"] ??
    annotations["alb.ingress.kubernetes.io/group.name"] ??
    `k8s-${objectName}`;
  const internal = annotations["alb.ingress.kubernetes.io/scheme"] === "internal";
  return { loadBalancer: { ingress: [{ hostname: albDnsName(loadBalancerName, ctx, internal) }] } };
}

function kubernetesObject(type: string, name: string, inputs: State, ctx: MockContext): MockResult {
  if (type === "kubernetes:helm.sh/v3:Release") return helmRelease(name, inputs);
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
      ...(type === "kubernetes:networking.k8s.io/v1:Ingress"
        ? { status: ingressStatus(metadata, objectName, ctx) }
        : {}),
    },
  };
}

/** The name AWS would know the resource by: the one the program gave, else Pulumi's auto-name. */
function physicalNameOf(type: string, name: string, inputs: State): string {
  const given = inputs.name ?? inputs.identifier ?? inputs.clusterIdentifier ?? inputs.replicationGroupId;
  return typeof given === "string" ? given : autoName(type, name);
}

/** `vpc-0a1b2c…`-style ids, for the EC2 resources whose ids have a prefix. */
const EC2_ID_PREFIXES: Readonly<Record<string, string>> = {
  "aws:ec2/vpc:Vpc": "vpc",
  "aws:ec2/subnet:Subnet": "subnet",
  "aws:ec2/securityGroup:SecurityGroup": "sg",
  "aws:ec2/internetGateway:InternetGateway": "igw",
  "aws:ec2/natGateway:NatGateway": "nat",
  "aws:ec2/routeTable:RouteTable": "rtb",
  "aws:ec2/eip:Eip": "eipalloc",
  "aws:ec2/launchTemplate:LaunchTemplate": "lt",
};

type AwsMock = (args: {
  type: string;
  name: string;
  inputs: State;
  ctx: MockContext;
  physical: string;
  hash: string;
}) => {
  id?: string;
  extra: State;
};

/** Per-type outputs: endpoints, URLs and ARNs in the exact shapes AWS returns them. */
const AWS_MOCKS: Readonly<Record<string, AwsMock>> = {
  "aws:ssm/parameter:Parameter": ({ ctx, physical }) => ({
    id: physical,
    extra: { arn: `${regionalArn("ssm", ctx)}:parameter${physical}`, version: 1 },
  }),
  "aws:secretsmanager/secret:Secret": ({ ctx, physical, hash }) => {
    const arn = `${regionalArn("secretsmanager", ctx)}:secret:${physical}-${hash.slice(0, 6)}`;
    return { id: arn, extra: { arn } };
  },
  "aws:secretsmanager/secretVersion:SecretVersion": ({ inputs, hash }) => ({
    id: `${String(inputs.secretId)}|${uuidFrom(hash)}`,
    extra: { arn: inputs.secretId, versionId: uuidFrom(hash), versionStages: ["AWSCURRENT"] },
  }),
  "aws:iam/role:Role": ({ physical, hash }) => ({
    id: physical,
    extra: {
      arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/${physical}`,
      uniqueId: `AROA${hash.slice(0, 17).toUpperCase()}`,
    },
  }),
  "aws:iam/policy:Policy": ({ physical }) => {
    const arn = `arn:aws:iam::${MOCK_ACCOUNT_ID}:policy/${physical}`;
    return { id: arn, extra: { arn, policyId: `ANPA${physical.length}OFFLINE` } };
  },
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": ({ inputs }) => {
    const arn = `arn:aws:iam::${MOCK_ACCOUNT_ID}:oidc-provider/${String(inputs.url).replace(/^https:\/\//, "")}`;
    return { id: arn, extra: { arn } };
  },
  "aws:kms/key:Key": ({ ctx, hash }) => ({
    id: uuidFrom(hash),
    extra: { keyId: uuidFrom(hash), arn: `${regionalArn("kms", ctx)}:key/${uuidFrom(hash)}` },
  }),
  "aws:sqs/queue:Queue": ({ ctx, physical }) => {
    const url = `https://sqs.${ctx.region}.amazonaws.com/${MOCK_ACCOUNT_ID}/${physical}`;
    return { id: url, extra: { url, arn: `${regionalArn("sqs", ctx)}:${physical}` } };
  },
  "aws:sns/topic:Topic": ({ ctx, physical }) => {
    const arn = `${regionalArn("sns", ctx)}:${physical}`;
    return { id: arn, extra: { arn } };
  },
  "aws:ecr/repository:Repository": ({ ctx, physical }) => ({
    id: physical,
    extra: {
      arn: `${regionalArn("ecr", ctx)}:repository/${physical}`,
      registryId: MOCK_ACCOUNT_ID,
      repositoryUrl: `${MOCK_ACCOUNT_ID}.dkr.ecr.${ctx.region}.amazonaws.com/${physical}`,
    },
  }),
  "aws:rds/instance:Instance": ({ inputs, ctx, physical, hash }) => {
    const address = `${physical}.c${hash.slice(0, 11)}.${ctx.region}.rds.amazonaws.com`;
    const port = typeof inputs.port === "number" ? inputs.port : 5432;
    const managed = inputs.manageMasterUserPassword === true;
    return {
      id: physical,
      extra: {
        identifier: physical,
        arn: `${regionalArn("rds", ctx)}:db:${physical}`,
        address,
        port,
        endpoint: `${address}:${port}`,
        resourceId: `db-${hash.slice(0, 26).toUpperCase()}`,
        masterUserSecrets: managed
          ? [
              {
                secretArn: `${regionalArn("secretsmanager", ctx)}:secret:rds!db-${uuidFrom(hash)}-${hash.slice(0, 6)}`,
                secretStatus: "active",
              },
            ]
          : [],
      },
    };
  },
  "aws:rds/cluster:Cluster": ({ inputs, ctx, physical, hash }) => ({
    id: physical,
    extra: {
      clusterIdentifier: physical,
      arn: `${regionalArn("rds", ctx)}:cluster:${physical}`,
      endpoint: `${physical}.cluster-c${hash.slice(0, 11)}.${ctx.region}.rds.amazonaws.com`,
      readerEndpoint: `${physical}.cluster-ro-c${hash.slice(0, 11)}.${ctx.region}.rds.amazonaws.com`,
      port: 5432,
      clusterResourceId: `cluster-${hash.slice(0, 26).toUpperCase()}`,
      engineVersionActual: `${String(inputs.engineVersion)}.4`,
      masterUserSecrets:
        inputs.manageMasterUserPassword === true
          ? [
              {
                secretArn: `${regionalArn("secretsmanager", ctx)}:secret:rds!cluster-${uuidFrom(hash)}-${hash.slice(0, 6)}`,
                secretStatus: "active",
              },
            ]
          : [],
    },
  }),
  "aws:rds/clusterInstance:ClusterInstance": ({ ctx, physical, hash }) => ({
    id: physical,
    extra: {
      identifier: physical,
      arn: `${regionalArn("rds", ctx)}:db:${physical}`,
      endpoint: `${physical}.c${hash.slice(0, 11)}.${ctx.region}.rds.amazonaws.com`,
      port: 5432,
      dbiResourceId: `db-${hash.slice(0, 26).toUpperCase()}`,
    },
  }),
  "aws:docdb/cluster:Cluster": ({ inputs, ctx, physical, hash }) => ({
    id: physical,
    extra: {
      masterUserSecrets:
        inputs.manageMasterUserPassword === true
          ? [
              {
                secretArn: `${regionalArn("secretsmanager", ctx)}:secret:docdb!cluster-${uuidFrom(hash)}-${hash.slice(0, 6)}`,
                secretStatus: "active",
              },
            ]
          : [],
      clusterIdentifier: physical,
      arn: `${regionalArn("rds", ctx)}:cluster:${physical}`,
      endpoint: `${physical}.cluster-c${hash.slice(0, 11)}.${ctx.region}.docdb.amazonaws.com`,
      readerEndpoint: `${physical}.cluster-ro-c${hash.slice(0, 11)}.${ctx.region}.docdb.amazonaws.com`,
      port: 27017,
    },
  }),
  "aws:elasticache/replicationGroup:ReplicationGroup": ({ ctx, physical, hash }) => ({
    id: physical,
    extra: {
      arn: `${regionalArn("elasticache", ctx)}:replicationgroup:${physical}`,
      primaryEndpointAddress: `master.${physical}.${hash.slice(0, 6)}.${cacheRegionCode(ctx.region)}.cache.amazonaws.com`,
      readerEndpointAddress: `replica.${physical}.${hash.slice(0, 6)}.${cacheRegionCode(ctx.region)}.cache.amazonaws.com`,
      port: 6379,
    },
  }),
  "aws:eks/cluster:Cluster": ({ ctx, physical, hash }) => ({
    id: physical,
    extra: {
      arn: `${regionalArn("eks", ctx)}:cluster/${physical}`,
      ...eksEndpoints(ctx, hash),
    },
  }),
};

function awsResource(type: string, name: string, inputs: State, ctx: MockContext): MockResult {
  const physical = physicalNameOf(type, name, inputs);
  const hash = stableHash(type, name);
  const tagsAll = { ...((inputs.tags ?? {}) as State) };
  const prefix = EC2_ID_PREFIXES[type];
  const mock: AwsMock =
    AWS_MOCKS[type] ??
    (() => {
      const id = prefix ? `${prefix}-0${hash.slice(0, 16)}` : physical;
      const resourceType = type.split(":")[2].replace(/^./, (c) => c.toLowerCase());
      return {
        id,
        extra: { arn: `${regionalArn(type.split(":")[1].split("/")[0], ctx)}:${resourceType}/${id}` },
      };
    });
  const { id, extra } = mock({ type, name, inputs, ctx, physical, hash });
  return {
    id: id ?? physical,
    state: { ...inputs, ...(prefix ? {} : { name: physical }), tagsAll, ...extra },
  };
}

/** Availability-zone id prefix: `ap-northeast-2` → `apne2`, `us-east-1` → `use1`. */
function zoneIdPrefix(region: string): string {
  const [area, direction, number] = region.split("-");
  const short = direction.replace(/north|south|east|west|central/g, (word) => word[0]);
  return `${area}${short}${number}`;
}

/** ElastiCache's endpoint region code: `ap-northeast-2` → `apn2`. */
function cacheRegionCode(region: string): string {
  const [area, direction, number] = region.split("-");
  return `${area}${direction[0]}${number}`;
}

function regionalArn(service: string, ctx: MockContext): string {
  return `arn:aws:${service}:${ctx.region}:${MOCK_ACCOUNT_ID}`;
}

function uuidFrom(hash: string): string {
  return mockUuid(hash);
}

/** An EKS API endpoint, CA and OIDC issuer in the shapes the EKS API returns. */
function eksEndpoints(ctx: MockContext, hash: string): State {
  const clusterId = hash.slice(0, 32).toUpperCase();
  return {
    endpoint: `https://${clusterId}.gr7.${ctx.region}.eks.amazonaws.com`,
    certificateAuthority: { data: Buffer.from(`offline-plan-ca-${hash.slice(0, 8)}`).toString("base64") },
    identities: [{ oidcs: [{ issuer: `https://oidc.eks.${ctx.region}.amazonaws.com/id/${clusterId}` }] }],
  };
}

/**
 * `eks.Cluster` is a remote component: under mocks it registers as one resource with no children, so it
 * answers with the scalar outputs the program reads (kubeconfig included, as the real component builds it).
 */
function eksComponent(name: string, inputs: State, ctx: MockContext): MockResult {
  const hash = stableHash("eks:index:Cluster", name);
  const clusterName = typeof inputs.name === "string" ? inputs.name : autoName("eks:index:Cluster", name);
  const endpoints = eksEndpoints(ctx, hash);
  const issuer = ((endpoints.identities as State[])[0].oidcs as State[])[0].issuer as string;
  const kubeconfig = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: clusterName,
        cluster: {
          server: endpoints.endpoint,
          "certificate-authority-data": (endpoints.certificateAuthority as State).data,
        },
      },
    ],
    contexts: [{ name: "aws", context: { cluster: clusterName, user: "aws" } }],
    "current-context": "aws",
    users: [
      {
        name: "aws",
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "aws",
            args: ["eks", "get-token", "--cluster-name", clusterName, "--region", ctx.region],
          },
        },
      },
    ],
  };
  return {
    id: clusterName,
    state: {
      ...inputs,
      kubeconfig,
      kubeconfigJson: JSON.stringify(kubeconfig),
      clusterSecurityGroupId: `sg-0${hash.slice(0, 16)}`,
      nodeSecurityGroupId: `sg-0${hash.slice(16, 32)}`,
      oidcProviderArn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:oidc-provider/${issuer.replace(/^https:\/\//, "")}`,
      // As @pulumi/eks documents them: the provider URL is the issuer as EKS reports it (with https://),
      // `oidcIssuer` is the same without the scheme, the form IAM condition keys use.
      oidcProviderUrl: issuer,
      oidcIssuer: issuer.replace(/^https:\/\//, ""),
      eksCluster: {
        name: clusterName,
        arn: `${regionalArn("eks", ctx)}:cluster/${clusterName}`,
        ...endpoints,
      },
    },
  };
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
    case "aws:lb/getLoadBalancer:getLoadBalancer": {
      // The controller-created ALB, as the look-up finds it once the public entry has an address.
      const name = String(inputs.name);
      const suffix = `app/${name}/0123456789abcdef`;
      return {
        name,
        arnSuffix: suffix,
        arn: `arn:aws:elasticloadbalancing:${ctx.region}:${MOCK_ACCOUNT_ID}:loadbalancer/${suffix}`,
        dnsName: albDnsName(name, ctx),
        id: name,
      };
    }
    case "aws:ec2/getSubnet:getSubnet": {
      const zone = subnetZones.get(String(inputs.id));
      if (!zone) throw new Error(`The offline plan made up no subnet ${String(inputs.id)}`);
      return { id: inputs.id, availabilityZone: zone, vpcId: "vpc-offline" };
    }
    case "aws:index/getAvailabilityZones:getAvailabilityZones":
      return {
        names: ["a", "b", "c", "d"].map((zone) => `${ctx.region}${zone}`),
        zoneIds: [1, 2, 3, 4].map((n) => `${zoneIdPrefix(ctx.region)}-az${n}`),
        id: ctx.region,
      };
    case "github:index/getTeam:getTeam": {
      // A team as GitHub's API finds it by slug; `id` is its numeric id, as a string.
      const slug = String(inputs.slug);
      const id = String(parseInt(stableHash("github-team", slug).slice(0, 7), 16));
      return { id, slug, name: slug, nodeId: `T_${stableHash("node", slug).slice(0, 12)}`, members: [] };
    }
    default:
      throw new Error(
        `The offline plan has no answer for the invoke ${token} (inputs ${JSON.stringify(inputs)}); ` +
          "add one to plan/mockOutputs.ts.",
      );
  }
}

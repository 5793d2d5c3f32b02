import { BlockReader } from "./block";
import { ProblemList } from "./errors";
import {
  isHostName,
  isIpv4Cidr,
  readBoolean,
  readEnum,
  readInteger,
  readMatching,
  readStringArray,
} from "./fields";
import { RawConfig } from "./rawConfig";
import {
  CAPACITY_TYPES,
  CiClusterAccess,
  CLUSTER_LOG_TYPES,
  ClusterConfig,
  ClusterLogType,
  EnvironmentName,
  NAT_GATEWAY_STRATEGIES,
  NetworkConfig,
  NodeGroupConfig,
  PublicEntryConfig,
} from "./types";

/** `m6i.large`, `c7g.2xlarge`, `m7i-flex.xlarge`, `r6id.metal`: family (with a generation digit), size. */
const INSTANCE_TYPE =
  /^[a-z]+\d[a-z0-9-]*\.(nano|micro|small|medium|large|xlarge|[1-9]\d*xlarge|metal(-\d+xl)?)$/;
const INSTANCE_TYPE_FORMAT = 'an EC2 instance type such as "m6i.large" or "c7g.2xlarge"';
const KUBERNETES_VERSION = /^1\.(2[89]|3\d)$/;
const IAM_PRINCIPAL = /^arn:aws(-cn|-us-gov)?:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/;
const IAM_ROLE = /^arn:aws(-cn|-us-gov)?:iam::\d{12}:role\/(?!aws-reserved\/)[\w+=,.@/-]+$/;
const IAM_ROLE_FORMAT = "an IAM role ARN such as arn:aws:iam::111122223333:role/ams-prod-pulumi-deploy";
const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

export function readNetwork(raw: RawConfig, problems: ProblemList): NetworkConfig | undefined {
  const cidr = readMatching(
    raw,
    problems,
    "vpcCidr",
    (value) => isIpv4Cidr(value, 16, 20),
    'an IPv4 CIDR from /16 to /20 with no host bits set, such as "10.20.0.0/16"',
  );
  const availabilityZones = readInteger(raw, problems, "availabilityZones", { min: 2, max: 6 });
  const natGateways = readEnum(raw, problems, "natGateways", NAT_GATEWAY_STRATEGIES);
  const flowLogs = readBoolean(raw, problems, "vpcFlowLogs");
  if (!cidr || availabilityZones === undefined || !natGateways || flowLogs === undefined) return undefined;
  return { cidr, availabilityZones, natGateways, flowLogs };
}

export function readCluster(
  raw: RawConfig,
  problems: ProblemList,
  environment: EnvironmentName | undefined,
): ClusterConfig | undefined {
  const kubernetesVersion = readMatching(
    raw,
    problems,
    "kubernetesVersion",
    (v) => KUBERNETES_VERSION.test(v),
    'an EKS Kubernetes minor version from 1.28 to 1.39, such as "1.33"',
  );
  const adminPrincipalArns = readStringArray(
    raw,
    problems,
    "clusterAdmins",
    "an IAM role or user ARN such as arn:aws:iam::111122223333:role/platform-admin (for an IAM Identity Center role, the ARN without its aws-reserved/sso.amazonaws.com/ path, as EKS access entries require)",
    (arn) => IAM_PRINCIPAL.test(arn) && !arn.includes("/aws-reserved/"),
  );
  const publicAccessCidrs = readStringArray(
    raw,
    problems,
    "clusterPublicAccessCidrs",
    'an IPv4 CIDR such as "203.0.113.0/24"',
    (cidr) => isIpv4Cidr(cidr),
  );
  const logTypes = readStringArray(
    raw,
    problems,
    "clusterLogTypes",
    `one of ${CLUSTER_LOG_TYPES.join(", ")}`,
    (type) => (CLUSTER_LOG_TYPES as readonly string[]).includes(type),
  ) as ClusterLogType[] | undefined;
  if (logTypes && environment === "prod" && logTypes.length < CLUSTER_LOG_TYPES.length) {
    problems.add(
      "clusterLogTypes",
      logTypes,
      `all of ${CLUSTER_LOG_TYPES.join(", ")} in prod, where every control-plane action must be auditable`,
    );
  }
  const nodeGroup = readNodeGroup(raw, problems, environment);
  const ciAccess = readCiClusterAccess(raw, problems, adminPrincipalArns ?? []);
  if (!kubernetesVersion || !adminPrincipalArns || !publicAccessCidrs || !logTypes || !nodeGroup || !ciAccess)
    return undefined;
  return { kubernetesVersion, adminPrincipalArns, publicAccessCidrs, logTypes, nodeGroup, ciAccess };
}

/**
 * The automation's roles. EKS holds one access entry per IAM principal (CreateAccessEntry answers
 * ResourceInUseException for a second one), so no role may appear twice, nor also be a cluster admin.
 */
function readCiClusterAccess(
  raw: RawConfig,
  problems: ProblemList,
  admins: readonly string[],
): CiClusterAccess | undefined {
  const block = BlockReader.of(raw, problems, "ciClusterAccess", ["deployRoleArn", "previewRoleArns"]);
  if (!block) return undefined;
  const deployRoleArn = block.string(
    "deployRoleArn",
    (arn) => arn === "" || IAM_ROLE.test(arn),
    `${IAM_ROLE_FORMAT}, or "" for no automated deploys`,
  );
  const previewRoleArns = block.stringList("previewRoleArns", IAM_ROLE_FORMAT, (arn) => IAM_ROLE.test(arn));
  if (!block.complete || previewRoleArns === undefined) return undefined;
  const seen = new Set<string>(admins);
  const entries: [string, string][] = [
    ...(deployRoleArn === "" ? [] : ([["deployRoleArn", deployRoleArn]] as [string, string][])),
    ...previewRoleArns.map((arn, index): [string, string] => [`previewRoleArns[${index}]`, arn]),
  ];
  let ok = true;
  for (const [field, arn] of entries) {
    if (seen.has(arn)) {
      problems.add(
        `ciClusterAccess.${field}`,
        arn,
        "a role not listed in clusterAdmins nor elsewhere in ciClusterAccess (EKS allows one access entry per principal)",
      );
      ok = false;
    }
    seen.add(arn);
  }
  if (!ok) return undefined;
  return { deployRoleArn: deployRoleArn === "" ? undefined : deployRoleArn, previewRoleArns };
}

const NODE_GROUP_FIELDS = [
  "instanceTypes",
  "minSize",
  "desiredSize",
  "maxSize",
  "diskSizeGib",
  "capacityType",
];

function readNodeGroup(
  raw: RawConfig,
  problems: ProblemList,
  environment: EnvironmentName | undefined,
): NodeGroupConfig | undefined {
  const block = BlockReader.of(raw, problems, "nodeGroup", NODE_GROUP_FIELDS);
  if (!block) return undefined;
  let instanceTypes = block.list("instanceTypes", INSTANCE_TYPE_FORMAT, (type) => INSTANCE_TYPE.test(type));
  // A node per AZ at least in prod, so losing a node (or a zone) never leaves the cluster without capacity.
  const minFloor = environment === "prod" ? 2 : 1;
  const minSize = block.integer("minSize", { min: minFloor, max: 100 });
  const maxSize = block.integer("maxSize", { min: Math.max(minSize ?? 1, 1), max: 100 });
  const desiredSize = block.integer("desiredSize", { min: minSize ?? 1, max: maxSize ?? 100 });
  const diskSizeGib = block.integer("diskSizeGib", { min: 20, max: 1000 });
  const capacityType = block.oneOf("capacityType", CAPACITY_TYPES);
  if (instanceTypes && new Set(instanceTypes.map(architectureOf)).size > 1) {
    block.reject(
      "instanceTypes",
      "instance types of one CPU architecture (all Graviton/arm64 or all x86_64): a node group runs one AMI",
    );
    instanceTypes = undefined;
  }
  if (!block.complete || !instanceTypes) return undefined;
  return {
    instanceTypes,
    minSize,
    desiredSize,
    maxSize,
    diskSizeGib,
    capacityType,
  };
}

/** `m6g.large`, `c7gn.xlarge`, `t4g.small`, `a1.large` → arm64 (Graviton); everything else x86_64. */
export function architectureOf(instanceType: string): "arm64" | "x86_64" {
  const [family] = instanceType.split(".");
  const generationSuffix = family.replace(/^[a-z]+\d+/, "");
  return family === "a1" || generationSuffix.includes("g") ? "arm64" : "x86_64";
}

/** An ACM certificate in the stack's region: an ALB can only use a certificate from its own region. */
export function acmCertificateArnPattern(region: string | undefined): RegExp {
  return new RegExp(`^arn:aws(-cn|-us-gov)?:acm:${region ?? "[a-z0-9-]+"}:\\d{12}:certificate/${UUID}$`);
}

export function readPublicEntry(
  raw: RawConfig,
  problems: ProblemList,
  region: string | undefined,
): PublicEntryConfig | undefined {
  const inRegion = region ?? "[a-z0-9-]+";
  const apiHost = readMatching(
    raw,
    problems,
    "apiHost",
    (host) => isHostName(host),
    'a DNS host name such as "api.dev.ams.example.com"',
  );
  const certificateArn = readMatching(
    raw,
    problems,
    "acmCertificateArn",
    (arn) => acmCertificateArnPattern(region).test(arn),
    `an ACM certificate ARN in the stack's region (${region}), such as arn:aws:acm:${region}:111122223333:certificate/<uuid>; an ALB can only use a certificate from its own region`,
  );
  const wafAclArn = raw.get("wafAclArn") ?? "";
  const wafPattern = new RegExp(
    `^arn:aws(-cn|-us-gov)?:wafv2:${inRegion}:\\d{12}:regional/webacl/[\\w-]+/${UUID}$`,
  );
  if (wafAclArn !== "" && !wafPattern.test(wafAclArn)) {
    problems.add("wafAclArn", wafAclArn, `a regional WAFv2 web ACL ARN in ${region}, or "" for none`);
  }
  const deregistrationDelaySeconds = readInteger(raw, problems, "deregistrationDelaySeconds", {
    min: 0,
    max: 3600,
  });
  if (!apiHost || !certificateArn || deregistrationDelaySeconds === undefined) return undefined;
  return {
    apiHost,
    certificateArn,
    wafAclArn: wafAclArn === "" ? undefined : wafAclArn,
    deregistrationDelaySeconds,
  };
}

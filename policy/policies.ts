import {
  EnforcementLevel,
  ReportViolation,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import { awsResourcePolicies, awsStackPolicies } from "./awsRules";
import { deliveryResourcePolicies, deliveryStackPolicies } from "./deliveryPolicies";
import { eksNoCreatorAdmin } from "./eksCreatorAdmin";
import { kubernetesConfigMapsInPlace } from "./kubernetesProvider";
import { featureFlagPolicies } from "./featureFlagPolicies";
import { iamRoleBoundary } from "./iamRoleBoundary";
import { parameterGroupFamily } from "./parameterGroupFamily";
import { configSchema, isProd, PolicyConfig } from "./policyConfig";

/**
 * The AMS governance rules as CrossGuard policies. Exported as plain objects (constructing a `PolicyPack`
 * starts a gRPC server), so the offline plan and the tests can run them over a planned stack.
 *
 * Policy config: `environment` (dev | staging | prod). Dev may be cheaper, never insecure: encryption and
 * exposure rules hold everywhere; backup, deletion-protection and Multi-AZ rules hold in prod.
 */

type Props = Record<string, unknown>;
export { configSchema, isProd } from "./policyConfig";
export type { PolicyConfig } from "./policyConfig";

/** Containers of a Deployment, Rollout or Job (their pod template). */
function podContainers(type: string, props: Props): Props[] {
  const workloadTypes = [
    "kubernetes:apps/v1:Deployment",
    "kubernetes:argoproj.io/v1alpha1:Rollout",
    "kubernetes:batch/v1:Job",
  ];
  if (!workloadTypes.includes(type)) return [];
  const template = (
    props.spec as { template?: { spec?: { containers?: Props[]; initContainers?: Props[] } } }
  )?.template;
  return [...(template?.spec?.containers ?? []), ...(template?.spec?.initContainers ?? [])];
}

const SECRET_NAME = /(PASSWORD|SECRET|TOKEN|PRIVATE_KEY|SDK_KEY|API_KEY|CREDENTIAL)/i;

export const prodStatefulEncrypted: ResourceValidationPolicy = {
  name: "ams-stateful-encrypted",
  description:
    "Data at rest is encrypted in every environment: a snapshot or a disk that leaves AWS stays unreadable.",
  enforcementLevel: "mandatory",
  configSchema,
  validateResource: (args, report) => {
    const p = args.props as Props;
    const fail = (what: string) => report(`${args.name}: ${what}`);
    switch (args.type) {
      case "aws:rds/instance:Instance":
      case "aws:rds/cluster:Cluster":
        if (p.storageEncrypted !== true) fail("storageEncrypted must be true");
        break;
      case "aws:docdb/cluster:Cluster":
        if (p.storageEncrypted !== true) fail("storageEncrypted must be true");
        break;
      case "aws:elasticache/replicationGroup:ReplicationGroup":
        if (p.atRestEncryptionEnabled !== true || p.transitEncryptionEnabled !== true)
          fail("encryption at rest and in transit must be on");
        break;
      case "aws:sqs/queue:Queue":
        if (p.sqsManagedSseEnabled !== true && !p.kmsMasterKeyId) fail("server-side encryption must be on");
        break;
      case "aws:ecr/repository:Repository":
        if (!Array.isArray(p.encryptionConfigurations) || p.encryptionConfigurations.length === 0)
          fail("KMS encryption must be configured");
        break;
    }
  },
};

export const prodStatefulBackedUp: ResourceValidationPolicy = {
  name: "ams-prod-backups",
  description:
    "Prod data stores keep at least 7 days of backups, so a bad deploy or migration can be undone.",
  enforcementLevel: "mandatory",
  configSchema,
  validateResource: (args, report) => {
    if (!isProd(() => args.getConfig<PolicyConfig>())) return;
    const p = args.props as Props;
    const days = (key: string) => Number(p[key] ?? 0);
    if (
      args.type === "aws:rds/instance:Instance" &&
      !p.replicateSourceDb &&
      days("backupRetentionPeriod") < 7
    ) {
      report(
        `${args.name}: backupRetentionPeriod is ${p.backupRetentionPeriod ?? 0}; prod needs at least 7 days`,
      );
    }
    if (
      ["aws:docdb/cluster:Cluster", "aws:rds/cluster:Cluster"].includes(args.type) &&
      days("backupRetentionPeriod") < 7
    ) {
      report(
        `${args.name}: backupRetentionPeriod is ${p.backupRetentionPeriod ?? 0}; prod needs at least 7 days`,
      );
    }
    if (
      args.type === "aws:elasticache/replicationGroup:ReplicationGroup" &&
      days("snapshotRetentionLimit") < 1
    ) {
      report(`${args.name}: snapshotRetentionLimit must be at least 1 in prod`);
    }
  },
};

export const prodStatefulProtected: ResourceValidationPolicy = {
  name: "ams-prod-deletion-protection",
  description:
    "No deploy can delete prod data: databases have deletion protection and every stateful resource is Pulumi-protected.",
  enforcementLevel: "mandatory",
  configSchema,
  validateResource: (args, report) => {
    if (!isProd(() => args.getConfig<PolicyConfig>())) return;
    const stateful = [
      "aws:rds/instance:Instance",
      "aws:rds/cluster:Cluster",
      "aws:docdb/cluster:Cluster",
      "aws:elasticache/replicationGroup:ReplicationGroup",
      "aws:sqs/queue:Queue",
      "aws:ecr/repository:Repository",
      "aws:secretsmanager/secret:Secret",
    ];
    if (!stateful.includes(args.type)) return;
    if (args.opts.protect !== true) report(`${args.name}: must be protected (protect: true) in prod`);
    const p = args.props as Props;
    if (
      ["aws:rds/instance:Instance", "aws:rds/cluster:Cluster", "aws:docdb/cluster:Cluster"].includes(
        args.type,
      ) &&
      p.deletionProtection !== true
    ) {
      report(`${args.name}: deletionProtection must be true in prod`);
    }
  },
};

export const prodMultiAz: ResourceValidationPolicy = {
  name: "ams-prod-multi-az",
  description: "Prod data stores survive the loss of an availability zone.",
  enforcementLevel: "mandatory",
  configSchema,
  validateResource: (args, report) => {
    if (!isProd(() => args.getConfig<PolicyConfig>())) return;
    const p = args.props as Props;
    if (args.type === "aws:rds/instance:Instance" && !p.replicateSourceDb && p.multiAz !== true) {
      report(`${args.name}: multiAz must be true in prod`);
    }
    if (args.type === "aws:elasticache/replicationGroup:ReplicationGroup" && p.multiAzEnabled !== true) {
      report(`${args.name}: multiAzEnabled must be true in prod`);
    }
  },
};

export const noPublicExposure: ResourceValidationPolicy = {
  name: "ams-no-public-data-stores",
  description:
    "No data store is publicly reachable, and only the ALB's ports 80/443 may be open to the internet.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    const p = args.props as Props;
    if (
      ["aws:rds/instance:Instance", "aws:rds/clusterInstance:ClusterInstance"].includes(args.type) &&
      p.publiclyAccessible === true
    )
      report(`${args.name}: publiclyAccessible must be false`);
    const openToWorld = (cidr: unknown) => cidr === "0.0.0.0/0" || cidr === "::/0";
    const allowedPort = (from: unknown, to: unknown) => from === to && (from === 80 || from === 443);
    if (args.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") {
      if ((openToWorld(p.cidrIpv4) || openToWorld(p.cidrIpv6)) && !allowedPort(p.fromPort, p.toPort)) {
        report(`${args.name}: opens ports ${p.fromPort}-${p.toPort} to the internet; only 80/443 may be`);
      }
    }
    if (args.type === "aws:ec2/securityGroup:SecurityGroup") {
      for (const rule of (p.ingress as Props[] | undefined) ?? []) {
        const blocks = [
          ...((rule.cidrBlocks as string[]) ?? []),
          ...((rule.ipv6CidrBlocks as string[]) ?? []),
        ];
        if (blocks.some(openToWorld) && !allowedPort(rule.fromPort, rule.toPort)) {
          report(
            `${args.name}: opens ports ${rule.fromPort}-${rule.toPort} to the internet; only 80/443 may be`,
          );
        }
      }
    }
  },
};

export const eksHardened: ResourceValidationPolicy = {
  name: "ams-eks-hardened",
  description:
    "EKS seals Kubernetes secrets with KMS, nodes require IMDSv2 (pods cannot take node credentials), and prod logs every control-plane action.",
  enforcementLevel: "mandatory",
  configSchema,
  validateResource: (args, report) => {
    const p = args.props as Props;
    if (args.type === "eks:index:Cluster") {
      if (!p.encryptionConfigKeyArn)
        report(`${args.name}: encryptionConfigKeyArn (secrets encryption) must be set`);
      const logs = (p.enabledClusterLogTypes as string[] | undefined) ?? [];
      const all = ["api", "audit", "authenticator", "controllerManager", "scheduler"];
      if (isProd(() => args.getConfig<PolicyConfig>()) && !all.every((type) => logs.includes(type))) {
        report(`${args.name}: prod must enable every control-plane log type (${all.join(", ")})`);
      }
    }
    if (args.type === "aws:ec2/launchTemplate:LaunchTemplate") {
      const metadata = p.metadataOptions as Props | undefined;
      if (metadata?.httpTokens !== "required")
        report(`${args.name}: metadataOptions.httpTokens must be "required" (IMDSv2)`);
    }
    if (args.type === "eks:index:ManagedNodeGroup" && !p.launchTemplate && p.enableIMDSv2 !== true) {
      report(
        `${args.name}: nodes must require IMDSv2 (a launch template with httpTokens required, or enableIMDSv2)`,
      );
    }
  },
};

export const workloadImages: ResourceValidationPolicy = {
  name: "ams-workload-images",
  description:
    "AMS pods run images from this environment's ECR repositories, by an immutable version — never `latest`.",
  enforcementLevel: "mandatory",
  configSchema,
  validateResource: (args, report) => {
    const { environment } = args.getConfig<Required<PolicyConfig>>();
    const p = args.props as Props;
    const labels = ((p.metadata as Props | undefined)?.labels ?? {}) as Record<string, string>;
    // The smoke test (curl) and the database user bootstrap (psql, mongosh) run public client images.
    const ownImage =
      labels["app.kubernetes.io/part-of"] === "ams" &&
      !["smoke-test", "database-users"].includes(labels["app.kubernetes.io/component"]);
    for (const container of podContainers(args.type, p)) {
      const image = String(container.image ?? "");
      const tag = image.includes(":") ? image.slice(image.lastIndexOf(":") + 1) : "";
      if (tag === "" || tag === "latest")
        report(`${args.name}: image ${image} must name a version, not latest`);
      if (
        ownImage &&
        !new RegExp(`^\\d{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com/${environment}/`).test(image)
      ) {
        report(`${args.name}: image ${image} must come from the ${environment} ECR repositories`);
      }
    }
  },
};

export const workloadPods: ResourceValidationPolicy = {
  name: "ams-workload-pods",
  description:
    "Every long-running container has readiness and liveness probes and resource requests and limits; no container is privileged; secrets are never plain env values or ConfigMap data.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    const p = args.props as Props;
    const longRunning = args.type !== "kubernetes:batch/v1:Job";
    for (const container of podContainers(args.type, p)) {
      const name = `${args.name}/${String(container.name)}`;
      if (longRunning && (!container.readinessProbe || !container.livenessProbe))
        report(`${name}: needs readiness and liveness probes`);
      const resources = (container.resources ?? {}) as { requests?: Props; limits?: Props };
      if (!resources.requests || !resources.limits) report(`${name}: needs resource requests and limits`);
      if ((container.securityContext as Props | undefined)?.privileged === true)
        report(`${name}: must not be privileged`);
      for (const env of (container.env as { name: string; value?: unknown }[] | undefined) ?? []) {
        if (SECRET_NAME.test(env.name) && env.value !== undefined)
          report(`${name}: ${env.name} is a secret in a plain env value; use a Secret`);
      }
    }
    if (args.type === "kubernetes:core/v1:ConfigMap") {
      for (const key of Object.keys((p.data as Props | undefined) ?? {})) {
        if (SECRET_NAME.test(key))
          report(`${args.name}: ConfigMap key ${key} looks like a secret; use a Secret`);
      }
    }
  },
};

export const devCostHints: ResourceValidationPolicy = {
  name: "ams-dev-cost-hints",
  description:
    "Dev is for iterating: per-zone NAT gateways and Multi-AZ databases there cost prod money for no rehearsal value.",
  enforcementLevel: "advisory",
  configSchema,
  validateResource: (args, report) => {
    if (args.getConfig<PolicyConfig>().environment !== "dev") return;
    const p = args.props as Props;
    if (args.type === "awsx:ec2:Vpc" && (p.natGateways as Props | undefined)?.strategy === "OnePerAz") {
      report(`${args.name}: a NAT gateway per zone in dev; natGateways: single is enough`);
    }
    if (args.type === "aws:rds/instance:Instance" && p.multiAz === true)
      report(`${args.name}: Multi-AZ in dev doubles its cost`);
  },
};

/** Blue-green consistency across the release's objects. */
export const blueGreenConsistent: StackValidationPolicy = {
  name: "ams-blue-green-consistent",
  description:
    "A blue-green service always has both colors, its stable Service selects exactly one color, and its ALB weights sum to 100 — else a flip or a rollback has nowhere to go.",
  enforcementLevel: "mandatory",
  validateStack: (args, report: ReportViolation) => {
    // While a strategy switch retires blue-green, its colors still run but no longer route: the weighted
    // ALB action is what makes a stack blue-green.
    const routesByColor = args.resources.some(
      (r) =>
        r.type === "kubernetes:networking.k8s.io/v1:Ingress" &&
        Object.keys(((r.props.metadata as Props | undefined)?.annotations ?? {}) as Props).some((key) =>
          /^alb\.ingress\.kubernetes\.io\/actions\..*-weighted$/.test(key),
        ),
    );
    const deployments = routesByColor
      ? args.resources.filter((r) => r.type === "kubernetes:apps/v1:Deployment")
      : [];
    const colorOf = (r: { props: Props }) =>
      ((r.props.metadata as Props | undefined)?.labels as Record<string, string> | undefined)?.[
        "ams.io/color"
      ];
    const services = new Map<string, Set<string>>();
    for (const deployment of deployments) {
      const color = colorOf(deployment);
      if (!color) continue;
      const app = ((deployment.props.metadata as Props).labels as Record<string, string>)[
        "app.kubernetes.io/name"
      ];
      services.set(app, (services.get(app) ?? new Set()).add(color));
    }
    for (const [app, colors] of services) {
      if (!(colors.has("blue") && colors.has("green")))
        report(`${app}: both colors must exist (found ${[...colors].join(", ")})`);
      const stable = args.resources.find(
        (r) =>
          r.type === "kubernetes:core/v1:Service" && (r.props.metadata as Props | undefined)?.name === app,
      );
      const selected = (stable?.props.spec as { selector?: Record<string, string> } | undefined)?.selector?.[
        "ams.io/color"
      ];
      if (stable && !["blue", "green"].includes(String(selected)))
        report(`${app}: the stable Service must select exactly one color`);
    }
    for (const ingress of args.resources.filter(
      (r) => r.type === "kubernetes:networking.k8s.io/v1:Ingress",
    )) {
      const annotations = ((ingress.props.metadata as Props | undefined)?.annotations ?? {}) as Record<
        string,
        string
      >;
      for (const [key, value] of Object.entries(annotations)) {
        if (!key.startsWith("alb.ingress.kubernetes.io/actions.") || !key.endsWith("-weighted")) continue;
        const groups =
          (JSON.parse(value) as { forwardConfig?: { targetGroups?: { weight?: number }[] } }).forwardConfig
            ?.targetGroups ?? [];
        const total = groups.reduce((sum, group) => sum + (group.weight ?? 0), 0);
        if (total !== 100) report(`${ingress.name}: ${key} weights sum to ${total}, not 100`);
      }
    }
  },
};

export const resourcePolicies: ResourceValidationPolicy[] = [
  iamRoleBoundary,
  prodStatefulEncrypted,
  prodStatefulBackedUp,
  prodStatefulProtected,
  prodMultiAz,
  noPublicExposure,
  eksHardened,
  eksNoCreatorAdmin,
  kubernetesConfigMapsInPlace,
  workloadImages,
  workloadPods,
  devCostHints,
  ...awsResourcePolicies,
  ...deliveryResourcePolicies,
  ...featureFlagPolicies,
];
export const stackPolicies: StackValidationPolicy[] = [
  blueGreenConsistent,
  parameterGroupFamily,
  ...awsStackPolicies,
  ...deliveryStackPolicies,
];
export const amsPolicies = [...resourcePolicies, ...stackPolicies];

export type { EnforcementLevel };

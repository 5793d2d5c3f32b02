import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { AURORA_INSTANCE_CLASS, ROTATING_SOURCE_LABEL } from "./awsFacts";
import { configSchema, isProd, PolicyConfig } from "./policyConfig";

/**
 * Rules AWS itself enforces (a stack that breaks them fails its `pulumi up` halfway) and the data-keeping
 * rules of staging and prod. Each names the AWS or upstream page it follows; docs/architecture.md explains
 * the design behind them.
 */

type Props = Record<string, unknown>;

/** Environments whose data must survive a deletion (staging rehearses prod). */
function keepsData(environment: string | undefined): boolean {
  return environment === "prod" || environment === "staging";
}

export const awsDataStoreCombinations: ResourceValidationPolicy = {
  name: "ams-aws-data-store-combinations",
  description:
    "Data store settings AWS refuses together: a Blue/Green deployment of an instance whose master password Secrets Manager manages, a major upgrade deferred to the maintenance window, an Aurora instance class Aurora does not run.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    const p = args.props as Props;
    // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html#rds-secrets-manager-limitations
    if (
      args.type === "aws:rds/instance:Instance" &&
      p.manageMasterUserPassword === true &&
      (p.blueGreenUpdate as Props | undefined)?.enabled === true
    ) {
      report(
        `${args.name}: RDS Blue/Green deployments do not support a master password managed in Secrets Manager`,
      );
    }
    // The new family's parameter group replaces the old one in the same update; deferred, the old one stays
    // attached and cannot be deleted.
    if (
      ["aws:rds/cluster:Cluster", "aws:docdb/cluster:Cluster"].includes(args.type) &&
      p.allowMajorVersionUpgrade === true &&
      p.applyImmediately !== true
    ) {
      report(`${args.name}: allowMajorVersionUpgrade needs applyImmediately in the same update`);
    }
    // https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.DBInstanceClass.SupportAurora.html
    if (
      args.type === "aws:rds/clusterInstance:ClusterInstance" &&
      String(p.engine ?? "").startsWith("aurora") &&
      !AURORA_INSTANCE_CLASS.test(String(p.instanceClass))
    ) {
      report(`${args.name}: instance class ${String(p.instanceClass)} is not offered for Aurora PostgreSQL`);
    }
  },
};

/** The source an RDS instance replicates from, as an identifier (the property takes an id or an ARN). */
function replicaSource(props: Props): string | undefined {
  const source = props.replicateSourceDb;
  return typeof source === "string" && source !== "" ? source.split(":").pop() : undefined;
}

export const noReplicaOfManagedPassword: StackValidationPolicy = {
  name: "ams-no-replica-of-managed-password",
  description:
    "RDS cannot create a read replica of an instance whose master password Secrets Manager manages (RDS User Guide, Password management with Secrets Manager, Limitations): such a stack's first `pulumi up` fails. AMS uses Aurora readers instead.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const instances = args.resources.filter((r) => r.type === "aws:rds/instance:Instance");
    for (const replica of instances) {
      const source = replicaSource(replica.props as Props);
      if (!source) continue;
      const primary = instances.find((r) => (r.props as Props).identifier === source);
      if ((primary?.props as Props | undefined)?.manageMasterUserPassword === true) {
        report(
          `${replica.name}: replicates ${source}, whose master password Secrets Manager manages; RDS refuses that replica`,
          replica.urn,
        );
      }
    }
  },
};

/** The cluster a cluster instance belongs to: by property dependency (a preview), else by identifier. */
function clusterOf(instance: PolicyResource, clusters: PolicyResource[]): PolicyResource | undefined {
  const dependency = instance.propertyDependencies?.clusterIdentifier?.[0];
  if (dependency) return clusters.find((cluster) => cluster.urn === dependency.urn);
  const identifier = (instance.props as Props).clusterIdentifier;
  return clusters.find((cluster) => (cluster.props as Props).clusterIdentifier === identifier);
}

export const prodFailoverTarget: StackValidationPolicy = {
  name: "ams-prod-failover-target",
  description:
    "Prod's Aurora PostgreSQL and DocumentDB clusters have a reader in another zone than the writer: the failover target of the AMS rollback policy (docs/runbook-database.md).",
  enforcementLevel: "mandatory",
  configSchema,
  validateStack: (args, report) => {
    if (!isProd(() => args.getConfig<PolicyConfig>())) return;
    const kinds = [
      ["aws:rds/cluster:Cluster", "aws:rds/clusterInstance:ClusterInstance"],
      ["aws:docdb/cluster:Cluster", "aws:docdb/clusterInstance:ClusterInstance"],
    ];
    for (const [clusterType, instanceType] of kinds) {
      const clusters = args.resources.filter((r) => r.type === clusterType);
      const instances = args.resources.filter((r) => r.type === instanceType);
      for (const cluster of clusters) {
        const members = instances.filter((instance) => clusterOf(instance, clusters) === cluster);
        const zones = members
          .map((instance) => (instance.props as Props).availabilityZone)
          .filter((zone): zone is string => typeof zone === "string");
        if (members.length < 2) {
          report(
            `${cluster.name}: ${members.length} instance(s); prod needs a reader to fail over to`,
            cluster.urn,
          );
        } else if (zones.length === members.length && new Set(zones).size < 2) {
          report(
            `${cluster.name}: every instance is in ${zones[0]}; the failover target must be in another zone`,
            cluster.urn,
          );
        }
      }
    }
  },
};

export const dataKeptOnDelete: ResourceValidationPolicy = {
  name: "ams-data-kept-on-delete",
  description:
    "In staging and prod no deploy deletes a database or cache without a trace: deletion protection, a final snapshot, and Pulumi protect (staging rehearses prod's changes with prod's safeguards).",
  enforcementLevel: "mandatory",
  configSchema,
  validateResource: (args, report) => {
    if (!keepsData(args.getConfig<PolicyConfig>().environment)) return;
    const p = args.props as Props;
    const clusters = ["aws:rds/cluster:Cluster", "aws:docdb/cluster:Cluster"];
    const stores = [...clusters, "aws:elasticache/replicationGroup:ReplicationGroup"];
    if (!stores.includes(args.type)) return;
    if (args.opts.protect !== true) report(`${args.name}: must be protected (protect: true)`);
    if (clusters.includes(args.type)) {
      if (p.deletionProtection !== true) report(`${args.name}: deletionProtection must be true`);
      if (p.skipFinalSnapshot === true || !p.finalSnapshotIdentifier)
        report(
          `${args.name}: a deletion must leave a final snapshot (finalSnapshotIdentifier, skipFinalSnapshot false)`,
        );
    } else if (!p.finalSnapshotIdentifier) {
      report(`${args.name}: a deletion must leave a final snapshot (finalSnapshotIdentifier)`);
    }
  },
};

export const eksNodesFollowControlPlane: StackValidationPolicy = {
  name: "ams-eks-nodes-follow-control-plane",
  description:
    "A managed node group with a launch template runs its cluster's Kubernetes version: @pulumi/eks defaults the version only without a launch template, so otherwise a `kubernetesVersion` change upgrades the control plane alone.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const clusters = args.resources.filter((r) => r.type === "eks:index:Cluster");
    for (const group of args.resources.filter((r) => r.type === "eks:index:ManagedNodeGroup")) {
      const props = group.props as Props;
      if (!props.launchTemplate) continue;
      const reference = props.cluster;
      const urn =
        typeof reference === "string" ? reference : (reference as { urn?: string } | undefined)?.urn;
      const cluster =
        clusters.find((c) => c.urn === urn) ??
        (group.propertyDependencies?.cluster?.[0]
          ? clusters.find((c) => c.urn === group.propertyDependencies.cluster[0].urn)
          : undefined) ??
        (clusters.length === 1 ? clusters[0] : undefined);
      const clusterVersion = (cluster?.props as Props | undefined)?.version;
      if (props.version === undefined || props.version !== clusterVersion) {
        report(
          `${group.name}: version ${String(props.version)} must equal its cluster's ${String(clusterVersion)}`,
          group.urn,
        );
      }
    }
  },
};

const EKS_SERVICES = ["eks.amazonaws.com", "ec2.amazonaws.com"];

export const eksTrustWithoutSourceAccount: ResourceValidationPolicy = {
  name: "ams-eks-trust-without-source-account",
  description:
    "The EKS cluster and node roles trust their service without aws:SourceAccount/aws:SourceArn: EKS does not send them (AWS support in prowler-cloud/prowler#4745; the EKS user guide's trust policies have no condition), so cluster creation fails.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (args.type !== "aws:iam/role:Role") return;
    const document = (args.props as Props).assumeRolePolicy;
    if (typeof document !== "string") return;
    const statements = (JSON.parse(document) as { Statement?: Props[] }).Statement ?? [];
    for (const statement of statements) {
      const services = [
        ((statement.Principal as Props | undefined)?.Service ?? []) as string | string[],
      ].flat();
      if (!services.some((service) => EKS_SERVICES.includes(service))) continue;
      const conditions = JSON.stringify(statement.Condition ?? {});
      if (/aws:Source(Account|Arn)/i.test(conditions)) {
        report(
          `${args.name}: trusts ${services.join(", ")} on condition of aws:SourceAccount/SourceArn, which EKS does not send`,
        );
      }
    }
  },
};

const LONG_RUNNING = ["kubernetes:apps/v1:Deployment", "kubernetes:argoproj.io/v1alpha1:Rollout"];
const MIN_JOB_RETRIES = 3;

/** Secrets a pod template reads: envFrom, env valueFrom, secret volumes. */
function secretsRead(props: Props): string[] {
  const spec = (props.spec as { template?: { spec?: Props } } | undefined)?.template?.spec ?? {};
  const containers = [
    ...((spec.containers as Props[] | undefined) ?? []),
    ...((spec.initContainers as Props[] | undefined) ?? []),
  ];
  const names: string[] = [];
  for (const container of containers) {
    for (const from of (container.envFrom as Props[] | undefined) ?? [])
      if ((from.secretRef as Props | undefined)?.name) names.push(String((from.secretRef as Props).name));
    for (const env of (container.env as Props[] | undefined) ?? []) {
      const ref = (env.valueFrom as Props | undefined)?.secretKeyRef as Props | undefined;
      if (ref?.name) names.push(String(ref.name));
    }
  }
  for (const volume of (spec.volumes as Props[] | undefined) ?? [])
    if ((volume.secret as Props | undefined)?.secretName)
      names.push(String((volume.secret as Props).secretName));
  return names;
}

export const noRotatingSecretInServices: StackValidationPolicy = {
  name: "ams-no-rotating-secret-in-services",
  description:
    "No long-running pod reads a secret AWS rotates (a data store's managed master password): a running pod keeps the value it started with, so every rotation would break its new connections. Only Jobs may, with retries that re-read it.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const rotating = new Set(
      args.resources
        .filter((r) => r.type === "kubernetes:external-secrets.io/v1:ExternalSecret")
        .filter(
          (r) =>
            ((r.props.metadata as Props | undefined)?.labels as Props | undefined)?.[
              ROTATING_SOURCE_LABEL
            ] === "true",
        )
        .map((r) => String((r.props.metadata as Props).name)),
    );
    for (const workload of args.resources) {
      const read = secretsRead(workload.props as Props).filter((name) => rotating.has(name));
      if (read.length === 0) continue;
      if (LONG_RUNNING.includes(workload.type)) {
        report(
          `${workload.name}: reads ${read.join(", ")}, which AWS rotates; services log in with IAM instead`,
          workload.urn,
        );
      } else if (workload.type === "kubernetes:batch/v1:Job") {
        const retries = Number((workload.props.spec as Props | undefined)?.backoffLimit ?? 6);
        if (retries < MIN_JOB_RETRIES)
          report(
            `${workload.name}: reads ${read.join(", ")} with backoffLimit ${retries}; a rotation needs at least ${MIN_JOB_RETRIES} retries`,
            workload.urn,
          );
      }
    }
  },
};

export const awsResourcePolicies: ResourceValidationPolicy[] = [
  awsDataStoreCombinations,
  dataKeptOnDelete,
  eksTrustWithoutSourceAccount,
];
export const awsStackPolicies: StackValidationPolicy[] = [
  noReplicaOfManagedPassword,
  prodFailoverTarget,
  eksNodesFollowControlPlane,
  noRotatingSecretInServices,
];

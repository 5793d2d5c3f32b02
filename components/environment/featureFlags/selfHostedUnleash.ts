import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { EnvironmentName } from "../../../config/types";
import { amsLabels, awsTags } from "../../labels";
import { PinnedChart } from "../addons/charts";
import { helmRelease } from "../addons/helmRelease";
import { appSecretPrefix, dataStoreIdentifier, ingressGroup } from "../../names";
import { postgresParameterGroupFamily } from "../../../policy/awsFacts";
import { POSTGRES_PORT } from "../data/postgres";
import { storeSecurityGroup } from "../data/storeNetwork";
import { environmentProtection } from "../protection";
import { RDS_CA_IDENTIFIER } from "../data/postgres";
import { SSL_POLICY } from "../publicEntry";
import { externalSecrets } from "../workloads/externalSecrets";

/**
 * Unleash's Helm chart and image, pinned: an upgrade is a reviewed change of these lines. The image is the
 * unleash-server version the specs run against (package.json devDependencies); a spec keeps them equal.
 * Chart: https://github.com/Unleash/helm-charts/tree/main/charts/unleash (5.6.6 ships appVersion 7.5.0).
 */
export const UNLEASH_CHART = {
  chart: "unleash",
  version: "5.6.6",
  repo: "https://docs.getunleash.io/helm-charts",
  namespace: "unleash",
} as const satisfies PinnedChart;
export const UNLEASH_IMAGE = { repository: "unleashorg/unleash-server", tag: "7.5.1" } as const;

/** The chart's `fullnameOverride`: the Deployment and the Service the Ingress and the pods' URL name. */
export const UNLEASH_SERVICE = "unleash";
export const UNLEASH_PORT = 4242;
/** Kubernetes Secret the operator syncs from `ams/<env>/unleash`; the chart reads its keys as env vars. */
export const UNLEASH_SECRET = "unleash-secrets";
const DATABASE = { name: "unleash", user: "unleash" };

/** Where a self-hosted Unleash goes: the environment's network, key, cluster and add-ons. */
export interface UnleashHosting {
  readonly network: {
    readonly vpcId: pulumi.Input<string>;
    readonly privateSubnetIds: pulumi.Input<string[]>;
    /** Nodes' and pods' security group: the only client the database admits. */
    readonly clientSecurityGroupId: pulumi.Input<string>;
  };
  /** The environment's KMS key: database storage and its snapshots. */
  readonly keyArn: pulumi.Input<string>;
  /** The environment cluster's Kubernetes provider. */
  readonly provider: k8s.Provider;
  /** External Secrets (syncs the secrets), the Load Balancer Controller (its webhook admits Ingresses). */
  readonly addons: readonly pulumi.Resource[];
}

export interface SelfHostedUnleashArgs extends UnleashHosting {
  readonly environment: EnvironmentName;
  readonly region: string;
  /** DNS name of the admin UI and API on the environment's ALB. */
  readonly host: string;
  /** ACM certificate covering `host`, in the stack's region. */
  readonly certificateArn: string;
  readonly database: {
    /**
     * RDS for PostgreSQL major version (`featureFlagService.databaseEngineVersion`). Its own, not the AMS
     * database's: that one is Aurora PostgreSQL, whose versions and parameter group family differ.
     */
    readonly engineVersion: string;
    readonly instanceClass: string;
    readonly backupRetentionDays: number;
    /** Apply changes now (true) or in the maintenance window, as the other data stores' `applyImmediately`. */
    readonly applyImmediately: boolean;
    /** Allow raising the major version (only with `applyImmediately`, see `unleashDatabase`). */
    readonly allowMajorVersionUpgrade: boolean;
  };
}

export interface SelfHostedUnleash {
  /** `https://<host>`: the admin UI, and the Admin API the flag resources call. */
  readonly adminUrl: string;
  /**
   * The ALB's DNS name, where the flag resources connect (sending `host` as TLS SNI and `Host`): on an
   * environment's first `pulumi up` the ALB is created during that update and `host`'s DNS record (managed
   * outside the program) does not exist yet.
   */
  readonly connectHost: pulumi.Output<string>;
  /** The client API inside the cluster, for the pods' SDK (no trip through the public ALB). */
  readonly clientUrl: string;
  /** The admin API token Unleash is started with (`INIT_ADMIN_API_TOKENS`); a Pulumi secret. */
  readonly adminToken: pulumi.Output<string>;
  /** Unleash answers on `adminUrl` once these are up. */
  readonly ready: pulumi.Resource[];
}

/**
 * Unleash on the environment's cluster, in namespace `unleash`: two replicas across zones behind the
 * environment's ALB at https://<host> (HTTPS only, the ALB's TLS policy and WAF), Unleash's own login for the
 * UI (`AUTH_TYPE=open-source`: username and password; never `none`), its database a small RDS PostgreSQL
 * instance of its own (private, TLS, encrypted, backed up; Multi-AZ, deletion-protected and final-snapshotted
 * in prod). Its secrets are generated here, kept in Secrets Manager and synced by External Secrets.
 */
export function selfHostedUnleash(
  name: string,
  args: SelfHostedUnleashArgs,
  parent: pulumi.Resource,
): SelfHostedUnleash {
  const { environment } = args;
  const policy = environmentProtection(environment);
  const labels = amsLabels({ name: "unleash", instance: "unleash", component: "feature-flags", environment });

  // Unleash validates init tokens as `<project>:<environment>.<secret>`; `*:*` is an admin token.
  const adminSecret = new random.RandomPassword(
    `${name}-admin-token`,
    { length: 48, special: false },
    { parent },
  );
  const adminToken = pulumi.interpolate`*:*.${adminSecret.result}`;
  const adminPassword = new random.RandomPassword(
    `${name}-admin-password`,
    { length: 32, special: false },
    { parent },
  );
  const databasePassword = new random.RandomPassword(
    `${name}-database-password`,
    // RDS refuses '/', '@', '"' and ' ' in a master password.
    { length: 40, special: true, overrideSpecial: "!#$%&*()-_=+[]{}<>:?" },
    { parent },
  );

  const database = unleashDatabase(`${name}-db`, args, databasePassword.result, parent);

  const secret = new aws.secretsmanager.Secret(
    `${name}-secrets`,
    {
      name: `${appSecretPrefix(environment)}unleash`,
      description: `AMS ${environment}: Unleash's database password, admin API token and admin password`,
      recoveryWindowInDays: policy.secretRecoveryWindowDays,
      tags: awsTags("feature-flags"),
    },
    { parent, protect: policy.protect },
  );
  const secretVersion = new aws.secretsmanager.SecretVersion(
    `${name}-secrets-current`,
    {
      secretId: secret.id,
      secretString: pulumi.secret(
        pulumi
          .all([databasePassword.result, adminToken, adminPassword.result])
          .apply(([databasePassword, token, password]) =>
            JSON.stringify({
              DATABASE_PASSWORD: databasePassword,
              INIT_ADMIN_API_TOKENS: token,
              UNLEASH_DEFAULT_ADMIN_PASSWORD: password,
            }),
          ),
      ),
    },
    { parent },
  );

  const kubernetes = { parent, provider: args.provider };
  const namespace = new k8s.core.v1.Namespace(
    `${name}-namespace`,
    {
      metadata: {
        name: UNLEASH_CHART.namespace,
        labels: {
          ...labels,
          // A pod counts as ready only once the ALB's target group reports it healthy (as in the AMS namespace).
          // The gate is injected only for Services a TargetGroupBinding already targets
          // (kubernetes-sigs/aws-load-balancer-controller pkg/inject/pod_readiness/pod_readiness_gate.go), so the
          // first install, whose Ingress comes after the release, is not held up; later rollouts wait for it.
          "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled",
          "pod-security.kubernetes.io/enforce": "restricted",
        },
      },
    },
    { ...kubernetes, protect: policy.protect },
  );
  const synced = externalSecrets(
    `${name}-sync`,
    {
      environment,
      region: args.region,
      namespace: namespace.metadata.name,
      secrets: [
        {
          name: UNLEASH_SECRET,
          secretArn: secret.arn,
          value: secretVersion,
          keys: {
            DATABASE_PASSWORD: "DATABASE_PASSWORD",
            INIT_ADMIN_API_TOKENS: "INIT_ADMIN_API_TOKENS",
            UNLEASH_DEFAULT_ADMIN_PASSWORD: "UNLEASH_DEFAULT_ADMIN_PASSWORD",
          },
        },
      ],
      provider: args.provider,
      dependsOn: [...args.addons],
    },
    parent,
  );

  const release = helmRelease(
    `${name}-release`,
    UNLEASH_CHART,
    unleashValues({ host: args.host, databaseHost: database.address, replicas: 2 }),
    { ...kubernetes, dependsOn: [namespace, ...synced, database] },
  );
  const ingress = new k8s.networking.v1.Ingress(
    `${name}-ingress`,
    {
      metadata: {
        name: UNLEASH_SERVICE,
        namespace: namespace.metadata.name,
        labels,
        annotations: unleashIngressAnnotations(environment, args.certificateArn),
      },
      spec: {
        ingressClassName: "alb",
        rules: [
          {
            host: args.host,
            http: {
              paths: [
                {
                  path: "/",
                  pathType: "Prefix",
                  backend: { service: { name: UNLEASH_SERVICE, port: { number: UNLEASH_PORT } } },
                },
              ],
            },
          },
        ],
      },
    },
    { ...kubernetes, dependsOn: [release, ...args.addons] },
  );

  return {
    adminUrl: `https://${args.host}`,
    connectHost: loadBalancerHost(ingress),
    clientUrl: `http://${UNLEASH_SERVICE}.${UNLEASH_CHART.namespace}.svc.cluster.local:${UNLEASH_PORT}/api/`,
    adminToken: pulumi.secret(adminToken),
    ready: [release, ingress],
  };
}

/**
 * Where an ALB Ingress is served: the DNS name the AWS Load Balancer Controller writes into
 * `status.loadBalancer.ingress[].hostname` once the ALB exists (updateIngressGroupStatus in
 * kubernetes-sigs/aws-load-balancer-controller controllers/ingress/group_controller.go). The Kubernetes
 * provider's Ingress await returns only once that list is non-empty (ingressInitAwaiter in
 * https://github.com/pulumi/pulumi-kubernetes/blob/master/provider/pkg/await/ingress.go: "Ingress entry exists
 * for .status.loadBalancer.ingress"), so the created Ingress's output carries it.
 */
export function loadBalancerHost(ingress: k8s.networking.v1.Ingress): pulumi.Output<string> {
  return pulumi.all([ingress.metadata.name, ingress.status]).apply(([ingressName, status]) => {
    const entry = status?.loadBalancer?.ingress?.[0];
    const host = entry?.hostname || entry?.ip;
    if (!host) {
      throw new Error(
        `Ingress ${ingressName} has no status.loadBalancer.ingress address: the AWS Load Balancer Controller ` +
          "has not reconciled it (kubectl describe ingress shows its events)",
      );
    }
    return host;
  });
}

/**
 * The Unleash chart's values (charts/unleash/values.yaml of Unleash/helm-charts). The chart's own
 * PostgreSQL is off; secrets come from the synced Secret, never from values (values are stored in Helm's
 * release Secret and in Pulumi state).
 */
export function unleashValues(args: {
  host: string;
  databaseHost: pulumi.Input<string>;
  replicas: number;
}): pulumi.Input<Record<string, unknown>> {
  const fromSecret = (key: string) => ({
    name: key,
    valueFrom: { secretKeyRef: { name: UNLEASH_SECRET, key } },
  });
  return {
    fullnameOverride: UNLEASH_SERVICE,
    image: { ...UNLEASH_IMAGE, pullPolicy: "IfNotPresent" },
    replicaCount: args.replicas,
    postgresql: { enabled: false },
    dbConfig: {
      host: args.databaseHost,
      port: POSTGRES_PORT,
      database: DATABASE.name,
      user: DATABASE.user,
      useExistingSecret: { name: UNLEASH_SECRET, key: "DATABASE_PASSWORD" },
      // Encrypted like the AMS services' `sslmode=require`: the RDS CA is not in Node's trust store, so the
      // certificate is not verified (mounting the RDS CA bundle would be the next step).
      ssl: { rejectUnauthorized: false },
    },
    env: [
      { name: "UNLEASH_URL", value: `https://${args.host}` },
      // Username/password login for the UI; API calls need a token. Never `none` (anonymous admin).
      { name: "AUTH_TYPE", value: "open-source" },
      { name: "UNLEASH_DEFAULT_ADMIN_USERNAME", value: "admin" },
      { name: "CHECK_VERSION", value: "false" },
      { name: "SEND_TELEMETRY", value: "false" },
      // Unleash logs the initial admin password at info level (services/user-service.js): keep it out of logs.
      { name: "LOG_LEVEL", value: "warn" },
    ],
    existingSecrets: [fromSecret("INIT_ADMIN_API_TOKENS"), fromSecret("UNLEASH_DEFAULT_ADMIN_PASSWORD")],
    resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
    // The image runs as user `node` by name; the kubelet can verify runAsNonRoot only with a numeric uid
    // (the node images' `node` is 1000). https://github.com/Unleash/unleash/blob/main/Dockerfile
    podSecurityContext: {
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      seccompProfile: { type: "RuntimeDefault" },
    },
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
    podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
    topologySpreadConstraints: [
      { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway" },
    ],
  };
}

/**
 * Unleash joins the environment's ALB (its Ingress group) with an HTTPS-only listener of its own host. The
 * Load Balancer Controller merges the group's certificates into the listener (SNI) and requires one TLS
 * policy and one inbound CIDR set for the whole group (mergeListenPortConfigs in
 * kubernetes-sigs/aws-load-balancer-controller pkg/ingress/model_builder.go), so the admin UI is protected by
 * Unleash's login and the ALB's WAF, not by a CIDR list of its own.
 */
export function unleashIngressAnnotations(
  environment: EnvironmentName,
  certificateArn: string,
): Record<string, string> {
  return {
    "alb.ingress.kubernetes.io/group.name": ingressGroup(environment),
    "alb.ingress.kubernetes.io/listen-ports": JSON.stringify([{ HTTPS: 443 }]),
    "alb.ingress.kubernetes.io/certificate-arn": certificateArn,
    "alb.ingress.kubernetes.io/ssl-policy": SSL_POLICY,
    "alb.ingress.kubernetes.io/target-type": "ip",
    "alb.ingress.kubernetes.io/healthcheck-path": "/health",
    "alb.ingress.kubernetes.io/success-codes": "200",
  };
}

/**
 * Unleash's own PostgreSQL: private, TLS only (rds.force_ssl), encrypted with the environment key, backed up
 * for `backupRetentionDays`; in prod Multi-AZ with deletion protection, a final snapshot and Pulumi
 * `protect` (the policy pack's ams-prod-* rules hold for it as for the AMS database). Its own instance keeps
 * the flag service out of the AMS database's blast radius and needs no in-cluster bootstrap job.
 */
function unleashDatabase(
  name: string,
  args: SelfHostedUnleashArgs,
  password: pulumi.Output<string>,
  parent: pulumi.Resource,
): aws.rds.Instance {
  const { environment } = args;
  const protect = environmentProtection(environment).protect;
  const identifier = dataStoreIdentifier(environment, "unleash");
  const subnets = new aws.rds.SubnetGroup(
    name,
    {
      subnetIds: args.network.privateSubnetIds,
      description: `AMS ${environment}: Unleash PostgreSQL, private subnets`,
      tags: awsTags("feature-flags"),
    },
    { parent },
  );
  const securityGroup = storeSecurityGroup(
    `${name}-sg`,
    {
      vpcId: args.network.vpcId,
      port: POSTGRES_PORT,
      clientSecurityGroupId: args.network.clientSecurityGroupId,
      description: `AMS ${environment} Unleash PostgreSQL`,
    },
    parent,
  );
  // An RDS for PostgreSQL instance takes only a `postgres<major>` group of its major version (an Aurora family
  // is refused; policy ams-rds-parameter-group-family). Named by Pulumi (with a suffix): a major upgrade
  // changes the family, which replaces the group, so the new one is created, the instance moves to it in the
  // same update (allowMajorVersionUpgrade with applyImmediately), and the old one is deleted after.
  const parameters = new aws.rds.ParameterGroup(
    name,
    {
      family: postgresParameterGroupFamily("postgres", args.database.engineVersion),
      description: `AMS ${environment}: Unleash, TLS only`,
      parameters: [{ name: "rds.force_ssl", value: "1" }],
      tags: awsTags("feature-flags"),
    },
    { parent },
  );
  return new aws.rds.Instance(
    name,
    {
      identifier,
      engine: "postgres",
      engineVersion: args.database.engineVersion,
      instanceClass: args.database.instanceClass,
      dbName: DATABASE.name,
      username: DATABASE.user,
      password,
      parameterGroupName: parameters.name,
      dbSubnetGroupName: subnets.name,
      vpcSecurityGroupIds: [securityGroup.id],
      publiclyAccessible: false,
      allocatedStorage: 20,
      maxAllocatedStorage: 50,
      storageType: "gp3",
      storageEncrypted: true,
      kmsKeyId: args.keyArn,
      caCertIdentifier: RDS_CA_IDENTIFIER,
      // A major version as engineVersion: RDS picks and upgrades the minor (the provider accepts a prefix
      // when autoMinorVersionUpgrade is on: https://www.pulumi.com/registry/packages/aws/api-docs/rds/instance/#engineversion_nodejs).
      autoMinorVersionUpgrade: true,
      applyImmediately: args.database.applyImmediately,
      allowMajorVersionUpgrade: args.database.allowMajorVersionUpgrade,
      copyTagsToSnapshot: true,
      multiAz: environment === "prod",
      backupRetentionPeriod: args.database.backupRetentionDays,
      backupWindow: "17:00-18:00",
      maintenanceWindow: "sun:18:30-sun:19:30",
      deletionProtection: protect,
      skipFinalSnapshot: !protect,
      ...(protect ? { finalSnapshotIdentifier: `${identifier}-final` } : {}),
      enabledCloudwatchLogsExports: ["postgresql"],
      tags: awsTags("feature-flags"),
    },
    { parent, protect },
  );
}

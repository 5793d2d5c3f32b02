import type * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AmsSecrets } from "../../config/load";
import { AmsConfig, Strategy } from "../../config/types";
import { clusterAddons } from "./addons";
import { AppSecrets } from "./appSecrets";
import { AppSettings } from "./appSettings";
import { cluster } from "./cluster";
import { environmentKey } from "./encryptionKey";
import { FeatureFlags, FlagServiceSummary } from "./featureFlags/featureFlags";
import { FlagState, PreviousFlagStates } from "../../release/outputs";
import { Namespace } from "./namespace";
import { network } from "./network";
import { publicEntry } from "./publicEntry";
import { albName, clusterName } from "../names";
import { ImageName } from "./registry/repositories";
import { releaseAlarms } from "./monitoring/releaseAlarms";
import { dataStores } from "./data/dataStores";
import { environmentMonitoring } from "./monitoring/monitoring";
import { imageRegistry } from "./registry/registry";
import { workloadAccess } from "./workloads/workloadAccess";

export interface AmsEnvironmentArgs {
  /** The validated stack config; every size, version and switch of the environment comes from it. */
  readonly config: AmsConfig;
  /** Secret config values (Pulumi secrets). */
  readonly secrets: AmsSecrets;
  /** The strategy a switch is retiring in this update: its controller (Argo Rollouts) must stay. */
  readonly retiringStrategy?: Strategy;
  /** Flag states the stack's previous update recorded (its `featureFlags` output). */
  readonly previousFeatureFlags: PreviousFlagStates;
  /** The AWS provider every AMS resource uses (`awsProvider`): the stack's region and default tags. */
  readonly awsProvider: aws.Provider;
}

/**
 * Everything a stack needs before an AMS workload can run and take traffic: encryption key, VPC, EKS with
 * its node group and add-ons, the namespace, the public entry (ALB through an Ingress), and the shared
 * application config and secrets. Same shape in every environment; only config differs.
 */
export class AmsEnvironment extends pulumi.ComponentResource {
  readonly clusterName: string;
  /** Kubeconfig of the cluster (secret). */
  readonly kubeconfig: pulumi.Output<string>;
  readonly oidcProviderArn: pulumi.Output<string>;
  readonly oidcIssuer: pulumi.Output<string>;
  readonly namespace: pulumi.Output<string>;
  readonly nodeSecurityGroupId: pulumi.Output<string>;
  readonly albName: string;
  readonly vpcId: pulumi.Output<string>;
  readonly publicSubnetIds: pulumi.Output<string[]>;
  readonly privateSubnetIds: pulumi.Output<string[]>;
  readonly sharedConfigMap: pulumi.Output<string>;
  readonly parameterPath: string;
  readonly appSecretArn: pulumi.Output<string>;
  /** Endpoints, queue URLs, registry, roles, alarms: what the workloads and operators need. */
  readonly locations: Record<string, pulumi.Input<unknown>>;
  /** Alarms a traffic switch is judged by (API 5xx rate, p95 latency, unhealthy targets, queue backlog). */
  readonly cutoverAlarmNames: readonly string[];
  /** The Kubernetes provider of the environment's cluster. */
  readonly kubernetesProvider: k8s.Provider;
  readonly repositoryUrls: Record<ImageName, pulumi.Output<string>>;
  /** Workloads wait for these (service accounts, synced secrets, shared config). */
  readonly workloadPrerequisites: pulumi.Resource[];
  /** The environment's Unleash: where it is (admin UI, client API). */
  readonly featureFlagService: FlagServiceSummary;
  /** Every feature flag's state after the update, by name. */
  readonly featureFlagStates: pulumi.Output<Record<string, FlagState>>;

  constructor(name: string, args: AmsEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ams:environment:AmsEnvironment", name, {}, { ...opts, providers: { aws: args.awsProvider } });
    const { config } = args;
    const environment = config.environment;
    this.clusterName = clusterName(environment);

    const key = environmentKey(`${name}-key`, environment, config.awsRegion, this);
    const net = network(
      `${name}-vpc`,
      { environment, network: config.network, clusterName: this.clusterName, logKeyArn: key.arn },
      this,
    );
    const eks = cluster(
      `${name}-eks`,
      { environment, clusterName: this.clusterName, config: config.cluster, network: net, keyArn: key.arn },
      this,
    );
    const kubernetes = { parent: this, providers: { kubernetes: eks.provider } };

    const namespace = new Namespace(`${name}-namespace`, { environment, sizing: config.sizing }, kubernetes);
    const addons = clusterAddons(
      `${name}-addons`,
      {
        environment,
        region: config.awsRegion,
        strategies: [config.release.strategy, ...(args.retiringStrategy ? [args.retiringStrategy] : [])],
        clusterName: this.clusterName,
        vpcId: net.vpcId,
        oidc: { providerArn: eks.oidcProviderArn, issuer: eks.oidcIssuer },
        provider: eks.provider,
        nodes: [eks.nodeGroup],
      },
      this,
    );
    // The controller's admission webhook validates Ingresses, so it must run before the first one.
    const entry = publicEntry(
      `${name}-public`,
      { environment, entry: config.publicEntry, namespace: namespace.name },
      { parent: this, provider: eks.provider, dependsOn: [addons.loadBalancerController] },
    );
    const featureFlags = new FeatureFlags(
      `${name}-flags`,
      {
        config,
        previous: args.previousFeatureFlags,
        externalAdminToken: args.secrets.featureFlagAdminToken,
        network: {
          vpcId: net.vpcId,
          privateSubnetIds: net.privateSubnetIds,
          clientSecurityGroupId: eks.nodeSecurityGroupId,
        },
        keyArn: key.arn,
        provider: eks.provider,
        addons: [addons.externalSecrets, addons.loadBalancerController],
      },
      { parent: this },
    );
    // The app secret carries the Unleash client token to the pods (key FEATURE_FLAG_SDK_KEY).
    const appSecrets = new AppSecrets(
      `${name}-secrets`,
      { environment, featureFlagSdkKey: featureFlags.clientToken },
      { parent: this },
    );
    // The data stores, registry, workload access and monitoring keep the logical names they were created
    // under (`ams-data-…`), so splitting them apart renamed nothing in a stack's state.
    const stores = dataStores(
      `${name}-data`,
      {
        config,
        vpcId: net.vpcId,
        privateSubnetIds: net.privateSubnetIds,
        zones: net.privateZones,
        clientSecurityGroupId: eks.nodeSecurityGroupId,
        keyArn: key.arn,
      },
      this,
    );
    const registry = imageRegistry(`${name}-data`, { config, keyArn: key.arn }, this);
    const access = workloadAccess(
      `${name}-data`,
      {
        config,
        stores,
        keyArn: key.arn,
        namespace: namespace.name,
        provider: eks.provider,
        oidc: { providerArn: eks.oidcProviderArn, issuer: eks.oidcIssuer },
        externalSecretsRole: addons.externalSecretsRole,
        externalSecretsRelease: addons.externalSecrets,
        appSecret: { arn: appSecrets.secretArn, value: appSecrets.secretValue },
      },
      this,
    );
    const monitoring = environmentMonitoring(`${name}-data`, { config, stores, keyId: key.id }, this);
    const appSettings = new AppSettings(
      `${name}-config`,
      {
        config,
        namespace: namespace.name,
        properties: { ...stores.properties, ...featureFlags.properties },
      },
      kubernetes,
    );
    const switchAlarms = releaseAlarms(
      `${name}-release-alarms`,
      {
        environment,
        albName: albName(environment),
        publicEntry: entry,
        thresholds: config.monitoring.thresholds,
        topicArn: monitoring.alarmTopicArn,
      },
      this,
    );
    const switchAlarmNames = Object.values(switchAlarms);
    this.cutoverAlarmNames = [...switchAlarmNames, ...monitoring.backlogAlarmNames];
    this.locations = {
      ...stores.outputs,
      ...registry.outputs,
      ...access.outputs,
      ...monitoring.outputs,
      alarmNames: [...monitoring.alarmNames, ...switchAlarmNames],
    };
    this.kubernetesProvider = eks.provider;
    this.repositoryUrls = registry.repositoryUrls;
    this.workloadPrerequisites = [
      ...access.workloadPrerequisites,
      appSettings,
      ...(addons.argoRollouts ? [addons.argoRollouts] : []),
    ];

    this.featureFlagService = featureFlags.service;
    this.featureFlagStates = featureFlags.states;
    this.kubeconfig = eks.kubeconfig;
    this.oidcProviderArn = eks.oidcProviderArn;
    this.oidcIssuer = eks.oidcIssuer;
    this.namespace = namespace.name;
    this.nodeSecurityGroupId = eks.nodeSecurityGroupId;
    this.albName = albName(environment);
    this.vpcId = net.vpcId;
    this.publicSubnetIds = net.publicSubnetIds;
    this.privateSubnetIds = net.privateSubnetIds;
    this.sharedConfigMap = appSettings.configMapName;
    this.parameterPath = appSettings.parameterPath;
    this.appSecretArn = appSecrets.secretArn;
    this.registerOutputs({
      clusterName: this.clusterName,
      kubeconfig: this.kubeconfig,
      oidcProviderArn: this.oidcProviderArn,
      oidcIssuer: this.oidcIssuer,
      namespace: this.namespace,
      nodeSecurityGroupId: this.nodeSecurityGroupId,
      albName: this.albName,
      vpcId: this.vpcId,
      publicSubnetIds: this.publicSubnetIds,
      privateSubnetIds: this.privateSubnetIds,
      sharedConfigMap: this.sharedConfigMap,
      parameterPath: this.parameterPath,
      appSecretArn: this.appSecretArn,
      locations: this.locations,
      cutoverAlarmNames: this.cutoverAlarmNames,
      repositoryUrls: this.repositoryUrls,
      featureFlagService: this.featureFlagService,
      featureFlagStates: this.featureFlagStates,
    });
  }
}

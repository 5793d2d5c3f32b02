import { loadConfig } from "./config/load";
import { previewProbe, previewUrl } from "./components/delivery/blueGreen/routing";
import { judgeAgainstLastUpdate } from "./components/delivery/guardRails";
import { releaseByStrategy } from "./components/delivery/strategies";
import { AmsEnvironment } from "./components/environment/environment";
import { requireWorkloadBoundary } from "./components/environment/permissionsBoundary";
import { awsProvider } from "./components/environment/providers";
import { RELEASE_COMPONENT_NAME } from "./components/names";
import { releaseOutputs } from "./release/outputs";
import { lastRecordedRelease } from "./release/previous";
import { describeRelease } from "./release/state";

/**
 * The AMS program: config → environment → workloads → stack outputs. Exported as a function (not as
 * top-level statements) so the offline plan and the tests can evaluate it once per stack in one process.
 */
export = async () => {
  const { config, secrets } = loadConfig();
  const release = describeRelease(config.release);
  // The guard rails read this stack's last outputs, so they fail the preview before anything changes.
  const previous = await lastRecordedRelease();
  const transition = judgeAgainstLastUpdate(previous, config);

  const aws = awsProvider(config);
  requireWorkloadBoundary(config.stack, aws);
  const environment = new AmsEnvironment("ams", {
    config,
    secrets,
    awsProvider: aws,
    retiringStrategy: transition.retiring?.strategy,
    previousFeatureFlags: previous.featureFlags,
  });
  const deployed = releaseByStrategy(
    RELEASE_COMPONENT_NAME,
    {
      config,
      release,
      transition,
      namespace: environment.namespace,
      repositoryUrls: environment.repositoryUrls,
      prerequisites: environment.workloadPrerequisites,
    },
    { providers: { kubernetes: environment.kubernetesProvider } },
  );

  return {
    environment: config.environment,
    region: config.awsRegion,
    clusterName: environment.clusterName,
    kubeconfig: environment.kubeconfig,
    oidcProviderArn: environment.oidcProviderArn,
    namespace: environment.namespace,
    nodeSecurityGroupId: environment.nodeSecurityGroupId,
    albName: environment.albName,
    vpcId: environment.vpcId,
    publicSubnetIds: environment.publicSubnetIds,
    privateSubnetIds: environment.privateSubnetIds,
    sharedConfigMap: environment.sharedConfigMap,
    parameterPath: environment.parameterPath,
    appSecretArn: environment.appSecretArn,
    ...environment.locations,
    ...releaseOutputs({
      release,
      previous,
      now: new Date(),
      settled: deployed.settled,
      config,
      preview: {
        url: previewUrl(config.publicEntry.apiHost, config.delivery.previewRoute),
        probe: previewProbe(config.publicEntry.apiHost, config.delivery.previewRoute),
      },
      cutoverAlarmNames: environment.cutoverAlarmNames,
      featureFlagService: environment.featureFlagService,
      featureFlags: environment.featureFlagStates,
    }),
  };
};

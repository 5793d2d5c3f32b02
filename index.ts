import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./config/load";
import { BlueGreenRelease } from "./components/delivery/blueGreenRelease";
import { CanaryRelease } from "./components/delivery/canary";
import { RollingRelease } from "./components/delivery/rolling";
import { assertNoLiveUpdate } from "./components/delivery/liveUpdateGuard";
import {
  assertStrategyChangeAllowed,
  releaseTransition,
  strategyChangeNotice,
} from "./components/delivery/transition";
import { previewProbe, previewUrl } from "./components/delivery/traffic";
import { AmsEnvironment } from "./components/environment/environment";
import { requireWorkloadBoundary } from "./components/environment/permissionsBoundary";
import { assertExposureSteps } from "./components/environment/featureFlags/exposureGuard";
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
  assertNoLiveUpdate(previous, config.release, config.delivery.allowLiveUpdate, config.stack);
  assertStrategyChangeAllowed(previous, config.release, config.stack);
  assertExposureSteps(previous.featureFlags, config.featureFlags, config.environment, config.stack);
  const strategyChange = strategyChangeNotice(previous, config.release);
  if (strategyChange) pulumi.log.warn(strategyChange);
  const transition = releaseTransition(previous, config.release);

  requireWorkloadBoundary(config.stack);
  const environment = new AmsEnvironment("ams", {
    config,
    secrets,
    retiringStrategy: transition.retiring?.strategy,
    previousFeatureFlags: previous.featureFlags,
  });
  const Releases = { rolling: RollingRelease, blueGreen: BlueGreenRelease, canary: CanaryRelease };
  const releaseArgs = {
    config,
    namespace: environment.namespace,
    repositoryUrls: environment.repositoryUrls,
    prerequisites: environment.workloadPrerequisites,
    transition,
  };
  const providers = { providers: { kubernetes: environment.kubernetesProvider } };
  const deployed = new Releases[release.strategy]("ams-release", { ...releaseArgs, release }, providers);
  // A strategy switch: the old strategy's workloads stay, frozen, until the next update (transition.ts).
  if (transition.retiring) {
    new Releases[transition.retiring.strategy](
      "ams-release",
      { ...releaseArgs, release: transition.retiring, retiring: true },
      providers,
    );
  }

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
    ...environment.stateful,
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

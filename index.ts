import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./config";
import { BlueGreenRelease } from "./components/delivery/blueGreenRelease";
import { CanaryRelease } from "./components/delivery/canary";
import { RollingRelease } from "./components/delivery/rolling";
import {
  assertNoLiveUpdate,
  lastSwitchTime,
  readPreviousRelease,
  strategyChangeWarning,
} from "./components/delivery/liveUpdateGuard";
import { previewProbe, previewUrl } from "./components/delivery/traffic";
import { AmsEnvironment } from "./components/environment/environment";
import { assertExposureSteps } from "./components/environment/featureFlags/exposureGuard";
import { describeRelease } from "./components/release/release";

/**
 * The AMS program: config → environment → workloads → stack outputs. Exported as a function (not as
 * top-level statements) so the offline plan and the tests can evaluate it once per stack in one process.
 */
export = async () => {
  const { config, secrets } = loadConfig();
  const release = describeRelease(config.release);
  // The guard rails read this stack's last outputs, so they fail the preview before anything changes.
  const previous = await readPreviousRelease();
  assertNoLiveUpdate(previous, config.release, config.delivery.allowLiveUpdate, config.stack);
  assertExposureSteps(previous.featureFlags, config.featureFlags, config.environment, config.stack);
  const strategyChange = strategyChangeWarning(previous, config.release);
  if (strategyChange) pulumi.log.warn(strategyChange);

  const environment = new AmsEnvironment("ams", {
    config,
    secrets,
    previousFeatureFlags: previous.featureFlags,
  });
  const Release = { rolling: RollingRelease, blueGreen: BlueGreenRelease, canary: CanaryRelease }[
    release.strategy
  ];
  const deployed = new Release(
    "ams-release",
    {
      config,
      release,
      namespace: environment.namespace,
      repositoryUrls: environment.repositoryUrls,
      prerequisites: environment.workloadPrerequisites,
    },
    { providers: { kubernetes: environment.kubernetesProvider } },
  );
  const afterRelease = <T>(value: T) => deployed.settled.apply(() => value);

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
    // What the release declares, recorded only once it is applied: the guard rails of the next update read
    // these, and must not mistake a failed flip for a done one.
    strategy: afterRelease(release.strategy),
    activeColor: afterRelease(release.activeColor),
    activeVersion: afterRelease(release.activeVersion),
    idleColor: afterRelease(release.idleColor),
    idleVersion: afterRelease(release.idleVersion ?? ""),
    weights: afterRelease(release.weights),
    previewUrl: previewUrl(config.publicEntry.apiHost, config.delivery.previewRoute),
    lastSwitchTime: afterRelease(lastSwitchTime(previous, release.activeColor, new Date())),
    allowLiveUpdate: config.delivery.allowLiveUpdate,
    // What `npm run cutover` reads: how to reach the idle color, and the alarms a switch is judged by.
    idleColorPolicy: config.release.idleColorPolicy,
    previewProbe: previewProbe(config.publicEntry.apiHost, config.delivery.previewRoute),
    cutoverAlarmNames: environment.cutoverAlarmNames,
    // Flag state beside the release state: what incident reviews and the next update's exposure guard read.
    featureFlagService: environment.featureFlagService,
    featureFlags: environment.featureFlagStates,
  };
};

import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./config/load";
import { BlueGreenRelease } from "./components/delivery/blueGreenRelease";
import { CanaryRelease } from "./components/delivery/canary";
import { RollingRelease } from "./components/delivery/rolling";
import {
  assertNoLiveUpdate,
  lastSwitchTime,
  readPreviousRelease,
} from "./components/delivery/liveUpdateGuard";
import {
  assertStrategyChangeAllowed,
  releaseTransition,
  strategyChangeNotice,
} from "./components/delivery/transition";
import { previewProbe, previewUrl } from "./components/delivery/traffic";
import { AmsEnvironment } from "./components/environment/environment";
import { requireWorkloadBoundary } from "./components/environment/permissionsBoundary";
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

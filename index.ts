import { loadConfig } from "./config";
import { AmsEnvironment } from "./components/environment/environment";
import { describeRelease } from "./components/release/release";

/**
 * The AMS program: config → environment → workloads → stack outputs. Exported as a function (not as
 * top-level statements) so the offline plan and the tests can evaluate it once per stack in one process.
 */
export = async () => {
  const { config, secrets } = loadConfig();
  const environment = new AmsEnvironment("ams", { config, secrets });

  const release = describeRelease(config.release);
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
    strategy: release.strategy,
    activeColor: release.activeColor,
    activeVersion: release.activeVersion,
    idleColor: release.idleColor,
    idleVersion: release.idleVersion ?? "",
    weights: release.weights,
  };
};

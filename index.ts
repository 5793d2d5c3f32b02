import { loadConfig } from "./config";
import { AmsAppConfig } from "./components/environment/appConfig";
import { AmsAppSecrets } from "./components/environment/appSecrets";
import { AmsNamespace } from "./components/environment/namespace";
import { awsProvider } from "./components/environment/providers";
import { describeRelease } from "./components/release/release";

/**
 * The AMS program: config → environment → workloads → stack outputs. Exported as a function (not as
 * top-level statements) so the offline plan and the tests can evaluate it once per stack in one process.
 */
export = async () => {
  const { config, secrets } = loadConfig();
  const providers = { aws: awsProvider(config) };

  const namespace = new AmsNamespace("ams", { environment: config.environment, sizing: config.sizing });
  const appSecrets = new AmsAppSecrets(
    "ams-secrets",
    { environment: config.environment, featureFlagSdkKey: secrets.featureFlagSdkKey },
    { providers },
  );
  const appConfig = new AmsAppConfig("ams-config", { config, namespace: namespace.name }, { providers });

  const release = describeRelease(config.release);
  return {
    environment: config.environment,
    region: config.awsRegion,
    namespace: namespace.name,
    sharedConfigMap: appConfig.configMapName,
    parameterPath: appConfig.parameterPath,
    appSecretArn: appSecrets.secretArn,
    strategy: release.strategy,
    activeColor: release.activeColor,
    activeVersion: release.activeVersion,
    idleColor: release.idleColor,
    idleVersion: release.idleVersion ?? "",
    weights: release.weights,
  };
};

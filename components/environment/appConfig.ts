import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AmsConfig } from "../../config/types";
import { amsLabels, awsTags } from "../labels";
import { applicationProperties, bootstrapEnvironment, parameterPath, SHARED_CONFIG_MAP } from "./appSettings";

export interface AmsAppConfigArgs {
  /** The validated stack config; the settings are derived from it (see `appSettings.ts`). */
  readonly config: AmsConfig;
  /** Namespace the shared ConfigMap lives in. */
  readonly namespace: pulumi.Input<string>;
  /** Spring properties computed by other parts of the environment (endpoints, queue URLs). */
  readonly properties?: Readonly<Record<string, pulumi.Input<string>>>;
}

/**
 * The configuration every AMS workload shares: Spring properties in Parameter Store under
 * `/config/ams_<env>/`, and a ConfigMap with the bootstrap environment that points the application at them.
 * Nothing secret lives here; secrets go through `AmsAppSecrets`.
 */
export class AmsAppConfig extends pulumi.ComponentResource {
  /** Parameter Store prefix the services import (`/config/ams_<env>/`). */
  readonly parameterPath: string;
  /** Name of the shared ConfigMap (`envFrom` in every pod template). */
  readonly configMapName: pulumi.Output<string>;
  /** ARNs of the parameters, for the workloads' IAM policies. */
  readonly parameterArns: pulumi.Output<string>[];

  constructor(name: string, args: AmsAppConfigArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ams:environment:AppConfig", name, {}, opts);
    const { config } = args;
    this.parameterPath = parameterPath(config.environment);

    const properties = { ...applicationProperties(config), ...args.properties };
    this.parameterArns = Object.entries(properties).map(
      ([property, value]) =>
        new aws.ssm.Parameter(
          `${name}-${property.replace(/[^A-Za-z0-9]+/g, "-")}`,
          {
            name: `${this.parameterPath}${property}`,
            type: aws.ssm.ParameterType.String,
            tier: "Standard",
            // Plain settings, deliberately visible in previews and state; secrets never come here.
            insecureValue: value,
            description: `AMS ${config.environment}: Spring property ${property}`,
            tags: awsTags("app-config"),
          },
          { parent: this },
        ).arn,
    );

    const configMap = new k8s.core.v1.ConfigMap(
      `${name}-shared`,
      {
        metadata: {
          name: SHARED_CONFIG_MAP,
          namespace: args.namespace,
          labels: amsLabels({
            name: "ams",
            instance: SHARED_CONFIG_MAP,
            component: "config",
            environment: config.environment,
          }),
        },
        data: bootstrapEnvironment(config),
      },
      { parent: this },
    );

    this.configMapName = configMap.metadata.name;
    this.registerOutputs({ parameterPath: this.parameterPath, configMapName: this.configMapName });
  }
}

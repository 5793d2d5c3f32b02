import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AmsConfig } from "../../config/types";
import { amsLabels, awsTags } from "../labels";
import { parameterPath, SHARED_CONFIG_MAP } from "../names";

/**
 * The application's runtime settings — what the AMS pods read at start-up, as opposed to the stack config
 * that produces them (config/): Spring properties in Parameter Store, and the bootstrap environment of a
 * shared ConfigMap that points Spring at them.
 */

/** The type token this component had before it was named after what it holds (`AmsAppConfig`). */
export const APP_CONFIG_TYPE = "ams:environment:AppConfig";

export interface AppSettingsArgs {
  /** The validated stack config; the settings are derived from it (the functions below). */
  readonly config: AmsConfig;
  /** Namespace the shared ConfigMap lives in. */
  readonly namespace: pulumi.Input<string>;
  /** Spring properties computed by other parts of the environment (endpoints, queue URLs). */
  readonly properties?: Readonly<Record<string, pulumi.Input<string>>>;
}

/**
 * The configuration every AMS workload shares: Spring properties in Parameter Store under
 * `/config/ams_<env>/`, and a ConfigMap with the bootstrap environment that points the application at them.
 * Nothing secret lives here; secrets go through `AppSecrets`.
 */
export class AppSettings extends pulumi.ComponentResource {
  /** Parameter Store prefix the services import (`/config/ams_<env>/`). */
  readonly parameterPath: string;
  /** Name of the shared ConfigMap (`envFrom` in every pod template). */
  readonly configMapName: pulumi.Output<string>;
  /** ARNs of the parameters, for the workloads' IAM policies. */
  readonly parameterArns: pulumi.Output<string>[];

  constructor(name: string, args: AppSettingsArgs, opts?: pulumi.ComponentResourceOptions) {
    // Created as `AppConfig`: the alias, its URN under that type, keeps a stack's existing object (and its
    // children, which inherit it: `generateAliases` in pulumi/pulumi pkg/resource/deploy/step_generator.go)
    // instead of replacing them (https://www.pulumi.com/docs/iac/concepts/options/aliases/).
    super(
      "ams:environment:AppSettings",
      name,
      {},
      {
        ...opts,
        aliases: [...(opts?.aliases ?? []), pulumi.createUrn(name, APP_CONFIG_TYPE, opts?.parent)],
      },
    );
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
    this.registerOutputs({
      parameterPath: this.parameterPath,
      configMapName: this.configMapName,
      parameterArns: this.parameterArns,
    });
  }
}

/**
 * Spring properties the environment owns, stored in Parameter Store (one parameter each) so that they can
 * be changed and audited per environment without an image rebuild. Other components add endpoints, queue
 * URLs and the feature-flag service's URL here.
 */
export function applicationProperties(config: AmsConfig): Record<string, string> {
  return {
    "ams.environment": config.environment,
    "logging.level.root": config.app.logLevel,
  };
}

/** Seconds Spring waits for in-flight requests on shutdown; pod grace periods must exceed it. */
export const SHUTDOWN_PHASE_SECONDS = 30;

/**
 * Environment variables every AMS container starts with: only what the application needs before it can
 * read Parameter Store (profile, where to import from, region) and the runtime behaviour zero-downtime
 * releases depend on (graceful shutdown, probe endpoints, heap sized from the container limit).
 */
export function bootstrapEnvironment(config: AmsConfig): Record<string, string> {
  return {
    SPRING_PROFILES_ACTIVE: config.environment,
    SPRING_CONFIG_IMPORT: `aws-parameterstore:${parameterPath(config.environment)}`,
    AWS_REGION: config.awsRegion,
    SERVER_SHUTDOWN: "graceful",
    SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE: `${SHUTDOWN_PHASE_SECONDS}s`,
    MANAGEMENT_ENDPOINT_HEALTH_PROBES_ENABLED: "true",
    JAVA_TOOL_OPTIONS: "-XX:MaxRAMPercentage=75.0 -XX:+ExitOnOutOfMemoryError",
  };
}

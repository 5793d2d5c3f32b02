import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EnvironmentName } from "../../config/types";
import { awsTags } from "../labels";
import { environmentProtection } from "./protection";
import { appSecretName } from "../names";

export interface AppSecretsArgs {
  readonly environment: EnvironmentName;
  /** Feature-flag SDK key (a Pulumi secret); the secret holds no version while it is `undefined`. */
  readonly featureFlagSdkKey: pulumi.Output<string> | undefined;
}

/**
 * The application's own secrets (not the data stores', which AWS manages) in one Secrets Manager secret,
 * `ams/<env>/app`, as a JSON object the External Secrets Operator maps to Kubernetes Secret keys. Values
 * arrive as Pulumi secrets and stay secrets in state; nothing is written in plain text anywhere.
 */
export class AppSecrets extends pulumi.ComponentResource {
  readonly secretArn: pulumi.Output<string>;
  readonly secretName: string;
  /** The version that writes the secret's value (none without an SDK key): what its readers wait for. */
  readonly secretValue: aws.secretsmanager.SecretVersion | undefined;

  constructor(name: string, args: AppSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ams:environment:AppSecrets", name, {}, opts);
    const policy = environmentProtection(args.environment);
    this.secretName = appSecretName(args.environment);

    const secret = new aws.secretsmanager.Secret(
      name,
      {
        name: this.secretName,
        description: `AMS ${args.environment}: application secrets, synced into pods by External Secrets`,
        recoveryWindowInDays: policy.secretRecoveryWindowDays,
        tags: awsTags("app-secrets"),
      },
      { parent: this, protect: policy.protect },
    );

    this.secretValue =
      args.featureFlagSdkKey === undefined
        ? undefined
        : new aws.secretsmanager.SecretVersion(
            `${name}-current`,
            {
              secretId: secret.id,
              secretString: pulumi.secret(
                args.featureFlagSdkKey.apply((sdkKey) => JSON.stringify({ FEATURE_FLAG_SDK_KEY: sdkKey })),
              ),
            },
            { parent: this },
          );

    this.secretArn = secret.arn;
    this.registerOutputs({ secretArn: this.secretArn, secretName: this.secretName });
  }
}

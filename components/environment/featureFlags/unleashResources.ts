import * as pulumi from "@pulumi/pulumi";
import type { FlagType, Stickiness } from "../../../amsConfig/featureFlags";
import { unleashFlagProvider } from "./flagProvider";
import { unleashTokenProvider } from "./tokenProvider";

/**
 * The two Unleash resources, as Pulumi dynamic resources. No maintained Pulumi provider for Unleash exists:
 * `@pulumiverse/unleash` (bridged from Unleash/terraform-provider-unleash) is published only as prereleases
 * without a released plugin binary (https://pypi.org/project/pulumiverse-unleash/), and nothing may download
 * a plugin here anyway. Their type tokens name them (`pulumi-nodejs:dynamic/unleash:FeatureFlag`) instead of
 * the generic `pulumi-nodejs:dynamic:Resource` (module/type arguments, pulumi/pulumi#11873), so previews and
 * the offline plan say what they are.
 */
export const DYNAMIC_MODULE = "unleash";
export const FEATURE_FLAG_TYPE = `pulumi-nodejs:dynamic/${DYNAMIC_MODULE}:FeatureFlag`;
export const CLIENT_TOKEN_TYPE = `pulumi-nodejs:dynamic/${DYNAMIC_MODULE}:ClientToken`;

/** Where the admin API is and the admin token (a Pulumi secret) the resources call it with. */
export interface UnleashAdminArgs {
  readonly adminUrl: pulumi.Input<string>;
  readonly adminToken: pulumi.Input<string>;
}

export interface UnleashFeatureFlagArgs extends UnleashAdminArgs {
  /** Unleash project; AMS uses `default`. */
  readonly project: string;
  /** Unleash environment whose on/off and rollout strategy this resource owns. */
  readonly environment: string;
  /** Flag name, also the resource's id. */
  readonly name: string;
  readonly description: string;
  readonly type: FlagType;
  /** Unleash emits an impression event per evaluation (on for release flags, so the app can log them). */
  readonly impressionData: boolean;
  /** On in `environment`; for a kill switch only the initial state (the UI owns it afterwards). */
  readonly enabled: boolean;
  /** Percentage of users the gradual rollout (`flexibleRollout` strategy) serves the flag to while on. */
  readonly rolloutPercentage: number;
  readonly stickiness: Stickiness;
  /** Prod release flags: the steps and the exposure the last update recorded, for the policy pack. */
  readonly exposureGuard?: { readonly steps: readonly number[]; readonly previousExposure: number };
}

/** One Unleash feature flag: created, updated, refreshed and archived through the Admin API. */
export class UnleashFeatureFlag extends pulumi.dynamic.Resource {
  declare readonly name: pulumi.Output<string>;
  declare readonly type: pulumi.Output<FlagType>;
  declare readonly enabled: pulumi.Output<boolean>;
  /** `null` when someone removed the flag's rollout strategy in the UI (the next update restores it). */
  declare readonly rolloutPercentage: pulumi.Output<number | null>;
  declare readonly stickiness: pulumi.Output<string | null>;
  declare readonly impressionData: pulumi.Output<boolean>;

  constructor(name: string, args: UnleashFeatureFlagArgs, opts?: pulumi.CustomResourceOptions) {
    super(unleashFlagProvider, name, { ...args }, opts, DYNAMIC_MODULE, "FeatureFlag");
  }
}

export interface UnleashClientTokenArgs extends UnleashAdminArgs {
  readonly project: string;
  readonly environment: string;
  readonly tokenName: string;
}

/** A server-side SDK ("backend") token; `secret` is a Pulumi secret. */
export class UnleashClientToken extends pulumi.dynamic.Resource {
  declare readonly secret: pulumi.Output<string>;

  constructor(name: string, args: UnleashClientTokenArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      unleashTokenProvider,
      name,
      { ...args, secret: undefined },
      { ...opts, additionalSecretOutputs: ["secret"] },
      DYNAMIC_MODULE,
      "ClientToken",
    );
  }
}

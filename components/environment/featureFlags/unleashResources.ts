import * as pulumi from "@pulumi/pulumi";
import type { FlagType } from "../../../config/featureFlags";
import type { AdminConnection } from "./adminApi";
import { FlagInputs, unleashFlagProvider } from "./flagProvider";
import { TokenInputs, unleashTokenProvider } from "./tokenProvider";

/**
 * The two Unleash resources, as Pulumi dynamic resources. No maintained Pulumi provider for Unleash exists:
 * `@pulumiverse/unleash` (bridged from Unleash/terraform-provider-unleash) is published only as prereleases
 * without a released plugin binary (https://pypi.org/project/pulumiverse-unleash/), and nothing may download
 * a plugin here anyway. Their type tokens name them (`pulumi-nodejs:dynamic/unleash:FeatureFlag`) instead of
 * the generic `pulumi-nodejs:dynamic:Resource` (module/type arguments, pulumi/pulumi#11873), so previews and
 * the offline plan say what they are.
 */
const DYNAMIC_MODULE = "unleash";

/** Where the admin API is and the admin token (a Pulumi secret) the resources call it with. */
export interface UnleashAdminArgs {
  readonly adminUrl: pulumi.Input<string>;
  readonly adminToken: pulumi.Input<string>;
  /** Host to connect to instead of `adminUrl`'s (see `AdminConnection.connectHost`); unset for an existing Unleash. */
  readonly connectHost?: pulumi.Input<string>;
}

/** What a flag declares (documented field by field on `FlagInputs`), the admin connection as Inputs. */
export type UnleashFeatureFlagArgs = Omit<FlagInputs, keyof AdminConnection> & UnleashAdminArgs;

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

/** What a token declares (see `TokenInputs`), the admin connection as Inputs. */
export type UnleashClientTokenArgs = Omit<TokenInputs, keyof AdminConnection> & UnleashAdminArgs;

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

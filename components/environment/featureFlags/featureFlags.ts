import * as pulumi from "@pulumi/pulumi";
import { AmsConfig } from "../../../config/types";
import { FlagState, PreviousFlagStates } from "../../../release/outputs";
import { exposureGuardOf, impressionDataOf } from "./exposureGuard";
import { selfHostedUnleash, UNLEASH_CHART, UNLEASH_IMAGE, UnleashHosting } from "./selfHostedUnleash";
import { UnleashClientToken, UnleashFeatureFlag } from "./unleashResources";
import { environmentResourceName } from "../../names";

/** AMS flags live in Unleash's default project. */
export const UNLEASH_PROJECT = "default";

export interface FeatureFlagsArgs extends UnleashHosting {
  /** The validated stack config: `featureFlags` above all, plus the environment, region and certificate. */
  readonly config: AmsConfig;
  /** Flag states the previous update recorded (stack outputs); the prod exposure guard input. */
  readonly previous: PreviousFlagStates;
  /** Admin token of an existing Unleash (mode external; a Pulumi secret); ignored when self-hosted. */
  readonly externalAdminToken: pulumi.Output<string> | undefined;
}

/** Where the flag service is, as the stack outputs show it. */
export interface FlagServiceSummary {
  readonly mode: "selfHosted" | "external";
  /** The admin UI and Admin API. */
  readonly adminUrl: string;
  /** The client API the pods' SDK polls. */
  readonly clientUrl: string;
  /** Unleash environment of the flags and the client token. */
  readonly environment: string;
  /** Self-hosted only: the pinned chart and image. */
  readonly chart?: string;
  readonly image?: string;
}

/**
 * The flag side of releases: the environment's Unleash (self-hosted on the cluster, or an existing one), the
 * flags the stack declares, and the client token the pods use. A flag change is then a config change that
 * `pulumi preview` and `npm run plan -- --compare` show, and that the prod exposure guard judges.
 */
export class FeatureFlags extends pulumi.ComponentResource {
  readonly service: FlagServiceSummary;
  /** Every flag's state as Unleash has it after the update, by name (stack output `featureFlags`). */
  readonly states: pulumi.Output<Record<string, FlagState>>;
  /** The server-side SDK token of this environment (secret); the app secret carries it to the pods. */
  readonly clientToken: pulumi.Output<string>;
  /** Spring properties for Parameter Store: where the SDK finds Unleash. */
  readonly properties: Record<string, pulumi.Input<string>>;

  constructor(name: string, args: FeatureFlagsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ams:environment:FeatureFlags", name, {}, opts);
    const { config } = args;
    const flags = config.featureFlags;
    const { environment } = config;

    let admin: { adminUrl: string; adminToken: pulumi.Output<string>; connectHost?: pulumi.Output<string> };
    let ready: pulumi.Resource[] = [];
    if (flags.service.mode === "selfHosted") {
      const unleash = selfHostedUnleash(
        `${name}-unleash`,
        {
          environment,
          region: config.awsRegion,
          host: flags.service.host,
          certificateArn: flags.service.certificateArn ?? config.publicEntry.certificateArn,
          database: {
            engineVersion: flags.service.databaseEngineVersion,
            instanceClass: flags.service.databaseInstanceClass,
            backupRetentionDays: flags.service.databaseBackupRetentionDays,
            applyImmediately: flags.service.databaseApplyImmediately,
            allowMajorVersionUpgrade: flags.service.databaseAllowMajorVersionUpgrade,
          },
          network: args.network,
          keyArn: args.keyArn,
          provider: args.provider,
          addons: args.addons,
        },
        this,
      );
      // Through the ALB by its own DNS name: the flag host's record may not exist on the first `pulumi up`.
      admin = {
        adminUrl: unleash.adminUrl,
        adminToken: unleash.adminToken,
        connectHost: unleash.connectHost,
      };
      ready = unleash.ready;
      this.service = {
        mode: "selfHosted",
        adminUrl: unleash.adminUrl,
        clientUrl: unleash.clientUrl,
        environment: flags.unleashEnvironment,
        chart: `${UNLEASH_CHART.chart} ${UNLEASH_CHART.version}`,
        image: `${UNLEASH_IMAGE.repository}:${UNLEASH_IMAGE.tag}`,
      };
    } else {
      if (args.externalAdminToken === undefined) {
        // parseAmsConfig refuses external mode without the token; reaching this is a caller's bug.
        throw new Error("featureFlagService mode external needs featureFlagAdminToken");
      }
      admin = { adminUrl: flags.service.url, adminToken: pulumi.secret(args.externalAdminToken) };
      this.service = {
        mode: "external",
        adminUrl: flags.service.url,
        clientUrl: `${flags.service.url}/api/`,
        environment: flags.unleashEnvironment,
      };
    }

    const afterUnleash = { parent: this, dependsOn: ready };
    const resources = flags.flags.map(
      (flag) =>
        [
          flag.name,
          new UnleashFeatureFlag(
            `${name}-flag-${flag.name}`,
            {
              ...admin,
              project: UNLEASH_PROJECT,
              environment: flags.unleashEnvironment,
              name: flag.name,
              description: flag.description,
              type: flag.type,
              impressionData: impressionDataOf(flag.type),
              enabled: flag.enabled,
              rolloutPercentage: flag.rolloutPercentage,
              stickiness: flag.stickiness,
              exposureGuard: exposureGuardOf(flag, args.previous, flags, environment),
            },
            afterUnleash,
          ),
        ] as const,
    );
    this.states = pulumi
      .all(
        resources.map(([flagName, flag]) =>
          pulumi
            .all([flag.type, flag.enabled, flag.rolloutPercentage, flag.stickiness, flag.impressionData])
            .apply(([type, enabled, rolloutPercentage, stickiness, impressionData]) => [
              flagName,
              { type, enabled, rolloutPercentage, stickiness, impressionData },
            ]),
        ),
      )
      .apply((entries) => Object.fromEntries(entries) as Record<string, FlagState>);

    const token = new UnleashClientToken(
      `${name}-client-token`,
      {
        ...admin,
        project: UNLEASH_PROJECT,
        environment: flags.unleashEnvironment,
        tokenName: environmentResourceName(environment, "backend"),
      },
      afterUnleash,
    );
    this.clientToken = pulumi.secret(token.secret);
    this.properties = { "ams.feature-flags.url": this.service.clientUrl };
    this.registerOutputs({
      service: this.service,
      states: this.states,
      clientToken: this.clientToken,
      properties: this.properties,
    });
  }
}

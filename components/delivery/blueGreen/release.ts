import * as pulumi from "@pulumi/pulumi";
import { Color, COLORS, SERVICES } from "../../../config/types";
import { serviceAccountName, SHARED_CONFIG_MAP, workloadName } from "../../names";
import { consumerSwitches } from "./routing";
import { BlueGreenService } from "./service";
import { consumerSwitchReader } from "./consumerSwitch";
import { migrationJob, settledWhen } from "../core/gates";
import { ReleaseArgs } from "../core/releaseArgs";
import { RELEASE_TYPES } from "../core/sharedObjects";

/** Blue-green takes the same arguments as every release strategy. */
export type BlueGreenReleaseArgs = ReleaseArgs;

/**
 * The blue-green release of AMS: one migration Job per color's version (shared by the services: they share
 * the database), then the `api` (public, behind the ALB) and the `worker` (queue consumer) as
 * BlueGreenServices, and the worker colors' consume switches.
 *
 * With `retiring` (the update that switches the stack to another strategy) it declares only what may still
 * serve traffic — both colors' Deployments, the colors' Services the old ALB rule forwards to, the consume
 * switches and their reader — frozen as last deployed; the next update removes them.
 */
export class BlueGreenRelease extends pulumi.ComponentResource {
  readonly api: BlueGreenService;
  readonly worker: BlueGreenService;
  /** Resolves once every Deployment and routing object of the release has been applied. */
  readonly settled: pulumi.Output<boolean>;

  constructor(name: string, args: BlueGreenReleaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super(RELEASE_TYPES.blueGreen, name, {}, opts);
    const { config, release } = args;
    const retiring = args.retiring === true;
    const versions: Record<Color, string | undefined> = {
      [release.activeColor]: release.activeVersion,
      [release.idleColor]: release.idleVersion,
    } as Record<Color, string | undefined>;

    const migrations: Partial<Record<Color, pulumi.Resource>> = {};
    for (const color of retiring ? [] : COLORS) {
      const version = versions[color];
      if (version === undefined) continue;
      migrations[color] = migrationJob(
        `${name}-migrate-${color}`,
        {
          environment: config.environment,
          color,
          version,
          repositoryUrl: args.repositoryUrls[workloadName("migrations")],
          command: config.delivery.migrationCommand,
          namespace: args.namespace,
          configMapName: SHARED_CONFIG_MAP,
          serviceAccountName: serviceAccountName("worker"),
        },
        { parent: this, dependsOn: args.prerequisites },
      );
    }

    const common = (service: (typeof SERVICES)[number]) => ({
      service,
      environment: config.environment,
      namespace: args.namespace,
      release,
      transition: args.transition,
      idleColorPolicy: config.release.idleColorPolicy,
      repositoryUrl: args.repositoryUrls[workloadName(service)],
      sizing: config.sizing[service],
      serviceAccountName: serviceAccountName(service),
      configMapName: SHARED_CONFIG_MAP,
      deregistrationDelaySeconds: config.publicEntry.deregistrationDelaySeconds,
      migrations,
      releaseName: name,
      retiring,
    });
    const children = { parent: this, dependsOn: retiring ? [] : args.prerequisites };
    this.api = new BlueGreenService(
      `${name}-api`,
      {
        ...common("api"),
        publicRoute: {
          entry: config.publicEntry,
          previewRoute: config.delivery.previewRoute,
          smokePaths: config.delivery.smokePaths,
        },
      },
      children,
    );
    this.worker = new BlueGreenService(`${name}-worker`, common("worker"), children);
    consumerSwitchReader(
      `${name}-worker-switch-reader`,
      {
        environment: config.environment,
        namespace: args.namespace,
        serviceAccountName: serviceAccountName("worker"),
        frozen: retiring,
      },
      { parent: this },
    );
    const switches = consumerSwitches(
      `${name}-worker-switch`,
      {
        environment: config.environment,
        namespace: args.namespace,
        release,
        deployments: this.worker.deployments,
        retiring,
      },
      this,
    );
    this.settled = settledWhen([
      ...this.api.routing,
      ...Object.values(this.api.deployments),
      ...Object.values(this.worker.deployments),
      ...switches,
    ]);
    this.registerOutputs({ settled: this.settled });
  }
}

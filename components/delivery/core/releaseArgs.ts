import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AmsConfig, ServiceName } from "../../../config/types";
import { ReleaseState } from "../../../release/state";
import { serviceAccountName, SHARED_CONFIG_MAP, workloadName } from "../../names";
import { ImageName } from "../../environment/registry/repositories";
import { migrationJob } from "./gates";
import { sharedObjectAliases } from "./sharedObjects";
import { ReleaseTransition } from "./transition";
import { WorkloadSpec } from "./workload";

/**
 * What every strategy's release component takes, and the pieces every strategy builds the same way from it:
 * a service's workload spec at the release's version, and the version's migration Job.
 */

export interface ReleaseArgs {
  readonly config: AmsConfig;
  readonly release: ReleaseState;
  readonly namespace: pulumi.Input<string>;
  readonly repositoryUrls: Readonly<Record<ImageName, pulumi.Input<string>>>;
  /** Service accounts, synced secrets, shared config (and add-ons) the pods need before they start. */
  readonly prerequisites: pulumi.Resource[];
  /** What this update changes relative to the last applied one (transition.ts). */
  readonly transition: ReleaseTransition;
  /**
   * The stack switches away from this strategy in this update: declare only the workloads that may still
   * serve, frozen as last deployed, so Pulumi keeps them until the next update (transition.ts).
   */
  readonly retiring?: boolean;
}

/** The workload spec of one service at the release's version: the same core every strategy uses. */
export function workloadSpec(
  args: ReleaseArgs,
  service: ServiceName,
  extra: Partial<WorkloadSpec> = {},
): WorkloadSpec {
  return {
    service,
    environment: args.config.environment,
    repositoryUrl: args.repositoryUrls[workloadName(service)],
    version: args.release.activeVersion,
    sizing: args.config.sizing[service],
    serviceAccountName: serviceAccountName(service),
    configMapName: SHARED_CONFIG_MAP,
    deregistrationDelaySeconds: args.config.publicEntry.deregistrationDelaySeconds,
    ...extra,
  };
}

/**
 * The migration of the release's version, which every strategy runs before its pods change. Rolling and
 * canary name it alike (`ams-migrate-<version>`), so it carries the other's URN as an alias.
 */
export function releaseMigration(
  release: string,
  args: ReleaseArgs,
  parent: pulumi.Resource,
  strategy: "rolling" | "canary",
): k8s.batch.v1.Job {
  return migrationJob(
    `${release}-migrate`,
    {
      environment: args.config.environment,
      version: args.release.activeVersion,
      repositoryUrl: args.repositoryUrls[workloadName("migrations")],
      command: args.config.delivery.migrationCommand,
      namespace: args.namespace,
      configMapName: SHARED_CONFIG_MAP,
      serviceAccountName: serviceAccountName("worker"),
    },
    {
      parent,
      dependsOn: args.prerequisites,
      aliases: sharedObjectAliases("migration", strategy, release),
    },
  );
}

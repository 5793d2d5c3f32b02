import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Color, EnvironmentName } from "../../../config/types";
import { dnsLabel } from "../../kubernetesNames";
import { amsLabels } from "../../labels";
import { withDataStoreAccess } from "./dataStoreAccess";
import { HTTP_PORT, READINESS_PATH, WORKLOAD_SECRETS } from "./workload";
import { migrationJobPrefix, smokeJobPrefix, workloadName } from "../../names";

/** The smoke test: each path must answer 2xx (with retries while the pods warm up), else exit non-zero. */
export function smokeScript(
  serviceHost: pulumi.Input<string>,
  paths: readonly string[],
): pulumi.Output<string> {
  return pulumi
    .output(serviceHost)
    .apply((host) =>
      [
        "set -e",
        ...paths.map(
          (path) =>
            `curl --fail --silent --show-error --retry 5 --retry-all-errors --max-time 10 -o /dev/null "http://${host}:${HTTP_PORT}${path}"`,
        ),
      ].join("\n"),
    );
}

/**
 * How the gate Jobs behave under the Kubernetes provider (pulumi/pulumi-kubernetes):
 * - Pulumi awaits a Job until its `Complete` condition, and fails the update as soon as it has `Failed`
 *   (provider/pkg/await/job.go). Anything that depends on the Job — a color's Deployment on its migration,
 *   routing on the active color's smoke test — is then not applied, so the color that took traffic keeps it.
 * - A failed Job stays in the state as not ready, and without more the next update would wait on that same
 *   failed Job again, forever. `pulumi.com/replaceUnready: "true"` makes the provider's diff check the live
 *   Job and, if it is not complete, plan a replacement (provider/pkg/provider/provider.go, `Diff`); the Job has
 *   a fixed name, so it is deleted first and then created again (`deleteBeforeReplace`): the gate re-runs.
 * - `pulumi.com/skipAwait` is never set on a gate: it would report the Job created at once, before it ran.
 * - No `ttlSecondsAfterFinished`: a Job the cluster deleted by itself would make the next update fail to read
 *   it (the provider's update starts with a GET of the live object).
 */
export const GATE_JOB_ANNOTATIONS = { "pulumi.com/replaceUnready": "true" } as const;

/**
 * Each gate fails by its own deadline (the Job controller marks it `Failed`, and the provider fails the update
 * on that at once) before Pulumi's await would time out: the provider waits 10 minutes for a Job unless the
 * resource sets a custom timeout (`DefaultJobTimeoutMins`, provider/pkg/await/job.go).
 */
export const MIGRATION_DEADLINE_SECONDS = 1800;
export const MIGRATION_TIMEOUT_MINUTES = 35;
export const SMOKE_DEADLINE_SECONDS = 300;
export const PROVIDER_JOB_TIMEOUT_MINUTES = 10;

/** Pinned curl image for smoke tests (multi-arch, non-root). */
export const SMOKE_IMAGE = "curlimages/curl:8.11.1";

const restrictedContainer = {
  securityContext: {
    allowPrivilegeEscalation: false,
    runAsNonRoot: true,
    runAsUser: 10001,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  },
  resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
};

/**
 * The database migration of one color's version (`ams-migrations:<version>`), run once before that color's
 * Deployments get the version; `pulumi up` waits for it and fails if it fails, so a broken migration never
 * reaches a pod. Named by version (a valid DNS label for any image tag — the Job controller copies the name
 * into a pod label, so it must be ≤ 63 characters: https://kubernetes.io/docs/concepts/workloads/controllers/job/#writing-a-job-spec):
 * a new version is a new Job; the old one stays as the record. Migrations
 * follow expand/contract, so version N+1's migration keeps version N (still live on the other color)
 * working; the contract step ships only once N is gone from both colors.
 */
export function migrationJob(
  name: string,
  args: {
    environment: EnvironmentName;
    /** Blue-green: the color the version is for; the other strategies have one version. */
    color?: Color;
    version: string;
    repositoryUrl: pulumi.Input<string>;
    command: readonly string[];
    namespace: pulumi.Input<string>;
    configMapName: string;
    serviceAccountName: string;
  },
  opts: pulumi.CustomResourceOptions,
): k8s.batch.v1.Job {
  const labels = amsLabels({
    name: workloadName("migrations"),
    instance: migrationJobPrefix(args.color),
    component: "migration",
    version: args.version,
    color: args.color,
    environment: args.environment,
  });
  return new k8s.batch.v1.Job(
    name,
    {
      metadata: {
        name: dnsLabel(migrationJobPrefix(args.color), args.version),
        namespace: args.namespace,
        labels,
        annotations: { ...GATE_JOB_ANNOTATIONS },
      },
      spec: {
        backoffLimit: 1,
        activeDeadlineSeconds: MIGRATION_DEADLINE_SECONDS,
        template: {
          metadata: { labels },
          spec: withDataStoreAccess("migration", {
            restartPolicy: "Never",
            serviceAccountName: args.serviceAccountName,
            containers: [
              {
                name: "migrate",
                image: pulumi.interpolate`${args.repositoryUrl}:${args.version}`,
                command: [...args.command],
                envFrom: [
                  { configMapRef: { name: args.configMapName } },
                  ...WORKLOAD_SECRETS.map((secret) => ({ secretRef: { name: secret } })),
                ],
                ...restrictedContainer,
              },
            ],
          }),
        },
      },
    },
    // A migration may take as long as its deadline, longer than the provider's default wait.
    {
      customTimeouts: { create: `${MIGRATION_TIMEOUT_MINUTES}m`, update: `${MIGRATION_TIMEOUT_MINUTES}m` },
      ...opts,
    },
  );
}

/**
 * The smoke test of one color before traffic moves to it: readiness plus the configured paths, through the
 * color's own Service (the pods the preview route and the flip will send users to). Any non-2xx fails the
 * Job, and with it the `pulumi up`, before routing changes. Named by version, so each new version is tested.
 */
export function smokeJob(
  name: string,
  args: {
    environment: EnvironmentName;
    service: string;
    color?: Color;
    version: string;
    serviceHost: pulumi.Input<string>;
    paths: readonly string[];
    namespace: pulumi.Input<string>;
  },
  opts: pulumi.CustomResourceOptions,
): k8s.batch.v1.Job {
  const labels = amsLabels({
    name: smokeJobPrefix(args.service),
    instance: smokeJobPrefix(args.service, args.color),
    component: "smoke-test",
    version: args.version,
    color: args.color,
    environment: args.environment,
  });
  const paths = [...new Set([READINESS_PATH, ...args.paths])];
  return new k8s.batch.v1.Job(
    name,
    {
      metadata: {
        name: dnsLabel(smokeJobPrefix(args.service, args.color), args.version),
        namespace: args.namespace,
        labels,
        annotations: { ...GATE_JOB_ANNOTATIONS },
      },
      spec: {
        backoffLimit: 2,
        activeDeadlineSeconds: SMOKE_DEADLINE_SECONDS,
        template: {
          metadata: { labels },
          spec: {
            restartPolicy: "Never",
            automountServiceAccountToken: false,
            containers: [
              {
                name: "smoke",
                image: SMOKE_IMAGE,
                // One curl per path under `set -e`: a multi-URL curl reports only its last URL's status.
                command: ["sh", "-c", smokeScript(args.serviceHost, paths)],
                ...restrictedContainer,
              },
            ],
          },
        },
      },
    },
    opts,
  );
}

/**
 * An Output that resolves only once all these resources have been applied (an id resolves when its
 * create or update succeeded). Stack outputs derived from it are not recorded by a failed update, so the
 * next update's guard rails read what really happened last.
 */
export function settledWhen(resources: pulumi.Resource[]): pulumi.Output<boolean> {
  const ids = resources.map((resource) =>
    pulumi.CustomResource.isInstance(resource) ? (resource as pulumi.CustomResource).id : resource.urn,
  );
  return pulumi.all(ids).apply(() => true);
}

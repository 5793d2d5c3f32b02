import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Color, EnvironmentName } from "../../amsConfig/types";
import { amsLabels } from "../labels";
import { withDataStoreAccess } from "./dataStoreAccess";
import { HTTP_PORT, READINESS_PATH, WORKLOAD_SECRETS } from "./workload";

/** `1.5.0-rc.1` → `1-5-0-rc-1`: a version as part of a Kubernetes name. */
export function nameSafe(version: string): string {
  return version
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 30);
}

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
 * Jobs are replaced when a re-run is wanted (new version, new name) and after a failure: without
 * `replaceUnready`, a later `pulumi up` would wait on the same failed Job forever.
 */
const JOB_ANNOTATIONS = { "pulumi.com/replaceUnready": "true" };

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
 * reaches a pod. Named by version: a new version is a new Job; the old one stays as the record. Migrations
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
  const scope = args.color ? `-${args.color}` : "";
  const labels = amsLabels({
    name: "ams-migrations",
    instance: `ams-migrate${scope}`,
    component: "migration",
    version: args.version,
    color: args.color,
    environment: args.environment,
  });
  return new k8s.batch.v1.Job(
    name,
    {
      metadata: {
        name: `ams-migrate-${args.color}-${nameSafe(args.version)}`,
        namespace: args.namespace,
        labels,
      },
      spec: {
        backoffLimit: 1,
        activeDeadlineSeconds: 1800,
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
    // Pulumi waits 10 minutes for a Job by default; a migration may take as long as its deadline.
    { customTimeouts: { create: "35m", update: "35m" }, ...opts },
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
  const scope = args.color ? `-${args.color}` : "";
  const labels = amsLabels({
    name: `ams-${args.service}-smoke`,
    instance: `ams-${args.service}-smoke${scope}`,
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
        name: `ams-${args.service}-smoke${scope}-${nameSafe(args.version)}`,
        namespace: args.namespace,
        labels,
        annotations: JOB_ANNOTATIONS,
      },
      spec: {
        backoffLimit: 2,
        activeDeadlineSeconds: 300,
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

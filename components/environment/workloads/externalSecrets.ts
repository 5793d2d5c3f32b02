import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { EnvironmentName } from "../../../config/types";
import { ROTATING_SOURCE_LABEL } from "../../../policy/awsFacts";
import { amsLabels } from "../../labels";

/** SecretStore every AMS ExternalSecret reads through (AWS Secrets Manager of the stack's region). */
export const SECRET_STORE = "aws-secrets-manager";
/** How often the operator re-reads a secret that only changes with a deploy (the cache token, the app secret). */
export const REFRESH_INTERVAL = "1h";
/**
 * How often it re-reads a secret AWS rotates (a data store's managed master secret, every 7 days by default):
 * a Job that starts after a rotation gets the new value within its retries.
 */
export const ROTATING_REFRESH_INTERVAL = "1m";

/** The Secrets Manager version of the value an ExternalSecret last synced, when this program writes it. */
export const SOURCE_VERSION_ANNOTATION = "ams.io/source-version";

/** A Kubernetes Secret synced from one Secrets Manager secret: target key → JSON property of the source. */
export interface SyncedSecret {
  /** Name of the Kubernetes Secret (what pods reference). */
  readonly name: string;
  readonly secretArn: pulumi.Input<string>;
  /** Environment-variable-style key in the Kubernetes Secret → property of the JSON secret value. */
  readonly keys: Readonly<Record<string, string>>;
  /**
   * Keys built in the cluster from the fetched ones (Go templates such as `{{ .password | urlquery }}`),
   * for values like a connection URI that embed a credential. The fetched keys then serve the template
   * only and are not themselves written to the Secret.
   */
  readonly template?: Readonly<Record<string, pulumi.Input<string>>>;
  /** AWS rotates the source (a managed master secret): refreshed every minute, and labelled so. */
  readonly sourceRotates?: boolean;
  /**
   * The resource that writes the source's value, when this program writes it (its `SecretVersion`). The
   * ExternalSecret waits for it: while a secret has no AWSCURRENT version, GetSecretValue answers
   * ResourceNotFoundException (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html),
   * the operator reports the ExternalSecret not Ready, and its `condition=Ready` await holds the update until
   * it times out. Unset for secrets AWS writes itself (a managed master secret has its value once its store
   * exists, which the ARN output already waits for). Its version id is also an annotation of the
   * ExternalSecret, so a new value changes the object: the operator re-syncs an ExternalSecret whose labels
   * or annotations changed at once (`getResourceVersion` hashes them, pkg/controllers/util of
   * external-secrets; `shouldRefresh` in externalsecret_controller.go), instead of at its next refresh.
   */
  readonly value?: aws.secretsmanager.SecretVersion;
}

/**
 * Secrets reach pods as Kubernetes Secrets that the External Secrets Operator syncs from Secrets Manager:
 * Pulumi declares only which secret maps to which key, never a value. (API `external-secrets.io/v1`,
 * served by the pinned operator 0.19.) `pulumi up` waits for each to report Ready (`pulumi.com/waitFor`,
 * pulumi-kubernetes 4.18+, provider/pkg/metadata/overrides.go), so what reads it starts after it is synced.
 */
export function externalSecrets(
  name: string,
  args: {
    environment: EnvironmentName;
    region: string;
    namespace: pulumi.Input<string>;
    secrets: readonly SyncedSecret[];
    provider: k8s.Provider;
    dependsOn: pulumi.Resource[];
  },
  parent: pulumi.Resource,
): k8s.apiextensions.CustomResource[] {
  const labels = (instance: string) =>
    amsLabels({ name: "ams", instance, component: "secrets", environment: args.environment });
  const opts = { parent, provider: args.provider, dependsOn: args.dependsOn };
  const store = new k8s.apiextensions.CustomResource(
    `${name}-store`,
    {
      apiVersion: "external-secrets.io/v1",
      kind: "SecretStore",
      metadata: { name: SECRET_STORE, namespace: args.namespace, labels: labels(SECRET_STORE) },
      // No auth block: the operator uses its own IRSA role, which may read only ams/<env>/* and the
      // data stores' managed secrets.
      spec: { provider: { aws: { service: "SecretsManager", region: args.region } } },
    },
    opts,
  );
  return [
    store,
    ...args.secrets.map(
      (secret) =>
        new k8s.apiextensions.CustomResource(
          `${name}-${secret.name}`,
          {
            apiVersion: "external-secrets.io/v1",
            kind: "ExternalSecret",
            metadata: {
              name: secret.name,
              namespace: args.namespace,
              labels: {
                ...labels(secret.name),
                ...(secret.sourceRotates ? { [ROTATING_SOURCE_LABEL]: "true" } : {}),
              },
              annotations: {
                "pulumi.com/waitFor": "condition=Ready",
                ...(secret.value ? { [SOURCE_VERSION_ANNOTATION]: secret.value.versionId } : {}),
              },
            },
            spec: {
              refreshInterval: secret.sourceRotates ? ROTATING_REFRESH_INTERVAL : REFRESH_INTERVAL,
              secretStoreRef: { kind: "SecretStore", name: SECRET_STORE },
              target: {
                name: secret.name,
                creationPolicy: "Owner",
                deletionPolicy: "Retain",
                ...(secret.template ? { template: { engineVersion: "v2", data: secret.template } } : {}),
              },
              data: Object.entries(secret.keys).map(([secretKey, property]) => ({
                secretKey,
                remoteRef: { key: secret.secretArn, property },
              })),
            },
          },
          { ...opts, dependsOn: [...args.dependsOn, store, ...(secret.value ? [secret.value] : [])] },
        ),
    ),
  ];
}

import * as k8s from "@pulumi/kubernetes";
import { RDS_CA_DIRECTORY } from "../../environment/data/rdsCa";
import { MIGRATOR_SECRET, RDS_CA_CONFIG_MAP } from "../../names";

type Container = k8s.types.input.core.v1.Container;
type Volume = k8s.types.input.core.v1.Volume;

/** A pod spec whose containers and volumes are plain arrays (as the pod templates build them). */
export type PlainPodSpec = k8s.types.input.core.v1.PodSpec & { containers: Container[]; volumes?: Volume[] };

/**
 * What a pod needs to reach the databases, whatever releases it (the same for both colors, so a flip
 * changes no pod template):
 * - every container mounts the RDS CA bundle, to verify Aurora's and DocumentDB's certificates;
 * - a migration pod also reads the migration user's Secret (FLYWAY_URL, FLYWAY_USER, FLYWAY_PASSWORD).
 * Service pods read no database secret at all: they log in with their IAM roles, so a rotation of a
 * managed master password cannot reach them.
 */
export function withDataStoreAccess<T extends PlainPodSpec>(purpose: "service" | "migration", spec: T): T {
  const containers = spec.containers.map((container) => ({
    ...container,
    ...(purpose === "migration"
      ? { envFrom: [...((container.envFrom ?? []) as object[]), { secretRef: { name: MIGRATOR_SECRET } }] }
      : {}),
    volumeMounts: [
      ...((container.volumeMounts ?? []) as object[]),
      { name: "rds-ca", mountPath: RDS_CA_DIRECTORY, readOnly: true },
    ],
  }));
  return {
    ...spec,
    containers,
    volumes: [...(spec.volumes ?? []), { name: "rds-ca", configMap: { name: RDS_CA_CONFIG_MAP } }],
  };
}

import { REDIS_SECRET } from "../../names";

/**
 * The Kubernetes Secrets every AMS service pod (and the migration Job) reads with `envFrom`: only the cache
 * token, which Pulumi generates and nothing rotates behind the pods' back. The databases need no secret in
 * the pods: the services log in with their IAM roles (see `components/environment/data/databaseUsers.ts`).
 */
export const SERVICE_SECRETS = [REDIS_SECRET];

import * as pulumi from "@pulumi/pulumi";
import { AmsConfig } from "../../../config/types";
import { Queue, queues } from "../messaging/queues";
import { environmentProtection } from "../protection";
import { dataStoreProperties } from "./connectionSettings";
import { DocumentDb, documentDb } from "./documentDb";
import { Postgres, postgres } from "./postgres";
import { Redis, redis, REDIS_PORT } from "./redis";
import { StoreContext } from "./storeNetwork";

export interface DataStoresArgs {
  readonly config: AmsConfig;
  readonly vpcId: pulumi.Input<string>;
  readonly privateSubnetIds: pulumi.Input<string[]>;
  /** The VPC's zones, in its subnets' order: each data store instance goes to its own. */
  readonly zones: pulumi.Output<string[]>;
  /** Security group of the nodes and pods: the only client the data stores admit. */
  readonly clientSecurityGroupId: pulumi.Input<string>;
  /** The environment key every store is encrypted with. */
  readonly keyArn: pulumi.Input<string>;
}

export interface DataStores {
  readonly postgres: Postgres;
  readonly documentDb: DocumentDb;
  readonly redis: Redis;
  readonly queues: Queue[];
  /** Spring properties pointing at the stores and queues, for Parameter Store. */
  readonly properties: Record<string, pulumi.Input<string>>;
  /** Stack outputs: where the stores and queues are. */
  readonly outputs: Record<string, pulumi.Input<unknown>>;
}

/**
 * What holds the application's data: Aurora PostgreSQL, DocumentDB, the cache and the job queues — private,
 * encrypted with the environment key, protected where the environment says so (protection.ts).
 */
export function dataStores(name: string, args: DataStoresArgs, parent: pulumi.Resource): DataStores {
  const { config } = args;
  const environment = config.environment;
  const protection = environmentProtection(environment);
  const ctx: StoreContext = {
    environment,
    vpcId: args.vpcId,
    privateSubnetIds: args.privateSubnetIds,
    clientSecurityGroupId: args.clientSecurityGroupId,
    keyArn: args.keyArn,
    zones: args.zones,
    protect: protection.protect,
  };
  const pg = postgres(`${name}-postgres`, config.data.postgres, ctx, parent);
  const docdb = documentDb(`${name}-docdb`, config.data.documentDb, ctx, parent);
  const cache = redis(
    `${name}-redis`,
    config.data.redis,
    { ...ctx, secretRecoveryWindowDays: protection.secretRecoveryWindowDays },
    parent,
  );
  const jobQueues = queues(
    `${name}-queues`,
    { environment, queues: config.data.queues, protect: ctx.protect },
    parent,
  );
  return {
    postgres: pg,
    documentDb: docdb,
    redis: cache,
    queues: jobQueues,
    properties: {
      ...dataStoreProperties({
        postgresWriter: pg.cluster.endpoint,
        postgresReader: pg.cluster.readerEndpoint,
        documentDbEndpoint: docdb.cluster.endpoint,
      }),
      "spring.data.redis.host": cache.group.primaryEndpointAddress,
      "spring.data.redis.port": String(REDIS_PORT),
      "spring.data.redis.ssl.enabled": "true",
      ...Object.fromEntries(
        jobQueues.map(({ config: queue, queue: q }) => [`ams.queues.${queue.name}.url`, q.url]),
      ),
    },
    outputs: {
      postgresEndpoint: pg.cluster.endpoint,
      postgresReaderEndpoint: pg.cluster.readerEndpoint,
      documentDbEndpoint: docdb.cluster.endpoint,
      redisEndpoint: cache.group.primaryEndpointAddress,
      queueUrls: Object.fromEntries(jobQueues.map(({ config: queue, queue: q }) => [queue.name, q.url])),
    },
  };
}

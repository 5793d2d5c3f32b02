import * as pulumi from "@pulumi/pulumi";
import { AmsConfig } from "../../../config/types";
import { dataStoreIdentifier, postgresInstanceIdentifier } from "../../names";
import { DataStores } from "../data/dataStores";
import { alarms } from "./alarms";
import { dashboard } from "./dashboard";

export interface Monitoring {
  /** The SNS topic every alarm notifies. */
  readonly alarmTopicArn: pulumi.Output<string>;
  /** Every alarm of the data stores and queues. */
  readonly alarmNames: readonly string[];
  /** Queue backlog alarms: a switch whose new workers fall behind fires them. */
  readonly backlogAlarmNames: readonly string[];
  /** Stack outputs: the alarm topic and the dashboard. */
  readonly outputs: Record<string, pulumi.Input<unknown>>;
}

/** What an operator watches: alarms on the data stores and queues (one encrypted topic), and the dashboard. */
export function environmentMonitoring(
  name: string,
  args: { config: AmsConfig; stores: DataStores; keyId: pulumi.Input<string> },
  parent: pulumi.Resource,
): Monitoring {
  const { config, stores } = args;
  const environment = config.environment;
  const monitoring = alarms(
    `${name}-alarms`,
    {
      environment,
      monitoring: config.monitoring,
      keyId: args.keyId,
      targets: {
        queues: stores.queues,
        postgresClusterId: dataStoreIdentifier(environment, "postgres"),
        postgresInstanceIds: stores.postgres.instances.map((_, index) =>
          postgresInstanceIdentifier(environment, index + 1),
        ),
        redisMemberIds: stores.redis.memberIds,
        documentDbId: dataStoreIdentifier(environment, "docdb"),
      },
    },
    parent,
  );
  const board = dashboard(
    `${name}-dashboard`,
    {
      environment,
      region: config.awsRegion,
      queues: stores.queues.map(({ config: queue, queue: q, deadLetters }) => ({
        name: queue.name,
        queueName: q.name,
        deadLetterName: deadLetters.name,
      })),
    },
    parent,
  );
  return {
    alarmTopicArn: monitoring.topic.arn,
    alarmNames: monitoring.alarmNames,
    backlogAlarmNames: monitoring.backlogAlarmNames,
    outputs: { alarmTopicArn: monitoring.topic.arn, dashboardName: board.dashboardName },
  };
}

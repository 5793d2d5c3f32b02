import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EnvironmentName, QueueConfig } from "../../../config/types";
import { awsTags } from "../../labels";
import { queueName } from "../../names";

/** Dead letters are kept the longest SQS allows, so nobody loses a failed job before looking at it. */
export const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600;

export interface Queue {
  readonly config: QueueConfig;
  readonly queue: aws.sqs.Queue;
  readonly deadLetters: aws.sqs.Queue;
}

/**
 * The AMS job queues. Delivery is at-least-once: a consumer that crashes or outlives the visibility
 * timeout sees the message again, so consumers are idempotent (they key their effects on the message id or
 * a business key) and the visibility timeout is set above the slowest job. After `maxReceiveCount`
 * deliveries a message is parked in its dead-letter queue instead of being retried forever. Server-side
 * encryption (SQS-managed) and long polling on every queue.
 */
export function queues(
  name: string,
  args: { environment: EnvironmentName; queues: readonly QueueConfig[]; protect: boolean },
  parent: pulumi.Resource,
): Queue[] {
  return args.queues.map((config) => {
    const physical = queueName(args.environment, config.name);
    const deadLetters = new aws.sqs.Queue(
      `${name}-${config.name}-dlq`,
      {
        name: `${physical}-dlq`,
        messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS,
        sqsManagedSseEnabled: true,
        tags: awsTags("messaging"),
      },
      { parent, protect: args.protect },
    );
    const queue = new aws.sqs.Queue(
      `${name}-${config.name}`,
      {
        name: physical,
        visibilityTimeoutSeconds: config.visibilityTimeoutSeconds,
        messageRetentionSeconds: config.messageRetentionDays * 24 * 3600,
        receiveWaitTimeSeconds: 20,
        sqsManagedSseEnabled: true,
        redrivePolicy: deadLetters.arn.apply((deadLetterTargetArn) =>
          JSON.stringify({ deadLetterTargetArn, maxReceiveCount: config.maxReceiveCount }),
        ),
        tags: awsTags("messaging"),
      },
      { parent, protect: args.protect },
    );
    // Only this queue may dead-letter into its DLQ.
    new aws.sqs.RedriveAllowPolicy(
      `${name}-${config.name}-dlq`,
      {
        queueUrl: deadLetters.url,
        redriveAllowPolicy: queue.arn.apply((arn) =>
          JSON.stringify({ redrivePermission: "byQueue", sourceQueueArns: [arn] }),
        ),
      },
      { parent },
    );
    return { config, queue, deadLetters };
  });
}

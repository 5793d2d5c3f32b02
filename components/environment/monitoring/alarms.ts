import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AlarmThresholds, EnvironmentName, MonitoringConfig } from "../../../config/types";
import { awsTags } from "../../labels";
import { Queue } from "../messaging/queues";
import { environmentResourceName } from "../../names";

/** Queue alarms whose firing means the workers of the live color are not keeping up. */
const BACKLOG_SUFFIX = "-backlog-age";

/** One alarm, as data: easy to test, rendered into a MetricAlarm below. */
export interface AlarmSpec {
  readonly name: string;
  readonly description: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, pulumi.Input<string>>;
  readonly statistic: "Average" | "Maximum" | "Minimum" | "Sum";
  readonly comparison: "GreaterThanThreshold" | "LessThanThreshold";
  readonly threshold: number;
  /** Consecutive one-minute (or five-minute) periods before it fires: long enough to ignore a blip. */
  readonly evaluationPeriods: number;
  readonly periodSeconds: number;
}

export interface AlarmTargets {
  readonly queues: readonly Queue[];
  readonly postgresClusterId: string;
  /** Writer first, then readers. */
  readonly postgresInstanceIds: readonly string[];
  readonly redisMemberIds: readonly string[];
  readonly documentDbId: string;
}

/** The environment's alarms and the thresholds they use (config, with defaults in Pulumi.yaml). */
export function alarmSpecs(
  environment: EnvironmentName,
  targets: AlarmTargets,
  t: AlarmThresholds,
): AlarmSpec[] {
  const prefix = environmentResourceName(environment);
  const specs: AlarmSpec[] = [];
  for (const { config, queue, deadLetters } of targets.queues) {
    specs.push({
      name: `${prefix}-${config.name}${BACKLOG_SUFFIX}`,
      description: `Oldest message on ${config.name} waited over ${t.queueOldestMessageSeconds}s: workers are behind or down`,
      namespace: "AWS/SQS",
      metricName: "ApproximateAgeOfOldestMessage",
      dimensions: { QueueName: queue.name },
      statistic: "Maximum",
      comparison: "GreaterThanThreshold",
      threshold: t.queueOldestMessageSeconds,
      evaluationPeriods: 3,
      periodSeconds: 60,
    });
    specs.push({
      name: `${prefix}-${config.name}-dead-letters`,
      description: `Messages reached ${config.name}'s dead-letter queue: a job failed ${config.maxReceiveCount} times`,
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: deadLetters.name },
      statistic: "Maximum",
      comparison: "GreaterThanThreshold",
      threshold: 0,
      evaluationPeriods: 1,
      periodSeconds: 60,
    });
  }
  // Aurora publishes instance metrics per cluster and role too, so the writer's alarm follows the writer
  // through a failover (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html).
  const aurora = (metricName: string, dimensions: Record<string, string>) => ({
    namespace: "AWS/RDS",
    metricName,
    dimensions,
  });
  const cluster = targets.postgresClusterId;
  specs.push({
    ...aurora("CPUUtilization", { DBClusterIdentifier: cluster, Role: "WRITER" }),
    name: `${prefix}-postgres-cpu`,
    description: `PostgreSQL writer CPU above ${t.rdsCpuPercent}% for 15 minutes`,
    statistic: "Average",
    comparison: "GreaterThanThreshold",
    threshold: t.rdsCpuPercent,
    evaluationPeriods: 3,
    periodSeconds: 300,
  });
  // The cluster volume grows by itself; what can run out is each instance's local (temporary) storage.
  for (const instance of targets.postgresInstanceIds) {
    specs.push({
      ...aurora("FreeLocalStorage", { DBInstanceIdentifier: instance }),
      name: `${instance}-free-local-storage`,
      description: `${instance} has less than ${t.rdsFreeStorageGib} GiB of local storage left (sorts, temporary tables)`,
      statistic: "Minimum",
      comparison: "LessThanThreshold",
      threshold: t.rdsFreeStorageGib * 2 ** 30,
      evaluationPeriods: 1,
      periodSeconds: 300,
    });
  }
  if (targets.postgresInstanceIds.length > 1) {
    specs.push({
      ...aurora("AuroraReplicaLag", { DBClusterIdentifier: cluster, Role: "READER" }),
      name: `${prefix}-postgres-reader-lag`,
      description: `A PostgreSQL reader is more than ${t.rdsReplicaLagSeconds}s behind the writer: the failover target is stale`,
      statistic: "Maximum",
      comparison: "GreaterThanThreshold",
      // Aurora reports replica lag in milliseconds.
      threshold: t.rdsReplicaLagSeconds * 1000,
      evaluationPeriods: 3,
      periodSeconds: 60,
    });
  }
  for (const member of targets.redisMemberIds) {
    specs.push({
      name: `${member}-memory`,
      description: `Cache node ${member} uses over ${t.redisMemoryPercent}% of its memory: sessions may be evicted`,
      namespace: "AWS/ElastiCache",
      metricName: "DatabaseMemoryUsagePercentage",
      dimensions: { CacheClusterId: member },
      statistic: "Maximum",
      comparison: "GreaterThanThreshold",
      threshold: t.redisMemoryPercent,
      evaluationPeriods: 3,
      periodSeconds: 60,
    });
  }
  specs.push({
    name: `${prefix}-documentdb-cpu`,
    description: `DocumentDB CPU above ${t.documentDbCpuPercent}% for 15 minutes`,
    namespace: "AWS/DocDB",
    metricName: "CPUUtilization",
    dimensions: { DBClusterIdentifier: targets.documentDbId },
    statistic: "Average",
    comparison: "GreaterThanThreshold",
    threshold: t.documentDbCpuPercent,
    evaluationPeriods: 3,
    periodSeconds: 300,
  });
  return specs;
}

/**
 * One encrypted SNS topic per environment that every alarm notifies (firing and recovery), e-mail
 * subscriptions from config, and Slack through AWS Chatbot when a channel is configured.
 */
export function alarms(
  name: string,
  args: {
    environment: EnvironmentName;
    monitoring: MonitoringConfig;
    targets: AlarmTargets;
    keyId: pulumi.Input<string>;
  },
  parent: pulumi.Resource,
): { topic: aws.sns.Topic; alarmNames: string[]; backlogAlarmNames: string[] } {
  const topic = new aws.sns.Topic(
    name,
    {
      name: environmentResourceName(args.environment, "alarms"),
      kmsMasterKeyId: args.keyId,
      tags: awsTags("monitoring"),
    },
    { parent },
  );
  args.monitoring.alarmEmails.forEach((email) => {
    new aws.sns.TopicSubscription(
      `${name}-${email}`,
      { topic: topic.arn, protocol: "email", endpoint: email },
      { parent },
    );
  });
  if (args.monitoring.slack)
    slackDelivery(`${name}-slack`, args.environment, args.monitoring.slack, topic, parent);

  const specs = alarmSpecs(args.environment, args.targets, args.monitoring.thresholds);
  for (const spec of specs) {
    new aws.cloudwatch.MetricAlarm(
      spec.name,
      {
        name: spec.name,
        alarmDescription: spec.description,
        namespace: spec.namespace,
        metricName: spec.metricName,
        dimensions: spec.dimensions,
        statistic: spec.statistic,
        comparisonOperator: spec.comparison,
        threshold: spec.threshold,
        evaluationPeriods: spec.evaluationPeriods,
        period: spec.periodSeconds,
        treatMissingData: "notBreaching",
        alarmActions: [topic.arn],
        okActions: [topic.arn],
        tags: awsTags("monitoring"),
      },
      { parent },
    );
  }
  return {
    topic,
    alarmNames: specs.map((spec) => spec.name),
    backlogAlarmNames: specs.filter((spec) => spec.name.endsWith(BACKLOG_SUFFIX)).map((spec) => spec.name),
  };
}

/** A region where the AWS Chatbot API is served. */
export const CHATBOT_REGION = "us-east-2";

function slackDelivery(
  name: string,
  environment: EnvironmentName,
  slack: { workspaceId: string; channelId: string },
  topic: aws.sns.Topic,
  parent: pulumi.Resource,
): void {
  const role = new aws.iam.Role(
    name,
    {
      description: `AMS ${environment}: AWS Chatbot reads alarm details for Slack`,
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: { Service: "chatbot.amazonaws.com" }, Action: "sts:AssumeRole" },
        ],
      }),
      tags: awsTags("monitoring"),
    },
    { parent },
  );
  new aws.iam.RolePolicyAttachment(
    name,
    { role: role.name, policyArn: "arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess" },
    { parent },
  );
  new aws.chatbot.SlackChannelConfiguration(
    name,
    {
      // The Chatbot API exists only in a few regions (not ap-northeast-2); a topic of any region is fine.
      region: CHATBOT_REGION,
      configurationName: environmentResourceName(environment, "alarms"),
      iamRoleArn: role.arn,
      slackTeamId: slack.workspaceId,
      slackChannelId: slack.channelId,
      snsTopicArns: [topic.arn],
      // Chatbot may show alarm details but never act: read-only guardrail.
      guardrailPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
      loggingLevel: "ERROR",
      tags: awsTags("monitoring"),
    },
    { parent },
  );
}

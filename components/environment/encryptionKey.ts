import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EnvironmentName } from "../../config/types";
import { awsTags } from "../labels";
import { policy, PolicyDocument } from "./iamDocuments";
import { environmentProtection } from "./protection";
import { keyAlias } from "../names";

/**
 * Key policy: the account administers the key through IAM (the AWS default); CloudWatch Logs may use it only
 * for this account's log groups in this region (flow logs, control-plane logs); CloudWatch alarms of this
 * account may publish to the encrypted alarm topic.
 */
export function environmentKeyPolicy(accountId: string, region: string): PolicyDocument {
  return policy(
    {
      Sid: "AccountAdministersThroughIam",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${accountId}:root` },
      Action: "kms:*",
      Resource: "*",
    },
    {
      Sid: "CloudWatchLogsEncryptsThisAccountsLogGroups",
      Effect: "Allow",
      Principal: { Service: `logs.${region}.amazonaws.com` },
      Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
      Resource: "*",
      Condition: {
        ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${region}:${accountId}:log-group:*` },
      },
    },
    {
      Sid: "CloudWatchAlarmsPublishToTheEncryptedTopic",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: "*",
      Condition: { StringEquals: { "aws:SourceAccount": accountId } },
    },
  );
}

/**
 * The environment's customer-managed KMS key: Kubernetes secrets in etcd, flow and control-plane logs.
 * Rotated yearly; a deletion waits 30 days; protected in prod (losing it loses every secret it sealed).
 */
export function environmentKey(
  name: string,
  environment: EnvironmentName,
  region: string,
  parent: pulumi.Resource,
): aws.kms.Key {
  const account = aws.getCallerIdentityOutput({}, { parent });
  const key = new aws.kms.Key(
    name,
    {
      description: `AMS ${environment}: EKS secrets and log encryption`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: account.accountId.apply((accountId) => JSON.stringify(environmentKeyPolicy(accountId, region))),
      tags: awsTags("encryption"),
    },
    { parent, protect: environmentProtection(environment).protect },
  );
  new aws.kms.Alias(`${name}-alias`, { name: keyAlias(environment), targetKeyId: key.keyId }, { parent });
  return key;
}

/** IAM policy documents as plain data, so they can be unit-tested and checked with an IAM simulator. */

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: Record<string, string | string[]> | "*";
  readonly Action: string | string[];
  readonly Resource?: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: PolicyStatement[];
}

export function policy(...statements: PolicyStatement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

/**
 * Trust policy that lets an AWS service assume a role, with no condition: what EKS documents for the cluster
 * role (https://docs.aws.amazon.com/eks/latest/userguide/cluster-iam-role.html) and the node role
 * (https://docs.aws.amazon.com/eks/latest/userguide/create-node-role.html). EKS does not support the
 * confused-deputy keys `aws:SourceAccount`/`aws:SourceArn` (AWS support, in
 * https://github.com/prowler-cloud/prowler/issues/4745), so a trust policy with them fails cluster creation.
 */
export function serviceTrustPolicy(service: string, extraActions: string[] = []): PolicyDocument {
  return policy({
    Effect: "Allow",
    Principal: { Service: service },
    Action: ["sts:AssumeRole", ...extraActions],
  });
}

/**
 * Trust policy for a service documented to send `aws:SourceAccount` (e.g. VPC flow logs,
 * https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html): only on behalf of this account.
 */
export function sourceAccountTrustPolicy(service: string, accountId: string): PolicyDocument {
  return policy({
    Effect: "Allow",
    Principal: { Service: service },
    Action: "sts:AssumeRole",
    Condition: { StringEquals: { "aws:SourceAccount": accountId } },
  });
}

/**
 * IRSA trust policy: only the pods running as `system:serviceaccount:<namespace>:<serviceAccount>` in this
 * cluster (its OIDC provider) may assume the role, and only with a token minted for STS.
 * @param issuer the OIDC issuer without `https://`, e.g. `oidc.eks.ap-northeast-2.amazonaws.com/id/ABC`.
 */
export function irsaTrustPolicy(
  oidcProviderArn: string,
  issuer: string,
  namespace: string,
  serviceAccount: string,
): PolicyDocument {
  // IAM names the condition keys after the issuer's host and path; with a scheme they never match.
  const oidcProviderUrl = issuer.replace(/^https:\/\//, "");
  return policy({
    Effect: "Allow",
    Principal: { Federated: oidcProviderArn },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: {
      StringEquals: {
        [`${oidcProviderUrl}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
        [`${oidcProviderUrl}:aud`]: "sts.amazonaws.com",
      },
    },
  });
}

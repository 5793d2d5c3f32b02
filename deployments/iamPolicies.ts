import { LOOKUP_SERVICES, MANAGED_SERVICES, managedServiceNames } from "./managedAwsTypes";
import {
  deployPolicyName,
  deployRoleName,
  deploymentPreviewRoleName,
  githubPreviewRoleName,
  policyArn,
  previewPolicyName,
  workloadBoundaryName,
} from "./names";

/**
 * The IAM documents that keep every automated identity of the AMS account to what it needs, generated from
 * `MANAGED_SERVICES` (one list) so a new resource type is one line, not a hand-edited policy:
 * - the deploy policy: what `pulumi up`/`refresh`/`destroy` of one stack may do;
 * - the preview policy: what `pulumi preview` reads, and nothing it could write or any secret it could read;
 * - the workload boundary: the ceiling of every role the program creates.
 *
 * IAM semantics relied on (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html):
 * a role's effective permissions are the intersection of its identity policies and its permissions
 * boundary, and `iam:PermissionsBoundary` is the condition key that makes `CreateRole` — and every change
 * of a role's policies, trust or boundary — depend on the boundary the target role carries
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html).
 */

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}
export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: PolicyStatement[];
}

export interface AccountScope {
  readonly accountId: string;
  readonly region: string;
  /** The AMS stack the identity works for. */
  readonly stack: string;
}

/** The tag the AMS program's AWS provider puts on everything it creates (its `defaultTags`). */
export const STACK_TAG = "ams:stack";

/**
 * Services that create a service-linked role the first time they are used in an account: EKS (cluster and
 * managed node groups), RDS (also DocumentDB), ElastiCache, EC2 Auto Scaling (node groups), Spot (dev's
 * node group), AWS Chatbot.
 */
export const SERVICE_LINKED_ROLE_SERVICES = [
  "eks.amazonaws.com",
  "eks-nodegroup.amazonaws.com",
  "rds.amazonaws.com",
  "elasticache.amazonaws.com",
  "autoscaling.amazonaws.com",
  "spot.amazonaws.com",
  "management.chatbot.amazonaws.com",
];

/**
 * Services the program hands one of its roles to (`iam:PassRole`): the EKS cluster and node group roles,
 * the flow-log delivery role, the AWS Chatbot channel role.
 */
export const PASS_ROLE_SERVICES = [
  "eks.amazonaws.com",
  "ec2.amazonaws.com",
  "vpc-flow-logs.amazonaws.com",
  "chatbot.amazonaws.com",
];

/** Actions that change a role and that IAM lets a policy tie to the role's permissions boundary. */
const BOUNDED_ROLE_CHANGES = [
  "iam:PutRolePolicy",
  "iam:DeleteRolePolicy",
  "iam:AttachRolePolicy",
  "iam:DetachRolePolicy",
  "iam:UpdateAssumeRolePolicy",
  "iam:UpdateRole",
  "iam:UpdateRoleDescription",
  "iam:DeleteRole",
];

/** What every identity here may read in IAM: nothing in it is a secret. */
const IAM_READS = ["iam:Get*", "iam:List*"];

/**
 * Reads a `Get*` would allow that hand out data or credentials rather than describe a resource; a preview
 * never needs them (it diffs against the state, it does not read secret values or images).
 */
export const PREVIEW_DENIED_READS = [
  "secretsmanager:GetSecretValue",
  "ssm:GetParameter",
  "ssm:GetParameters",
  "ssm:GetParametersByPath",
  "ssm:GetParameterHistory",
  "ecr:GetAuthorizationToken",
  "ecr:GetDownloadUrlForLayer",
  "ec2:GetPasswordData",
  "kms:GetParametersForImport",
];

const arn = (scope: AccountScope, resource: string) => `arn:aws:iam::${scope.accountId}:${resource}`;

/** The IAM objects that guard the account: no deployment may change them, whatever else it may do. */
export function guardRailArns(scope: AccountScope): string[] {
  return [
    arn(scope, `role/${deployRoleName("*")}`),
    arn(scope, `role/${deploymentPreviewRoleName("*")}`),
    arn(scope, `role/${githubPreviewRoleName("*")}`),
    arn(scope, `policy/${deployPolicyName("*")}`),
    arn(scope, `policy/${workloadBoundaryName("*")}`),
    arn(scope, `policy/${previewPolicyName()}`),
    arn(scope, "oidc-provider/api.pulumi.com/oidc"),
  ];
}

export function workloadBoundaryArn(scope: AccountScope): string {
  return policyArn(scope.accountId, workloadBoundaryName(scope.stack));
}

/**
 * What one stack's update, refresh and destroy runs may do: manage the services of `MANAGED_SERVICES`,
 * never a resource another stack tagged as its own; IAM only through roles that carry the stack's workload
 * boundary; never the guard rails themselves. Also the deploy role's own permissions boundary, so nothing
 * attached to it later can widen it.
 */
export function deployPolicy(scope: AccountScope): PolicyDocument {
  const boundary = workloadBoundaryArn(scope);
  const ownStackTag = { [`aws:ResourceTag/${STACK_TAG}`]: scope.stack };
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ManageTheProgramsServices",
        Effect: "Allow",
        Action: managedServiceNames()
          .filter((service) => service !== "iam")
          .map((service) => `${service}:*`),
        Resource: "*",
      },
      {
        Sid: "LookUps",
        Effect: "Allow",
        Action: LOOKUP_SERVICES.flatMap(({ service, reads }) => reads.map((verb) => `${service}:${verb}*`)),
        Resource: "*",
      },
      { Sid: "ReadIam", Effect: "Allow", Action: IAM_READS, Resource: "*" },
      {
        Sid: "CreateRolesOnlyWithTheWorkloadBoundary",
        Effect: "Allow",
        Action: "iam:CreateRole",
        Resource: arn(scope, "role/*"),
        Condition: {
          StringEquals: { "iam:PermissionsBoundary": boundary, [`aws:RequestTag/${STACK_TAG}`]: scope.stack },
        },
      },
      {
        Sid: "ChangeOnlyRolesUnderTheWorkloadBoundary",
        Effect: "Allow",
        Action: BOUNDED_ROLE_CHANGES,
        Resource: arn(scope, "role/*"),
        Condition: { StringEquals: { "iam:PermissionsBoundary": boundary } },
      },
      {
        // A role created before the boundary existed gets it on the next update; only this stack's roles.
        Sid: "PutTheWorkloadBoundaryOnThisStacksRoles",
        Effect: "Allow",
        Action: "iam:PutRolePermissionsBoundary",
        Resource: arn(scope, "role/*"),
        Condition: { StringEquals: { "iam:PermissionsBoundary": boundary, ...ownStackTag } },
      },
      {
        Sid: "TagThisStacksRoles",
        Effect: "Allow",
        Action: ["iam:TagRole", "iam:UntagRole"],
        Resource: arn(scope, "role/*"),
        Condition: { StringEquals: ownStackTag },
      },
      {
        Sid: "PassRolesToTheServicesThatRunThem",
        Effect: "Allow",
        Action: "iam:PassRole",
        Resource: arn(scope, "role/*"),
        Condition: { StringEquals: { "iam:PassedToService": PASS_ROLE_SERVICES } },
      },
      {
        Sid: "ServiceLinkedRoles",
        Effect: "Allow",
        Action: "iam:CreateServiceLinkedRole",
        Resource: arn(scope, "role/aws-service-role/*"),
        Condition: { StringEquals: { "iam:AWSServiceName": SERVICE_LINKED_ROLE_SERVICES } },
      },
      {
        // The cluster's IRSA issuer (eks.Cluster `createOidcProvider`) and GitHub's, when a stack owns it.
        Sid: "ClusterAndGithubOidcProviders",
        Effect: "Allow",
        Action: [
          "iam:CreateOpenIDConnectProvider",
          "iam:DeleteOpenIDConnectProvider",
          "iam:TagOpenIDConnectProvider",
          "iam:UntagOpenIDConnectProvider",
          "iam:UpdateOpenIDConnectProviderThumbprint",
          "iam:AddClientIDToOpenIDConnectProvider",
          "iam:RemoveClientIDFromOpenIDConnectProvider",
        ],
        Resource: [
          arn(scope, `oidc-provider/oidc.eks.${scope.region}.amazonaws.com/id/*`),
          arn(scope, "oidc-provider/token.actions.githubusercontent.com"),
        ],
      },
      {
        Sid: "NeverAnotherStacksResources",
        Effect: "Deny",
        Action: "*",
        Resource: "*",
        Condition: {
          StringNotEquals: { [`aws:ResourceTag/${STACK_TAG}`]: scope.stack },
          Null: { [`aws:ResourceTag/${STACK_TAG}`]: "false" },
        },
      },
      {
        Sid: "NeverTagForAnotherStack",
        Effect: "Deny",
        Action: "*",
        Resource: "*",
        Condition: {
          StringNotEquals: { [`aws:RequestTag/${STACK_TAG}`]: scope.stack },
          Null: { [`aws:RequestTag/${STACK_TAG}`]: "false" },
        },
      },
      {
        Sid: "NeverRemoveABoundary",
        Effect: "Deny",
        Action: "iam:DeleteRolePermissionsBoundary",
        Resource: "*",
      },
      {
        Sid: "NeverTouchTheGuardRails",
        Effect: "Deny",
        NotAction: IAM_READS,
        Resource: guardRailArns(scope),
      },
    ],
  };
}

/**
 * What `pulumi preview` of the program reads: the `Describe`, `List` and `Get` actions of the services it
 * manages and looks up — no write, and none of the reads that return secret values or credentials.
 */
export function previewPolicy(): PolicyDocument {
  const services = [...MANAGED_SERVICES, ...LOOKUP_SERVICES];
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DescribeWhatTheProgramManages",
        Effect: "Allow",
        Action: services.flatMap(({ service, reads }) => reads.map((verb) => `${service}:${verb}*`)),
        Resource: "*",
      },
      { Sid: "NoSecretValuesOrCredentials", Effect: "Deny", Action: PREVIEW_DENIED_READS, Resource: "*" },
    ],
  };
}

/**
 * The ceiling of every role the program creates (EKS cluster and nodes, controllers, workloads, CI push,
 * flow logs, Chatbot): anything but IAM, AWS Organizations and account settings — so no role the deploy
 * role creates can create or change a role, a policy or a user, nor lift its own boundary. Service-linked
 * roles stay allowed: the EKS cluster policy and the load balancer controller create them.
 */
export function workloadBoundary(): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "EverythingButIdentityAndAccount",
        Effect: "Allow",
        NotAction: ["iam:*", "organizations:*", "account:*"],
        Resource: "*",
      },
      {
        Sid: "ReadIamAndServiceLinkedRoles",
        Effect: "Allow",
        Action: [...IAM_READS, "iam:CreateServiceLinkedRole"],
        Resource: "*",
      },
    ],
  };
}

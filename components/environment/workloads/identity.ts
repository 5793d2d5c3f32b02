import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { EnvironmentName, ServiceName } from "../../../config/types";
import { amsLabels } from "../../labels";
import { parameterPath, serviceAccountName, serviceParameterPath, workloadName } from "../../names";
import { policy, PolicyDocument, PolicyStatement } from "../iamDocuments";
import { ClusterOidc, irsaRole } from "../irsa";
import { APP_DB_USER } from "../data/databaseUsers";

export interface WorkloadAccess {
  readonly region: string;
  readonly accountId: string;
  readonly environment: EnvironmentName;
  readonly queueArns: string[];
  /** Aurora cluster resource id (`cluster-…`): IAM database authentication names users under it. */
  readonly postgresResourceId: string;
}

/**
 * Logging in to Aurora as the services' user with an IAM token
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.IAMDBAuth.IAMPolicy.html).
 * DocumentDB's MONGODB-AWS needs no permission: the role is the user (`databaseUsers.ts`).
 */
function databaseStatement(access: WorkloadAccess): PolicyStatement {
  return {
    Effect: "Allow",
    Action: "rds-db:connect",
    Resource: `arn:aws:rds-db:${access.region}:${access.accountId}:dbuser:${access.postgresResourceId}/${APP_DB_USER}`,
  };
}

function parametersStatement(access: WorkloadAccess, service: ServiceName): PolicyStatement {
  const arn = (path: string) =>
    `arn:aws:ssm:${access.region}:${access.accountId}:parameter${path.replace(/\/$/, "")}`;
  return {
    Effect: "Allow",
    Action: ["ssm:GetParametersByPath", "ssm:GetParameters", "ssm:GetParameter"],
    Resource: [
      arn(parameterPath(access.environment)),
      `${arn(parameterPath(access.environment))}/*`,
      arn(serviceParameterPath(access.environment, service)),
      `${arn(serviceParameterPath(access.environment, service))}/*`,
    ],
  };
}

/**
 * Exactly what each workload may do: both read the shared settings and their own and log in to Aurora as
 * the services' user; the api enqueues jobs, the worker consumes them (receive, delete, extend visibility).
 * Neither reads the other's settings.
 */
export function workloadPolicy(service: ServiceName, access: WorkloadAccess): PolicyDocument {
  const queueActions =
    service === "api"
      ? ["sqs:SendMessage", "sqs:GetQueueUrl", "sqs:GetQueueAttributes"]
      : [
          "sqs:ReceiveMessage",
          "sqs:DeleteMessage",
          "sqs:ChangeMessageVisibility",
          "sqs:GetQueueUrl",
          "sqs:GetQueueAttributes",
        ];
  return policy(parametersStatement(access, service), databaseStatement(access), {
    Effect: "Allow",
    Action: queueActions,
    Resource: access.queueArns,
  });
}

/**
 * A workload's identity: an IRSA role with `workloadPolicy` and the Kubernetes ServiceAccount bound to it.
 */
export function workloadIdentity(
  name: string,
  args: {
    service: ServiceName;
    environment: EnvironmentName;
    region: string;
    namespace: pulumi.Input<string>;
    namespaceName: string;
    oidc: ClusterOidc;
    queueArns: pulumi.Input<string>[];
    postgresResourceId: pulumi.Input<string>;
    provider: k8s.Provider;
  },
  parent: pulumi.Resource,
): { role: aws.iam.Role; serviceAccount: k8s.core.v1.ServiceAccount } {
  const account = aws.getCallerIdentityOutput({}, { parent });
  const role = irsaRole(
    name,
    {
      oidc: args.oidc,
      namespace: args.namespaceName,
      serviceAccount: serviceAccountName(args.service),
      policy: pulumi
        .all([account.accountId, pulumi.all(args.queueArns), args.postgresResourceId])
        .apply(([accountId, queueArns, postgresResourceId]) =>
          workloadPolicy(args.service, {
            region: args.region,
            accountId,
            environment: args.environment,
            queueArns,
            postgresResourceId,
          }),
        ),
      component: `workload-${args.service}`,
    },
    parent,
  );
  const serviceAccount = new k8s.core.v1.ServiceAccount(
    name,
    {
      metadata: {
        name: serviceAccountName(args.service),
        namespace: args.namespace,
        labels: amsLabels({
          name: workloadName(args.service),
          instance: workloadName(args.service),
          component: args.service,
          environment: args.environment,
        }),
        annotations: { "eks.amazonaws.com/role-arn": role.arn },
      },
      // Pods get AWS access through IRSA only; no Kubernetes API token is mounted they would not use.
      automountServiceAccountToken: false,
    },
    { parent, provider: args.provider },
  );
  return { role, serviceAccount };
}

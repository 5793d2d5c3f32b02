/**
 * The one list the deploy role's write policy is generated from: every AWS resource type the AMS program
 * manages, grouped by the IAM service prefix whose API the AWS provider calls for it. A type that is not
 * here cannot be deployed (IAM refuses), and `tests/deployments/iam.spec.ts` fails when the offline
 * plans of dev, staging or prod declare a type — or a component whose children are of a type — that is
 * missing, or when a service here is used by nothing the program declares.
 *
 * IAM is not granted by service: `iamPolicies.ts` writes its statements one by one (roles only with the
 * workload permissions boundary, no change to the boundaries or to the deployment roles themselves).
 */
/** The verbs of a service's read-only actions (`Describe*`, `List*`, `Get*`). */
export type ReadVerb = "Describe" | "List" | "Get";

export interface ManagedService {
  /** IAM service prefix (`rds` also serves DocumentDB, `logs` serves CloudWatch log groups). */
  readonly service: string;
  /** Pulumi type tokens of the AWS resources managed through this service. */
  readonly types: readonly string[];
  /**
   * The verbs the service's read-only actions start with, for the preview policy — only those the
   * service has (the spec checks each pattern names some action).
   */
  readonly reads: readonly ReadVerb[];
}

const ALL_READS: readonly ReadVerb[] = ["Describe", "List", "Get"];

/**
 * What `awsx.ec2.Vpc` creates inside its plugin: https://github.com/pulumi/pulumi-awsx/blob/master/awsx/ec2/vpc.ts
 * (its `new aws.ec2.*` calls, the same at 3.8.0 and on master).
 */
const VPC_CHILDREN = [
  "aws:ec2/vpc:Vpc",
  "aws:ec2/subnet:Subnet",
  "aws:ec2/routeTable:RouteTable",
  "aws:ec2/routeTableAssociation:RouteTableAssociation",
  "aws:ec2/route:Route",
  "aws:ec2/internetGateway:InternetGateway",
  "aws:ec2/natGateway:NatGateway",
  "aws:ec2/eip:Eip",
  "aws:ec2/vpcEndpoint:VpcEndpoint",
];

export const MANAGED_SERVICES: readonly ManagedService[] = [
  {
    service: "ec2",
    reads: ALL_READS,
    types: [
      "aws:ec2/flowLog:FlowLog",
      "aws:ec2/launchTemplate:LaunchTemplate",
      "aws:ec2/securityGroup:SecurityGroup",
      "aws:ec2/securityGroupRule:SecurityGroupRule",
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
      // The awsx VPC's network (COMPONENT_CHILDREN below).
      ...VPC_CHILDREN,
    ],
  },
  {
    service: "eks",
    reads: ["Describe", "List"],
    types: [
      "aws:eks/cluster:Cluster",
      "aws:eks/addon:Addon",
      "aws:eks/accessEntry:AccessEntry",
      "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
      "aws:eks/nodeGroup:NodeGroup",
    ],
  },
  { service: "kms", reads: ALL_READS, types: ["aws:kms/key:Key", "aws:kms/alias:Alias"] },
  { service: "logs", reads: ALL_READS, types: ["aws:cloudwatch/logGroup:LogGroup"] },
  {
    service: "cloudwatch",
    reads: ALL_READS,
    types: ["aws:cloudwatch/metricAlarm:MetricAlarm", "aws:cloudwatch/dashboard:Dashboard"],
  },
  {
    service: "rds",
    reads: ["Describe", "List"],
    types: [
      "aws:rds/cluster:Cluster",
      "aws:rds/clusterInstance:ClusterInstance",
      "aws:rds/clusterParameterGroup:ClusterParameterGroup",
      "aws:rds/instance:Instance",
      "aws:rds/parameterGroup:ParameterGroup",
      "aws:rds/subnetGroup:SubnetGroup",
      "aws:docdb/cluster:Cluster",
      "aws:docdb/clusterInstance:ClusterInstance",
      "aws:docdb/clusterParameterGroup:ClusterParameterGroup",
      "aws:docdb/subnetGroup:SubnetGroup",
    ],
  },
  {
    service: "elasticache",
    reads: ["Describe", "List"],
    types: ["aws:elasticache/replicationGroup:ReplicationGroup", "aws:elasticache/subnetGroup:SubnetGroup"],
  },
  {
    service: "secretsmanager",
    reads: ALL_READS,
    types: ["aws:secretsmanager/secret:Secret", "aws:secretsmanager/secretVersion:SecretVersion"],
  },
  { service: "ssm", reads: ALL_READS, types: ["aws:ssm/parameter:Parameter"] },
  {
    service: "sqs",
    reads: ["List", "Get"],
    types: ["aws:sqs/queue:Queue", "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy"],
  },
  {
    service: "sns",
    reads: ["List", "Get"],
    types: ["aws:sns/topic:Topic", "aws:sns/topicSubscription:TopicSubscription"],
  },
  {
    service: "ecr",
    reads: ALL_READS,
    types: ["aws:ecr/repository:Repository", "aws:ecr/lifecyclePolicy:LifecyclePolicy"],
  },
  {
    service: "chatbot",
    reads: ALL_READS,
    types: ["aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration"],
  },
  {
    service: "iam",
    reads: ["List", "Get"],
    types: [
      "aws:iam/role:Role",
      "aws:iam/rolePolicy:RolePolicy",
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
      "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    ],
  },
];

/**
 * AWS resources the remote components of the program create inside their provider plugins: they never
 * appear in a plan (each component is one resource under mocks), so their types are listed here from the
 * components' source at the pinned versions, for the arguments the program passes:
 * - `awsx.ec2.Vpc`: VPC_CHILDREN above
 * - `eks.Cluster` 4.3.0 with `serviceRole`, `skipDefaultNodeGroup`, `createOidcProvider`, API access
 *   entries (no IAM role of its own then): https://github.com/pulumi/pulumi-eks/blob/v4.3.0/nodejs/eks/cluster/cluster.ts
 * - `eks.ManagedNodeGroup` 4.3.0 with a launch template: https://github.com/pulumi/pulumi-eks/blob/v4.3.0/nodejs/eks/nodes/nodegroup.ts
 */
export const COMPONENT_CHILDREN: Readonly<Record<string, readonly string[]>> = {
  "awsx:ec2:Vpc": VPC_CHILDREN,
  "eks:index:Cluster": [
    "aws:eks/cluster:Cluster",
    "aws:eks/addon:Addon",
    "aws:eks/accessEntry:AccessEntry",
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/securityGroupRule:SecurityGroupRule",
  ],
  "eks:index:ManagedNodeGroup": ["aws:eks/nodeGroup:NodeGroup"],
};

/**
 * Read-only look-ups (invokes) the program makes while it runs, by the service they call
 * (`aws.lb.getLoadBalancer` of the switch alarms). `pulumi preview` makes them too, so the preview roles
 * need them. `sts:GetCallerIdentity` needs no permission.
 */
export const LOOKUP_SERVICES: readonly { service: string; reads: readonly ReadVerb[] }[] = [
  { service: "elasticloadbalancing", reads: ["Describe"] },
];

/** The IAM service prefixes whose resources the program manages, in list order. */
export function managedServiceNames(): string[] {
  return MANAGED_SERVICES.map((entry) => entry.service);
}

/** Every AWS resource type the list covers. */
export function managedTypes(): Set<string> {
  return new Set(MANAGED_SERVICES.flatMap((entry) => entry.types));
}

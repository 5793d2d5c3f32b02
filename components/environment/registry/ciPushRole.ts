import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EnvironmentName } from "../../../config/types";
import { awsTags } from "../../labels";
import { policy, PolicyDocument } from "../iamDocuments";

export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";

/** The `sub` claims GitHub Actions puts in a token for the repository's `main` and its release tags. */
export function allowedSubjects(repository: string): string[] {
  return [`repo:${repository}:ref:refs/heads/main`, `repo:${repository}:ref:refs/tags/v*`];
}

/** Only the AMS repository's CI, on `main` or a `v*` tag, may assume the push role. */
export function ciTrustPolicy(providerArn: string, repository: string): PolicyDocument {
  return policy({
    Effect: "Allow",
    Principal: { Federated: providerArn },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: {
      StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: "sts.amazonaws.com" },
      StringLike: { [`${GITHUB_OIDC_HOST}:sub`]: allowedSubjects(repository) },
    },
  });
}

/** Push (and the reads a push needs) to exactly the AMS repositories; a login token for the registry. */
// No KMS permission: ECR encrypts pushed layers through the grant it holds on the repository's key.
export function ciPushPolicy(repositoryArns: string[]): PolicyDocument {
  return policy(
    { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
    {
      Effect: "Allow",
      Action: [
        "ecr:BatchCheckLayerAvailability",
        "ecr:InitiateLayerUpload",
        "ecr:UploadLayerPart",
        "ecr:CompleteLayerUpload",
        "ecr:PutImage",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
        "ecr:DescribeImages",
      ],
      Resource: repositoryArns,
    },
  );
}

/**
 * The role the AMS application repository's GitHub Actions assume (OIDC, no long-lived keys) to push
 * images. The account's GitHub OIDC provider is created here unless the stack names an existing one.
 */
export function ciPushRole(
  name: string,
  args: {
    environment: EnvironmentName;
    repository: string;
    existingProviderArn: string | undefined;
    repositoryArns: pulumi.Input<string>[];
  },
  parent: pulumi.Resource,
): aws.iam.Role {
  const providerArn =
    args.existingProviderArn ??
    new aws.iam.OpenIdConnectProvider(
      `${name}-github`,
      { url: `https://${GITHUB_OIDC_HOST}`, clientIdLists: ["sts.amazonaws.com"], tags: awsTags("registry") },
      { parent },
    ).arn;
  const role = new aws.iam.Role(
    name,
    {
      description: `AMS ${args.environment}: CI of ${args.repository} pushes images`,
      assumeRolePolicy: pulumi
        .output(providerArn)
        .apply((arn) => JSON.stringify(ciTrustPolicy(arn, args.repository))),
      maxSessionDuration: 3600,
      tags: awsTags("registry"),
    },
    { parent },
  );
  new aws.iam.RolePolicy(
    `${name}-push`,
    {
      role: role.name,
      policy: pulumi.all(args.repositoryArns).apply((arns) => JSON.stringify(ciPushPolicy(arns))),
    },
    { parent },
  );
  return role;
}

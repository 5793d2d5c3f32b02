import * as pulumi from "@pulumi/pulumi";
import { AmsConfig } from "../../../config/types";
import { environmentProtection } from "../protection";
import { ciPushRole } from "./ciPushRole";
import { ImageName, IMAGES, repositories } from "./repositories";

export interface ImageRegistry {
  /** Image repository URL per AMS image. */
  readonly repositoryUrls: Record<ImageName, pulumi.Output<string>>;
  /** Stack outputs: the repositories, and the role CI pushes to them with ("" without a GitHub repository). */
  readonly outputs: Record<string, pulumi.Input<unknown>>;
}

/** The environment's ECR repositories, and the GitHub Actions role that may push to exactly those. */
export function imageRegistry(
  name: string,
  args: { config: AmsConfig; keyArn: pulumi.Input<string> },
  parent: pulumi.Resource,
): ImageRegistry {
  const { config } = args;
  const environment = config.environment;
  const images = repositories(
    `${name}-ecr`,
    { environment, keyArn: args.keyArn, protect: environmentProtection(environment).protect },
    parent,
  );
  const ciRole = config.registry.githubRepository
    ? ciPushRole(
        `${name}-ci-push`,
        {
          environment,
          repository: config.registry.githubRepository,
          existingProviderArn: config.registry.githubOidcProviderArn,
          repositoryArns: Object.values(images).map((repository) => repository.arn),
        },
        parent,
      )
    : undefined;
  return {
    repositoryUrls: Object.fromEntries(IMAGES.map((image) => [image, images[image].repositoryUrl])) as Record<
      ImageName,
      pulumi.Output<string>
    >,
    outputs: {
      ecrRepositoryUrls: Object.fromEntries(
        Object.entries(images).map(([image, repository]) => [image, repository.repositoryUrl]),
      ),
      ciPushRoleArn: ciRole?.arn ?? "",
    },
  };
}

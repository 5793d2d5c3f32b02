import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EnvironmentName } from "../../../config/types";
import { awsTags } from "../../labels";
import { workloadName } from "../../names";

/** The images AMS ships: the two services and the database migrations that gate them. */
export const IMAGES = [workloadName("api"), workloadName("worker"), workloadName("migrations")] as const;
export type ImageName = (typeof IMAGES)[number];

/** Release images kept per repository; a rollback further back than this rebuilds from Git. */
export const KEPT_RELEASE_IMAGES = 50;

/** Repository name, namespaced by environment so that several environments can share an account. */
export function repositoryName(environment: EnvironmentName, image: ImageName): string {
  return `${environment}/${image}`;
}

/** Lifecycle: untagged layers go after 7 days; of the tagged images, the newest 50 stay. */
export function lifecyclePolicy(): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: "Untagged images (failed or superseded pushes) after 7 days",
        selection: {
          tagStatus: "untagged",
          countType: "sinceImagePushed",
          countUnit: "days",
          countNumber: 7,
        },
        action: { type: "expire" },
      },
      {
        rulePriority: 2,
        description: `Keep the newest ${KEPT_RELEASE_IMAGES} tagged images`,
        selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: KEPT_RELEASE_IMAGES },
        action: { type: "expire" },
      },
    ],
  });
}

/**
 * ECR repositories for the AMS images: tags immutable (a version means one image forever, which is what
 * makes a rollback to `blueVersion=1.4.0` trustworthy), scanned on push, encrypted with the environment key.
 */
export function repositories(
  name: string,
  args: { environment: EnvironmentName; keyArn: pulumi.Input<string>; protect: boolean },
  parent: pulumi.Resource,
): Record<ImageName, aws.ecr.Repository> {
  const entries = IMAGES.map((image) => {
    const repository = new aws.ecr.Repository(
      `${name}-${image}`,
      {
        name: repositoryName(args.environment, image),
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: args.keyArn }],
        forceDelete: false,
        tags: awsTags("registry"),
      },
      { parent, protect: args.protect },
    );
    new aws.ecr.LifecyclePolicy(
      `${name}-${image}`,
      { repository: repository.name, policy: lifecyclePolicy() },
      { parent },
    );
    return [image, repository] as const;
  });
  return Object.fromEntries(entries) as Record<ImageName, aws.ecr.Repository>;
}

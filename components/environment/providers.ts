import * as aws from "@pulumi/aws";
import { AmsConfig } from "../../config/types";
import { environmentResourceName } from "../names";

/**
 * The AWS provider every AMS resource uses: the stack's region and the tags that make cost reports and
 * audits answer "which environment, which stack" without anyone remembering to tag.
 */
export function awsProvider(config: AmsConfig): aws.Provider {
  return new aws.Provider(environmentResourceName(config.environment, "aws"), {
    region: config.awsRegion as aws.Region,
    defaultTags: {
      tags: {
        "ams:project": config.project,
        "ams:environment": config.environment,
        "ams:stack": config.stack,
        "ams:managed-by": "pulumi",
      },
    },
  });
}

import { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchema, PolicyConfig } from "./policyConfig";

/**
 * Every IAM role of an AMS stack carries that stack's workload permissions boundary. The deploy role may
 * create or change a role only with it (deployments/iamPolicies.ts), so without it `pulumi up` fails in
 * IAM; with another stack's boundary it fails too. Checked here so a preview shows it first. The name
 * is spelled out rather than imported: the pack is published on its own, without the rest of the repository.
 */
export const iamRoleBoundary: ResourceValidationPolicy = {
  name: "ams-iam-role-boundary",
  description:
    "Every IAM role carries the stack's workload permissions boundary: no role the deploy role creates can " +
    "manage IAM, so no deployment can widen its own rights through a role it made.",
  enforcementLevel: "mandatory",
  configSchema,
  validateResource: (args, report) => {
    if (args.type !== "aws:iam/role:Role") return;
    const { environment } = args.getConfig<Required<PolicyConfig>>();
    const boundary = args.props.permissionsBoundary;
    const expected = `:policy/ams-${environment}-workload-boundary`;
    if (
      typeof boundary !== "string" ||
      !/^arn:aws:iam::\d{12}:policy\//.test(boundary) ||
      !boundary.endsWith(expected)
    )
      report(
        `${args.name}: permissionsBoundary is ${JSON.stringify(boundary)}; it must be the ARN of ams-${environment}-workload-boundary`,
      );
  },
};

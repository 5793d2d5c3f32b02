import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { findResource, findResources, Plan } from "../harness/plan";
import { MOCK_ACCOUNT_ID } from "../harness/mockOutputs";
import { listStacks, loadProject } from "../harness/projectFiles";
import { programIn, runPlan } from "../harness/runPlan";
import { parseOverride } from "../harness/stackConfig";
import { runPlanInProcess, STACK_TRACE_LINE } from "../helpers/cli";
import { canAssumeWithWebIdentity } from "../helpers/iam";
import { runExclusive } from "../helpers/plans";
import { PLAN_PROJECTS } from "../../tools/planProjects";

const DIR = PLAN_PROJECTS.deployments.dir;
const SETTINGS = "pulumiservice:index:DeploymentSettings";
const DRIFT = "pulumiservice:index:DriftSchedule";
const ROLE = "aws:iam/role:Role";
const OIDC_PROVIDER = "aws:iam/openIdConnectProvider:OpenIdConnectProvider";
const OIDC_ISSUER = "pulumiservice:index:OidcIssuer";

/** The admin stack's committed values, read from the file so the expectations follow it. */
const ADMIN = (() => {
  const text = fs.readFileSync(path.join(DIR, "Pulumi.admin.yaml"), "utf8");
  const value = (key: string) =>
    new RegExp(`^\\s*ams-deployments:${key}: "?([^"\\n]+)"?$`, "m").exec(text)?.[1];
  return { organization: value("organization") as string, repository: value("githubRepository") as string };
})();

function planDeployments(...overrides: string[]): Promise<Plan> {
  return runExclusive(() =>
    runPlan({
      stack: "admin",
      projectDir: DIR,
      program: programIn(DIR),
      overrides: overrides.map((text) => parseOverride(text, "--set")),
    }),
  );
}

interface Settings {
  organization: string;
  project: string;
  stack: string;
  sourceContext: { git: Record<string, unknown> };
  vcs: Record<string, unknown> & { paths: string[] };
  github?: unknown;
  operationContext: {
    preRunCommands: string[];
    environmentVariables: Record<string, string>;
    oidc: { aws: { roleARN: string; sessionName: string; duration: string } };
  };
}

interface AuthPolicy {
  decision: string;
  tokenType: string;
  authorizedPermissions?: string[];
  teamName?: string;
  userLogin?: string;
  rules: Record<string, string>;
}

/**
 * Pulumi Cloud's token exchange, as its docs describe it: a GitHub id token gets a token of the requested type
 * when an `allow` policy of that type has every rule's claim matched (`*` a wildcard) and no `deny` policy
 * matches. Returns the permissions granted, or undefined when the exchange is refused.
 */
function exchange(
  policies: readonly AuthPolicy[],
  claims: Record<string, string>,
  tokenType = "organization",
): string[] | undefined {
  const claimMatches = (value: string, pattern: string) =>
    new RegExp(`^${pattern.split("*").map(escapeRegExp).join(".*")}$`).test(value);
  const matches = (policy: AuthPolicy) =>
    policy.tokenType === tokenType &&
    Object.entries(policy.rules).every(([claim, pattern]) => claimMatches(claims[claim] ?? "", pattern));
  if (policies.some((policy) => policy.decision === "deny" && matches(policy))) return undefined;
  return policies.find((policy) => policy.decision === "allow" && matches(policy))?.authorizedPermissions;
}
const escapeRegExp = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, "\\$&");

function settingsOf(plan: Plan, stack: string): Settings {
  return findResource(plan, SETTINGS, `${stack}-settings`).inputs as unknown as Settings;
}

/** Pulumi's path filters: a file matches a glob on its whole path; `!` excludes, and exclusion wins. */
function globToRegExp(glob: string): RegExp {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*" && glob[i + 1] === "*") {
      source += glob[i + 2] === "/" ? "(?:.*/)?" : ".*";
      i += glob[i + 2] === "/" ? 2 : 1;
    } else if (c === "*") source += "[^/]*";
    else source += c.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}
function triggersDeployment(paths: readonly string[], changedFile: string): boolean {
  const includes = paths.filter((p) => !p.startsWith("!")).map(globToRegExp);
  const excludes = paths.filter((p) => p.startsWith("!")).map((p) => globToRegExp(p.slice(1)));
  const included = includes.length === 0 || includes.some((r) => r.test(changedFile));
  return included && !excludes.some((r) => r.test(changedFile));
}

describe("deployments project (Pulumi Deployments as code)", function () {
  this.timeout(60_000);
  let plan: Plan;
  before(async () => {
    plan = await planDeployments();
  });

  it("declares settings and a drift schedule for every AMS stack in the repository, for the AMS project", () => {
    const amsStacks = listStacks();
    assert.deepEqual(
      findResources(plan, SETTINGS)
        .map((r) => r.inputs.stack)
        .sort(),
      amsStacks,
    );
    assert.deepEqual(
      findResources(plan, DRIFT)
        .map((r) => r.inputs.stack)
        .sort(),
      amsStacks,
    );
    const amsProject = loadProject().name;
    for (const resource of [...findResources(plan, SETTINGS), ...findResources(plan, DRIFT)]) {
      assert.equal(resource.inputs.project, amsProject, resource.name);
      assert.equal(resource.inputs.organization, ADMIN.organization, resource.name);
    }
  });

  it("dev deploys on push to develop, staging on push to main, prod from main with no push trigger", () => {
    const trigger = (stack: string) => {
      const settings = settingsOf(plan, stack);
      return { branch: settings.sourceContext.git.branch, deployCommits: settings.vcs.deployCommits };
    };
    assert.deepEqual(trigger("dev"), { branch: "develop", deployCommits: true });
    assert.deepEqual(trigger("staging"), { branch: "main", deployCommits: true });
    assert.deepEqual(trigger("prod"), { branch: "main", deployCommits: false });
  });

  it("previews every pull request against every stack through the GitHub integration, without review stacks", () => {
    for (const stack of listStacks()) {
      const { vcs, sourceContext } = settingsOf(plan, stack);
      assert.equal(vcs.provider, "github", stack);
      assert.equal(vcs.repository, ADMIN.repository, stack);
      assert.equal(vcs.previewPullRequests, true, stack);
      assert.equal(vcs.pullRequestTemplate, false, stack);
      assert.equal(sourceContext.git.repoDir, ".", stack);
    }
  });

  it("sets no field the installed @pulumi/pulumiservice marks @deprecated", () => {
    const deprecated = deprecatedFields();
    assert.ok(deprecated.has("github"), [...deprecated].join(", "));
    const used = new Set<string>();
    const collect = (node: unknown) => {
      if (Array.isArray(node)) node.forEach(collect);
      else if (typeof node === "object" && node !== null) {
        for (const [key, value] of Object.entries(node)) {
          used.add(key);
          collect(value);
        }
      }
    };
    for (const resource of [...findResources(plan, SETTINGS), ...findResources(plan, DRIFT)]) {
      collect(resource.inputs);
    }
    assert.deepEqual(
      [...used].filter((key) => deprecated.has(key)),
      [],
    );
  });

  it("uses `vcs`, not `github`, and no Git-source repoUrl beside the integration", () => {
    for (const stack of listStacks()) {
      const settings = settingsOf(plan, stack);
      assert.equal(settings.github, undefined, stack);
      assert.equal(settings.sourceContext.git.repoUrl, undefined, stack);
    }
    // The role's deprecated inline `managedPolicyArns` is not used either: attachments are resources.
    for (const role of findResources(plan, ROLE)) assert.equal(role.inputs.managedPolicyArns, undefined);
    assert.ok(findResources(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").length >= 3);
  });

  it("path filters: a code or stack-config change deploys; docs, Markdown, tests and other stacks' files do not", () => {
    const { paths } = settingsOf(plan, "prod").vcs;
    const deploys = (file: string) => triggersDeployment(paths, file);
    for (const file of [
      "index.ts",
      "components/delivery/blueGreen.ts",
      "amsConfig/parse.ts",
      "Pulumi.yaml",
      "Pulumi.prod.yaml",
      "package-lock.json",
    ]) {
      assert.equal(deploys(file), true, file);
    }
    for (const file of [
      "docs/runbook-bluegreen.md",
      "docs/images/flow.png",
      "README.md",
      "components/delivery/NOTES.md",
      "CONTRIBUTING.md",
      "tests/specs/blueGreen.spec.ts",
      "Pulumi.dev.yaml",
      ".github/workflows/ci.yml",
      "deployments/index.ts",
    ]) {
      assert.equal(deploys(file), false, file);
    }
    assert.ok(paths.includes("!docs/**") && paths.includes("!**/*.md"), paths.join(" "));
  });

  it("runs npm ci first and takes AWS credentials from the stack's own role through OIDC", () => {
    for (const stack of listStacks()) {
      const { operationContext } = settingsOf(plan, stack);
      assert.deepEqual(operationContext.preRunCommands, ["npm ci"], stack);
      const role = findResource(plan, ROLE, `ams-${stack}-pulumi-deploy`);
      assert.equal(
        operationContext.oidc.aws.roleARN,
        `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/${role.inputs.name}`,
      );
      // STS's RoleSessionName: 2–64 of letters, digits and +=,.@- (no templating happens on the way).
      assert.match(operationContext.oidc.aws.sessionName, /^[\w+=,.@-]{2,64}$/);
      assert.ok(operationContext.oidc.aws.sessionName.endsWith(`-${stack}`));
      // The session fits the role's maximum, or AWS refuses to issue it.
      const [, h, m, s] = /^(\d+)h(\d+)m(\d+)s$/.exec(operationContext.oidc.aws.duration) ?? [];
      assert.ok(h !== undefined, operationContext.oidc.aws.duration);
      assert.ok(Number(h) * 3600 + Number(m) * 60 + Number(s) <= Number(role.inputs.maxSessionDuration));
    }
  });

  it("drift detection runs nightly on every stack and reports without remediating", () => {
    for (const stack of listStacks()) {
      const drift = findResource(plan, DRIFT, `${stack}-drift`);
      assert.equal(drift.inputs.autoRemediate, false, stack);
      const [minute, hour, dayOfMonth, month, dayOfWeek] = String(drift.inputs.scheduleCron).split(" ");
      assert.ok(/^\d+$/.test(minute) && /^\d+$/.test(hour), `${drift.inputs.scheduleCron} is not once a day`);
      assert.deepEqual([dayOfMonth, month, dayOfWeek], ["*", "*", "*"], String(drift.inputs.scheduleCron));
      assert.deepEqual(drift.options.dependsOn, [findResource(plan, SETTINGS, `${stack}-settings`).urn]);
    }
  });

  it("registers Pulumi's OIDC issuer in AWS with the organization as the audience", () => {
    const [provider] = findResources(plan, OIDC_PROVIDER);
    assert.equal(provider.inputs.url, "https://api.pulumi.com/oidc");
    assert.deepEqual(provider.inputs.clientIdLists, [ADMIN.organization]);
  });

  describe("Pulumi Cloud trusts GitHub Actions of this repository only (CI without a stored token)", () => {
    const issuer = () => findResource(plan, OIDC_ISSUER, "github-actions");
    const policies = () => issuer().inputs.policies as unknown as AuthPolicy[];
    const githubToken = (sub: string, organization = ADMIN.organization) => ({
      aud: `urn:pulumi:org:${organization}`,
      sub,
      iss: "https://token.actions.githubusercontent.com",
    });

    it("registers GitHub Actions' issuer in the organization, its tokens good for an hour at most", () => {
      assert.equal(findResources(plan, OIDC_ISSUER).length, 1);
      assert.equal(issuer().inputs.url, "https://token.actions.githubusercontent.com");
      assert.equal(issuer().inputs.organization, ADMIN.organization);
      assert.ok(
        Number(issuer().inputs.maxExpirationSeconds) <= 3600,
        String(issuer().inputs.maxExpirationSeconds),
      );
    });

    it("allows exactly two subjects, both of this repository: its pull requests and its production environment", () => {
      // The committed admin stack: ams-team/ams-platform in the organization ams-team.
      assert.deepEqual(
        policies().map((policy) => [policy.decision, policy.tokenType, policy.rules]),
        [
          [
            "allow",
            "organization",
            { aud: `urn:pulumi:org:${ADMIN.organization}`, sub: `repo:${ADMIN.repository}:pull_request` },
          ],
          [
            "allow",
            "organization",
            {
              aud: `urn:pulumi:org:${ADMIN.organization}`,
              sub: `repo:${ADMIN.repository}:environment:production`,
            },
          ],
        ],
      );
    });

    it("grants standard organization tokens, never admin ones", () => {
      for (const policy of policies()) assert.deepEqual(policy.authorizedPermissions, ["standard"]);
    });

    it("a pull request's preview job and the production release job get a token", () => {
      assert.deepEqual(exchange(policies(), githubToken(`repo:${ADMIN.repository}:pull_request`)), [
        "standard",
      ]);
      assert.deepEqual(exchange(policies(), githubToken(`repo:${ADMIN.repository}:environment:production`)), [
        "standard",
      ]);
    });

    it("refuses a push, a tag without the environment, another environment, a look-alike repo and another org", () => {
      for (const sub of [
        `repo:${ADMIN.repository}:ref:refs/heads/main`,
        `repo:${ADMIN.repository}:ref:refs/tags/v1.5.0`,
        `repo:${ADMIN.repository}:environment:staging`,
        `repo:${ADMIN.repository}:environment:production-copy`,
        `repo:${ADMIN.repository}-fork:pull_request`,
        `repo:someone-else/${ADMIN.repository.split("/")[1]}:pull_request`,
      ]) {
        assert.equal(exchange(policies(), githubToken(sub)), undefined, sub);
      }
      const otherOrg = githubToken(`repo:${ADMIN.repository}:pull_request`, "someone-else");
      assert.equal(exchange(policies(), otherOrg), undefined);
      // A team or personal token is not on offer at all.
      const pr = githubToken(`repo:${ADMIN.repository}:pull_request`);
      assert.equal(exchange(policies(), pr, "personal"), undefined);
    });

    it("the repository in the policies is the config's githubRepository", async () => {
      const other = await planDeployments("githubRepository=acme/ams-fork");
      const subjects = (
        findResource(other, OIDC_ISSUER, "github-actions").inputs.policies as unknown as AuthPolicy[]
      ).map((policy) => policy.rules.sub);
      assert.deepEqual(subjects, [
        "repo:acme/ams-fork:pull_request",
        "repo:acme/ams-fork:environment:production",
      ]);
    });
  });

  describe("OIDC trust (simulated with @cloud-copilot/iam-simulate)", () => {
    const providerArn = `arn:aws:iam::${MOCK_ACCOUNT_ID}:oidc-provider/api.pulumi.com/oidc`;
    const token = (org: string, stack: string, project = "ams", operation = "update") => ({
      audience: org,
      subject: `pulumi:deploy:org:${org}:project:${project}:stack:${stack}:operation:${operation}:scope:write`,
    });
    const decide = (stack: string, presented: { audience: string; subject: string }) => {
      const role = findResource(plan, ROLE, `ams-${stack}-pulumi-deploy`);
      return canAssumeWithWebIdentity(
        JSON.parse(String(role.inputs.assumeRolePolicy)),
        `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/${role.inputs.name}`,
        { providerArn, providerUrl: "api.pulumi.com/oidc", ...presented },
      );
    };
    const org = () => ADMIN.organization;

    it("the prod role admits prod's deployments, for every operation", () => {
      for (const operation of ["update", "preview", "refresh", "detect-drift"]) {
        assert.equal(decide("prod", token(org(), "prod", "ams", operation)), "Allowed", operation);
      }
    });
    it("the prod role denies the dev stack's token, another project's and a look-alike stack name", () => {
      assert.equal(decide("prod", token(org(), "dev")), "ImplicitlyDenied");
      assert.equal(decide("prod", token(org(), "prod", "ams-deployments")), "ImplicitlyDenied");
      assert.equal(decide("prod", token(org(), "prod-copy")), "ImplicitlyDenied");
    });
    it("the prod role denies a token from another organization, even one naming ours in its subject", () => {
      assert.equal(decide("prod", token("someone-else", "prod")), "ImplicitlyDenied");
      const forged = { audience: "someone-else", subject: token(org(), "prod").subject };
      assert.equal(decide("prod", forged), "ImplicitlyDenied");
    });
    it("each role admits exactly its own stack", () => {
      const stacks = listStacks();
      for (const roleStack of stacks) {
        for (const tokenStack of stacks) {
          const expected = roleStack === tokenStack ? "Allowed" : "ImplicitlyDenied";
          assert.equal(decide(roleStack, token(org(), tokenStack)), expected, `${roleStack} ← ${tokenStack}`);
        }
      }
    });
  });

  describe("through npm run plan -- --project deployments", () => {
    it("plans the admin stack by default and names the project in the tree", async () => {
      const result = await runPlanInProcess("--project", "deployments");
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /^Plan of ams-deployments\/admin: \d+ resources\./m);
      assert.match(result.stdout, /pulumiservice:index:DeploymentSettings {2}prod-settings/);
    });
    it("invalid deployments config exits 2 naming the key, the value and what is allowed", async () => {
      const result = await runPlanInProcess("--project", "deployments", "--set", "awsAccountId=12345");
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stderr, /awsAccountId is "12345"; allowed: a 12-digit AWS account id/);
      assert.doesNotMatch(result.stderr, STACK_TRACE_LINE);
    });
    it("an unknown --project exits 2 listing the projects; --policy is refused for deployments", async () => {
      const unknown = await runPlanInProcess("--project", "policy");
      assert.equal(unknown.status, 2);
      assert.match(unknown.stderr, /--project "policy" .*allowed: ams, deployments/);
      const policy = await runPlanInProcess("--project", "deployments", "--policy");
      assert.equal(policy.status, 2);
      assert.match(policy.stderr, /--policy .* --project deployments/);
    });
  });
});

/** Property names the package's declarations mark `@deprecated` (resource args and input types). */
function deprecatedFields(): Set<string> {
  const packageDir = path.dirname(require.resolve("@pulumi/pulumiservice/package.json"));
  const names = new Set<string>();
  for (const file of ["deploymentSettings.d.ts", "driftSchedule.d.ts", path.join("types", "input.d.ts")]) {
    const text = fs.readFileSync(path.join(packageDir, file), "utf8");
    for (const match of text.matchAll(/@deprecated[^/]*\*\/\s*(?:readonly\s+)?(\w+)\??:/g))
      names.add(match[1]);
  }
  return names;
}

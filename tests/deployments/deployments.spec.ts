import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { findResource, findResources, Plan } from "../../plan/plan";
import { MOCK_ACCOUNT_ID } from "../../plan/mockOutputs";
import { listStacks, loadProject } from "../../plan/projectFiles";
import { runPlanInProcess, STACK_TRACE_LINE } from "../helpers/cli";
import { DIR, planDeployments, SETTINGS, settingsOf, triggersDeployment } from "../helpers/deployments";
import { RELEASE_COMMIT_GUARD } from "../../deployments/settings";
import { GITHUB_TOKEN_MAX_SECONDS, PREVIEW_TEAM, RELEASE_TEAM } from "../../deployments/githubIssuer";

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

interface AuthPolicy {
  decision: string;
  tokenType: string;
  authorizedPermissions?: string[];
  teamName?: string;
  userLogin?: string;
  rules: Record<string, string>;
}

/**
 * Pulumi Cloud's token exchange, as its docs describe it
 * (https://www.pulumi.com/docs/administration/access-identity/oidc-issuers/): a GitHub id token gets a token
 * of the requested type (and team, for a team token) when an `allow` policy of that type has every rule's
 * claim matched — `*` any run of characters, `?` zero or one, `.` exactly one — and no `deny` policy
 * matches. Returns the policy that grants it, or undefined when the exchange is refused.
 */
function exchange(
  policies: readonly AuthPolicy[],
  claims: Record<string, string>,
  request: { tokenType: string; team?: string },
): AuthPolicy | undefined {
  const pattern = (text: string) =>
    new RegExp(
      `^${[...text].map((c) => (c === "*" ? ".*" : c === "?" ? ".?" : c === "." ? "." : escapeRegExp(c))).join("")}$`,
    );
  const matches = (policy: AuthPolicy) =>
    policy.tokenType === request.tokenType &&
    (request.tokenType !== "team" || policy.teamName === request.team) &&
    Object.entries(policy.rules).every(([claim, rule]) => pattern(rule).test(claims[claim] ?? ""));
  if (policies.some((policy) => policy.decision === "deny" && matches(policy))) return undefined;
  return policies.find((policy) => policy.decision === "allow" && matches(policy));
}
const escapeRegExp = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, "\\$&");

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
    // The full ref, as Pulumi's CLI writes it and every Pulumi example sets it (deployments/stacks.ts).
    assert.deepEqual(trigger("dev"), { branch: "refs/heads/develop", deployCommits: true });
    assert.deepEqual(trigger("staging"), { branch: "refs/heads/main", deployCommits: true });
    assert.deepEqual(trigger("prod"), { branch: "refs/heads/main", deployCommits: false });
  });

  it("runs no pull request's code in Deployments (CI previews them read-only), and no review stacks", () => {
    for (const stack of listStacks()) {
      const { vcs, sourceContext } = settingsOf(plan, stack);
      assert.equal(vcs.provider, "github", stack);
      assert.equal(vcs.repository, ADMIN.repository, stack);
      // A Deployments pull-request preview runs unreviewed code with a stack-admin Pulumi token.
      assert.equal(vcs.previewPullRequests, false, stack);
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
      "components/delivery/blueGreen/service.ts",
      "config/parse.ts",
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
      "tests/components/delivery/blueGreen/blueGreen.spec.ts",
      "Pulumi.dev.yaml",
      ".github/workflows/ci.yml",
      "deployments/index.ts",
    ]) {
      assert.equal(deploys(file), false, file);
    }
    assert.ok(paths.includes("!docs/**") && paths.includes("!**/*.md"), paths.join(" "));
  });

  it("checks a release's pinned commit, runs npm ci, and takes AWS credentials from the stack's deploy role", () => {
    for (const stack of listStacks()) {
      const { operationContext } = settingsOf(plan, stack);
      assert.deepEqual(operationContext.preRunCommands, [RELEASE_COMMIT_GUARD, "npm ci"], stack);
      const role = findResource(plan, ROLE, `ams-${stack}-pulumi-deploy`);
      assert.equal(
        operationContext.oidc.aws.roleARN,
        `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/${role.inputs.name}`,
      );
      // Pulumi fills in the operation and the version; STS's RoleSessionName then must be 2–64 of letters,
      // digits and +=,.@- — for the longest operation name and a ten-digit version too.
      const rendered = operationContext.oidc.aws.sessionName
        .replace("${deployment.operation}", "refresh")
        .replace("${deployment.version}", "4294967295");
      assert.match(rendered, /^[\w+=,.@-]{2,64}$/);
      assert.ok(rendered.includes(`-${stack}-refresh-`), rendered);
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

  describe("Pulumi Cloud tokens by trust (GitHub Actions of this repository, no stored token)", () => {
    const issuer = () => findResource(plan, OIDC_ISSUER, "github-actions");
    const policies = () => issuer().inputs.policies as unknown as AuthPolicy[];
    const repo = () => ADMIN.repository;
    const aud = (organization = ADMIN.organization) => `urn:pulumi:org:${organization}`;
    /** GitHub's claims for a job (https://docs.github.com/en/actions/reference/security/oidc). */
    const pullRequestJob = (workflow = "ci.yml", extra: Record<string, string> = {}) => ({
      aud: aud(),
      iss: "https://token.actions.githubusercontent.com",
      sub: `repo:${repo()}:pull_request`,
      event_name: "pull_request",
      ref: "refs/pull/42/merge",
      workflow_ref: `${repo()}/.github/workflows/${workflow}@refs/pull/42/merge`,
      ...extra,
    });
    const releaseJob = (extra: Record<string, string> = {}) => ({
      aud: aud(),
      iss: "https://token.actions.githubusercontent.com",
      sub: `repo:${repo()}:environment:production`,
      environment: "production",
      event_name: "push",
      ref: "refs/tags/v1.5.0",
      workflow_ref: `${repo()}/.github/workflows/release.yml@refs/tags/v1.5.0`,
      ...extra,
    });
    const preview = { tokenType: "team", team: PREVIEW_TEAM };
    const release = { tokenType: "team", team: RELEASE_TEAM };
    const teamPermission = (team: string) =>
      findResources(plan, "pulumiservice:index:TeamStackPermission")
        .filter((r) => r.inputs.team === team)
        .map((r) => [r.inputs.project, r.inputs.stack, r.inputs.permission]);

    it("registers GitHub Actions' issuer; no token outlives the release's wait", () => {
      assert.equal(findResources(plan, OIDC_ISSUER).length, 1);
      assert.equal(issuer().inputs.url, "https://token.actions.githubusercontent.com");
      assert.equal(issuer().inputs.organization, ADMIN.organization);
      assert.equal(Number(issuer().inputs.maxExpirationSeconds), GITHUB_TOKEN_MAX_SECONDS);
    });

    it("issues team tokens only — no organization, personal or admin token", () => {
      for (const policy of policies()) {
        assert.equal(policy.tokenType, "team");
        assert.equal(policy.authorizedPermissions, undefined);
      }
      assert.equal(exchange(policies(), pullRequestJob(), { tokenType: "organization" }), undefined);
      assert.equal(exchange(policies(), releaseJob(), { tokenType: "organization" }), undefined);
      assert.equal(exchange(policies(), releaseJob(), { tokenType: "personal" }), undefined);
    });

    it("the preview team reads every AMS stack and can do nothing else; the release team may deploy prod only", () => {
      const amsProject = loadProject().name;
      const byStack = (a: unknown[], b: unknown[]) => String(a[1]).localeCompare(String(b[1]));
      assert.deepEqual(
        teamPermission(PREVIEW_TEAM).sort(byStack),
        listStacks().map((stack) => [amsProject, stack, 101]),
        "Read (101) on each stack",
      );
      assert.deepEqual(teamPermission(RELEASE_TEAM), [[amsProject, "prod", 102]], "Write (102) on prod");
    });

    it("a pull-request job gets the read-only preview token, whatever workflow file its branch runs", () => {
      assert.equal(exchange(policies(), pullRequestJob(), preview)?.teamName, PREVIEW_TEAM);
      assert.equal(exchange(policies(), pullRequestJob("evil.yml"), preview)?.teamName, PREVIEW_TEAM);
      // …and never the release token, even from a branch whose workflow names the environment or copies
      // release.yml: its event, ref and workflow ref are a pull request's.
      for (const job of [
        pullRequestJob("release.yml"),
        pullRequestJob("release.yml", {
          sub: `repo:${repo()}:environment:production`,
          environment: "production",
        }),
      ]) {
        assert.equal(exchange(policies(), job, release), undefined, JSON.stringify(job));
      }
    });

    it("only release.yml, run for a pushed v* tag in the production environment, gets the release token", () => {
      assert.equal(exchange(policies(), releaseJob(), release)?.teamName, RELEASE_TEAM);
      const refused: Record<string, string>[] = [
        { ref: "refs/heads/main", workflow_ref: `${repo()}/.github/workflows/release.yml@refs/heads/main` },
        { workflow_ref: `${repo()}/.github/workflows/ci.yml@refs/tags/v1.5.0` },
        { event_name: "workflow_dispatch" },
        { sub: `repo:${repo()}:environment:staging` },
        { sub: `repo:${repo()}:ref:refs/tags/v1.5.0` },
        {
          ref: "refs/tags/release-1",
          workflow_ref: `${repo()}/.github/workflows/release.yml@refs/tags/release-1`,
        },
        { sub: `repo:${repo()}-fork:environment:production` },
        { aud: aud("someone-else") },
      ];
      for (const change of refused) {
        assert.equal(exchange(policies(), releaseJob(change), release), undefined, JSON.stringify(change));
      }
      // The release job does not get the preview token either (it has no use for it).
      assert.equal(exchange(policies(), releaseJob(), preview), undefined);
    });

    it("refuses pushes, other repositories and other organizations the preview token too", () => {
      const refused: Record<string, string>[] = [
        { sub: `repo:${repo()}:ref:refs/heads/main`, event_name: "push" },
        { sub: `repo:${repo()}-fork:pull_request` },
        { sub: `repo:someone-else/${repo().split("/")[1]}:pull_request` },
        { aud: aud("someone-else") },
      ];
      for (const change of refused) {
        assert.equal(
          exchange(policies(), pullRequestJob("ci.yml", change), preview),
          undefined,
          JSON.stringify(change),
        );
      }
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

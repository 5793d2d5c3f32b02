import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { IMAGE_TAG_PATTERN } from "../../config/fields";
import { ciPushPolicy, ciTrustPolicy } from "../../components/environment/registry/ciPushRole";
import { IMAGES, repositoryName } from "../../components/environment/registry/repositories";
import { AMS_STACKS } from "../../deployments/stacks";
import { promotionMessage } from "../../tools/promote/trailers";
import { MOCK_ACCOUNT_ID } from "../../plan/mockOutputs";
import { loadProject, loadStackConfig } from "../../plan/projectFiles";
import { PROJECT_DIR } from "../../tools/cli/project";
import { declaredConfig } from "../../plan/runPlan";
import { withGitRepo } from "../helpers/gitRepo";
import { canAssumeWithWebIdentity, identityDecision } from "../helpers/iam";
import { planOf, STACKS } from "../helpers/plans";
import { findResources, Plan } from "../../plan/plan";
import {
  Job,
  readWorkflow,
  runStep,
  Step,
  stepNamed,
  workflowErrors,
  workflowParts,
  workflowText,
} from "../helpers/workflows";

const FILE = "ams-app-pipeline.yml";

/**
 * The database variables a migration Job gets: the keys of the Secrets its container reads (`envFrom`) that
 * an ExternalSecret builds from a template (the migrator's URL, user and password), from the planned objects.
 */
function migrationDatabaseVariables(plan: Plan): string[] {
  const jobs = findResources(plan, "kubernetes:batch/v1:Job").filter(
    (resource) =>
      (resource.inputs.metadata as { labels: Record<string, string> }).labels[
        "app.kubernetes.io/component"
      ] === "migration",
  );
  assert.ok(jobs.length > 0, "the plan has a migration Job");
  const spec = jobs[0].inputs.spec as {
    template: { spec: { containers: { envFrom: { secretRef?: { name: string } }[] }[] } };
  };
  const secrets = spec.template.spec.containers[0].envFrom.flatMap((source) =>
    source.secretRef ? [source.secretRef.name] : [],
  );
  return findResources(plan, "kubernetes:external-secrets.io/v1:ExternalSecret")
    .filter((resource) => secrets.includes((resource.inputs.metadata as { name: string }).name))
    .flatMap((resource) =>
      Object.keys(
        (resource.inputs.spec as { target: { template?: { data?: Record<string, string> } } }).target.template
          ?.data ?? {},
      ),
    )
    .sort();
}
const pipeline = () => readWorkflow(FILE);
const job = (id: string): Job => pipeline().jobs[id];
const usesOf = (step: Step, action: string) => (step.uses ?? "").startsWith(`${action}@`);
const stepUsing = (j: Job, action: string): Step => {
  const found = j.steps.find((step) => usesOf(step, action));
  assert.ok(found, `no step uses ${action}`);
  return found;
};

interface WorkflowCall {
  inputs: Record<string, { type: string; required?: boolean; default?: string }>;
  secrets: Record<string, { required?: boolean }>;
}
const workflowCall = () => pipeline().on.workflow_call as WorkflowCall;

/** The stacks' committed config, validated by the program. */
const stackConfig = (stack: string) => declaredConfig(loadProject(), loadStackConfig(stack), stack, []);

/** The application repository: the stacks' `githubRepository`, which the CI push role trusts. */
const APP_REPOSITORY = "ams-team/ams";
const SHA = "0123456789abcdef0123456789abcdef01234567";

describe("ams-app-pipeline.yml: the AMS application's reusable pipeline", function () {
  this.timeout(60_000);

  describe("shape", () => {
    it("is only a reusable workflow, with the inputs and secrets docs/app-pipeline.md documents", () => {
      assert.deepEqual(Object.keys(pipeline().on), ["workflow_call"]);
      const { inputs, secrets } = workflowCall();
      const required = Object.keys(inputs).filter((name) => inputs[name].required);
      assert.deepEqual(required, ["aws-region", "push-role-arns", "promotion-app-client-id"]);
      assert.deepEqual(
        Object.entries(secrets).map(([name, secret]) => [name, secret.required === true]),
        [
          ["promotion-app-private-key", true],
          ["sonar-token", false],
        ],
      );
      const docs = fs.readFileSync(path.join(PROJECT_DIR, "docs", "app-pipeline.md"), "utf8");
      for (const name of [...Object.keys(inputs), ...Object.keys(secrets)])
        assert.ok(docs.includes(`\`${name}\``), `${name} is not documented in docs/app-pipeline.md`);
    });

    it("the caller in docs/app-pipeline.md is a valid workflow that passes every required input and secret", async () => {
      const docs = fs.readFileSync(path.join(PROJECT_DIR, "docs", "app-pipeline.md"), "utf8");
      const block = /```yaml\n(# \.github\/workflows\/pipeline\.yml[\s\S]*?)```/.exec(docs);
      assert.ok(block, "no caller example (```yaml starting with # .github/workflows/pipeline.yml)");
      const caller = block[1].replace("PLATFORM_COMMIT_SHA", SHA);
      assert.deepEqual(await workflowErrors("pipeline.yml", caller), []);
      const calling = Object.values(
        (YAML.parse(caller) as { jobs: Record<string, Record<string, unknown>> }).jobs,
      )[0];
      assert.equal(calling.uses, `ams-team/ams-platform/.github/workflows/${FILE}@${SHA}`);
      const { inputs, secrets } = workflowCall();
      const passed = Object.keys(calling.with as object);
      assert.deepEqual(
        passed.filter((name) => !(name in inputs)),
        [],
        "inputs the workflow does not declare",
      );
      for (const [name, input] of Object.entries(inputs))
        if (input.required) assert.ok(passed.includes(name), `required input ${name} not passed`);
      for (const [name, secret] of Object.entries(secrets))
        if (secret.required)
          assert.ok(name in (calling.secrets as object), `required secret ${name} not passed`);
      // The caller grants what the pipeline's jobs ask for: a called workflow can only lower it.
      assert.deepEqual((YAML.parse(caller) as { permissions: object }).permissions, {
        contents: "read",
        "id-token": "write",
      });
    });

    it("its defaults are this repository's facts: the platform repository, the migration command", () => {
      const { inputs } = workflowCall();
      const admin = YAML.parse(
        fs.readFileSync(path.join(PROJECT_DIR, "deployments", "Pulumi.admin.yaml"), "utf8"),
      );
      assert.equal(inputs["platform-repository"].default, admin.config["ams-deployments:githubRepository"]);
      const declared = loadProject().config.migrationCommand.default as string[];
      assert.equal(inputs["migration-command"].default, declared.join(" "));
      // And every stack's push role trusts the one application repository that calls it.
      for (const stack of STACKS)
        assert.equal(stackConfig(stack).registry.githubRepository, APP_REPOSITORY, stack);
    });

    it("no run script contains an expression: inputs and outputs reach scripts through env (no injection)", async () => {
      const { runs } = await workflowParts(FILE, workflowText(FILE));
      assert.ok(runs.length >= 8);
      assert.deepEqual(
        runs.filter((run) => run.script.includes("${{")).map((run) => `${run.job}:${run.line}`),
        [],
      );
    });
  });

  describe("quality gates before any push", () => {
    it("builds one image per ECR repository the program creates, each from its module's Dockerfile", () => {
      const include = job("images").strategy?.matrix?.include as { image: string; module: string }[];
      assert.deepEqual(
        include.map((entry) => entry.image),
        [...IMAGES],
      );
      for (const entry of include) assert.equal(entry.image, `ams-${entry.module}`);
    });

    it("PostgreSQL in CI is the major version every stack runs", () => {
      const majors = STACKS.map((stack) => stackConfig(stack).data.postgres.engineVersion.split(".")[0]);
      assert.deepEqual(new Set(majors).size, 1, `stacks differ: ${majors.join(", ")}`);
      for (const id of ["build", "images"])
        assert.equal(job(id).services?.postgres.image, `postgres:${majors[0]}`, id);
    });

    it("Trivy fails the job on fixable HIGH and CRITICAL findings, in the layout that is pushed", () => {
      const images = job("images");
      const [scan, sbom] = images.steps.filter((step) => usesOf(step, "aquasecurity/trivy-action"));
      assert.deepEqual(
        {
          severity: scan.with?.severity,
          ignoreUnfixed: scan.with?.["ignore-unfixed"],
          exitCode: scan.with?.["exit-code"],
        },
        { severity: "HIGH,CRITICAL", ignoreUnfixed: true, exitCode: "1" },
      );
      assert.equal(sbom.with?.format, "cyclonedx");
      const build = stepNamed(images, /as an OCI layout/);
      const layout = "${{ runner.temp }}/image-${{ matrix.image }}/oci";
      assert.ok(String(build.with?.outputs).startsWith(`type=oci,dest=${layout},tar=false`));
      assert.equal(scan.with?.input, layout);
      assert.equal(sbom.with?.input, layout);
      // One manifest per image: no BuildKit attestation index that would change what was scanned.
      assert.deepEqual([build.with?.provenance, build.with?.sbom, build.with?.push], [false, false, false]);
      assert.equal(images.steps.indexOf(scan) > images.steps.indexOf(build), true);
    });

    it("nothing is pushed or promoted unless build, tests, lint and every image passed", () => {
      assert.deepEqual(job("publish").needs, ["version", "build", "quality", "images"]);
      assert.deepEqual(job("promote").needs, ["version", "publish"]);
      for (const id of ["publish", "promote"])
        assert.equal(job(id).if, "needs.version.outputs.publish == 'true'");
    });

    it("the migrations dry run runs the image as the migration Job does: the command replaces the entrypoint", () => {
      const dryRun = stepNamed(job("images"), /Migrations dry run/);
      assert.equal(dryRun.if, "matrix.image == 'ams-migrations'");
      const docker = (command: string) =>
        runStep(dryRun.run as string, {
          env: { MIGRATION_COMMAND: command },
          stubs: { docker: 'printf "%s\\n" "$*" >> "$STUB_DIR/docker.log"' },
        });
      const result = docker("flyway -connectRetries=10 migrate");
      assert.equal(result.status, 0, result.stderr);
      const calls = result.read("docker.log").trim().split("\n");
      assert.equal(calls.length, 2, "run twice");
      for (const call of calls) {
        assert.match(call, /--entrypoint flyway ams-migrations:dry-run -connectRetries=10 migrate$/);
      }
    });

    it("the dry run's database variables are the ones the planned migration Job gets from its ExternalSecret", async () => {
      const plan = await planOf("dev");
      const names = migrationDatabaseVariables(plan);
      assert.ok(names.length >= 3, `the migration Job's database variables: ${names.join(", ")}`);
      const result = runStep(stepNamed(job("images"), /Migrations dry run/).run as string, {
        env: { MIGRATION_COMMAND: "flyway migrate" },
        stubs: { docker: 'printf "%s\\n" "$*" >> "$STUB_DIR/docker.log"' },
      });
      assert.equal(result.status, 0, result.stderr);
      for (const call of result.read("docker.log").trim().split("\n")) {
        const given = [...call.matchAll(/--env ([A-Z_]+)=/g)].map((match) => match[1]).sort();
        assert.deepEqual(given, names);
      }
    });
  });

  describe("version and targets (the version step, run with bash on real Git repositories)", () => {
    const versionStep = () => stepNamed(job("version"), /The image version/).run as string;
    const roles = JSON.stringify(
      Object.fromEntries(
        STACKS.map((stack) => [stack, `arn:aws:iam::111122223333:role/ams-${stack}-ci-push`]),
      ),
    );
    const run = (repo: string, ref: string, event = "push", pushRoles = roles) =>
      runStep(versionStep(), {
        cwd: repo,
        env: {
          GITHUB_REF: ref,
          GITHUB_EVENT_NAME: event,
          GITHUB_REPOSITORY: APP_REPOSITORY,
          GITHUB_RUN_NUMBER: "77",
          PUSH_ROLE_ARNS: pushRoles,
        },
      });
    const history = (work: (repo: string, git: (...args: string[]) => string) => void) =>
      withGitRepo((repo, git) => {
        git("commit", "-q", "--allow-empty", "--date", "2024-05-01T10:00:00+09:00", "-m", "first");
        git("tag", "v1.4.0");
        git("commit", "-q", "--allow-empty", "--date", "2024-05-02T10:00:00+09:00", "-m", "second");
        git("commit", "-q", "--allow-empty", "--date", "2024-05-03T10:00:00+09:00", "-m", "third");
        git("update-ref", "refs/remotes/origin/main", "main");
        work(repo, git);
      });
    const branchOf = (stack: string) => AMS_STACKS.find((entry) => entry.stack === stack)?.branch;

    it("a push to main is a unique pre-release of the next patch for dev, promoted into dev's branch", () =>
      history((repo, git) => {
        const result = run(repo, "refs/heads/main");
        assert.equal(result.status, 0, result.stdout + result.stderr);
        const short = git("rev-parse", "--short=12", "HEAD");
        assert.equal(result.outputs.version, `1.4.1-main.2.g${short}`);
        assert.match(result.outputs.version, IMAGE_TAG_PATTERN);
        assert.deepEqual(JSON.parse(result.outputs.targets), [{ stack: "dev", branch: branchOf("dev") }]);
        assert.equal(result.outputs.publish, "true");
        assert.equal(result.outputs["app-commit"], `${APP_REPOSITORY}@${git("rev-parse", "HEAD")}`);
        assert.equal(result.outputs["app-commit-time"], "2024-05-03T10:00:00+09:00");
        assert.equal(result.outputs["source-date-epoch"], git("show", "-s", "--format=%ct", "HEAD"));
      }));

    it("a release tag vX.Y.Z on main is version X.Y.Z for staging and prod, into the branch they deploy from", () =>
      history((repo, git) => {
        git("tag", "v1.5.0");
        const result = run(repo, "refs/tags/v1.5.0");
        assert.equal(result.status, 0, result.stdout);
        assert.equal(result.outputs.version, "1.5.0");
        assert.deepEqual(JSON.parse(result.outputs.targets), [
          { stack: "staging", branch: branchOf("staging") },
          { stack: "prod", branch: branchOf("prod") },
        ]);
      }));

    it("refuses a tag that is not vMAJOR.MINOR.PATCH, or not on main", () =>
      history((repo, git) => {
        git("tag", "v1.5");
        assert.match(run(repo, "refs/tags/v1.5").stdout, /::error::tag v1\.5 is not a release tag/);
        git("checkout", "-q", "-b", "feature");
        git("commit", "-q", "--allow-empty", "-m", "unreviewed");
        git("tag", "v9.9.9");
        const result = run(repo, "refs/tags/v9.9.9");
        assert.equal(result.status, 1);
        assert.match(result.stdout, /::error::v9\.9\.9 is not on main/);
      }));

    it("a pull request builds and checks but publishes nothing; main without a release tag starts at 0.0.1", () =>
      withGitRepo((repo, git) => {
        git("commit", "-q", "--allow-empty", "-m", "first");
        const pr = run(repo, "refs/pull/12/merge", "pull_request");
        assert.equal(pr.status, 0, pr.stdout);
        assert.deepEqual([pr.outputs.publish, pr.outputs.targets], ["false", "[]"]);
        assert.match(pr.outputs.version, /^0\.0\.0-ci\.77\.g[0-9a-f]{12}$/);
        assert.match(run(repo, "refs/heads/main").outputs.version, /^0\.0\.1-main\.1\.g[0-9a-f]{12}$/);
      }));

    it("a publishing run without a push role for its stack stops before building anything", () =>
      history((repo) => {
        const result = run(
          repo,
          "refs/heads/main",
          "push",
          JSON.stringify({ prod: "arn:aws:iam::111122223333:role/x" }),
        );
        assert.equal(result.status, 1);
        assert.match(result.stdout, /::error::push-role-arns has no role ARN for dev/);
      }));
  });

  describe("push to ECR", () => {
    it("only the stack's CI push role, through GitHub's OIDC token, from a job without an environment", () => {
      const publish = job("publish");
      assert.equal(publish.permissions?.["id-token"], "write");
      assert.equal(publish.environment, undefined);
      const aws = stepUsing(publish, "aws-actions/configure-aws-credentials");
      assert.equal(
        aws.with?.["role-to-assume"],
        "${{ fromJSON(inputs.push-role-arns)[matrix.target.stack] }}",
      );
      assert.deepEqual(
        Object.keys(aws.with ?? {}).filter((key) => /key|secret|token/i.test(key)),
        [],
      );
    });

    it("the role admits exactly the runs that publish: main and release tags of the app, not pull requests", () => {
      const provider = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com";
      const trust = ciTrustPolicy(provider, APP_REPOSITORY);
      const assume = (subject: string) =>
        canAssumeWithWebIdentity(trust, "arn:aws:iam::111122223333:role/ams-dev-ci-push", {
          providerArn: provider,
          providerUrl: "token.actions.githubusercontent.com",
          subject,
        });
      // The subjects GitHub gives the publish job (the caller's context) for the runs the version step publishes.
      assert.equal(assume(`repo:${APP_REPOSITORY}:ref:refs/heads/main`), "Allowed");
      assert.equal(assume(`repo:${APP_REPOSITORY}:ref:refs/tags/v1.5.0`), "Allowed");
      // A pull request, or the same job moved into an environment, gets another subject: refused.
      assert.equal(assume(`repo:${APP_REPOSITORY}:pull_request`), "ImplicitlyDenied");
      assert.equal(assume(`repo:${APP_REPOSITORY}:environment:production`), "ImplicitlyDenied");
    });

    it("the role's policy allows every registry call of the push, on its stack's repositories only", async () => {
      const arn = (stack: string, image: string) =>
        `arn:aws:ecr:ap-northeast-2:${MOCK_ACCOUNT_ID}:repository/${repositoryName(stack as "dev", image as "ams-api")}`;
      const policy = ciPushPolicy(IMAGES.map((image) => arn("dev", image)));
      // What pushing an image and an OCI referrer needs (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-push-iam.html);
      // resolving a tag and listing referrers read through BatchGetImage.
      const calls = [
        "ecr:BatchCheckLayerAvailability",
        "ecr:InitiateLayerUpload",
        "ecr:UploadLayerPart",
        "ecr:CompleteLayerUpload",
        "ecr:PutImage",
        "ecr:BatchGetImage",
      ];
      for (const image of IMAGES)
        for (const action of calls)
          assert.equal(await identityDecision(policy, action, arn("dev", image)), "Allowed");
      assert.equal(await identityDecision(policy, "ecr:GetAuthorizationToken", "*"), "Allowed");
      assert.equal(
        await identityDecision(policy, "ecr:PutImage", arn("prod", "ams-api")),
        "ImplicitlyDenied",
      );
      assert.equal(
        await identityDecision(policy, "ecr:BatchDeleteImage", arn("dev", "ams-api")),
        "ImplicitlyDenied",
      );
    });

    describe("the push step (oras stubbed, recording its calls)", () => {
      const pushStep = () => stepNamed(job("publish"), /Push each image/).run as string;
      const ORAS = `printf '%s\\n' "$*" >> "$STUB_DIR/oras.log"
case "$1" in
  resolve) f="$STUB_DIR/tag-$(printf '%s' "$2" | tr '/:' '__')"; if [ -f "$f" ]; then cat "$f"; else echo "not found" >&2; exit 1; fi ;;
  discover) printf '{"referrers": %s}\\n' "$(cat "$STUB_DIR/referrers" 2>/dev/null || echo '[]')" ;;
esac`;
      const digestOf = (image: string) => `sha256:${Buffer.from(image).toString("hex").padEnd(64, "0")}`;

      function push(files: Record<string, string> = {}) {
        const images = fs.mkdtempSync(path.join(os.tmpdir(), "ams-images-"));
        for (const image of IMAGES) {
          fs.mkdirSync(path.join(images, `image-${image}`, "oci"), { recursive: true });
          fs.writeFileSync(
            path.join(images, `image-${image}`, "oci", "index.json"),
            JSON.stringify({ schemaVersion: 2, manifests: [{ digest: digestOf(image) }] }),
          );
          fs.writeFileSync(path.join(images, `image-${image}`, "sbom.cdx.json"), "{}");
        }
        const result = runStep(pushStep(), {
          env: {
            REGISTRY: "111122223333.dkr.ecr.ap-northeast-2.amazonaws.com",
            STACK: "prod",
            VERSION: "1.5.0",
            IMAGES_DIR: images,
            SBOM_TYPE: "application/vnd.cyclonedx+json",
          },
          stubs: { oras: ORAS },
          files,
        });
        fs.rmSync(images, { recursive: true, force: true });
        return { ...result, calls: result.read("oras.log").trim().split("\n"), images };
      }
      const ref = (image: string) => `111122223333.dkr.ecr.ap-northeast-2.amazonaws.com/prod/${image}`;

      it("copies each layout under its version tag, then attaches its SBOM to that digest by the referrers API", () => {
        const result = push();
        assert.equal(result.status, 0, result.stdout + result.stderr);
        for (const image of IMAGES) {
          assert.ok(
            result.calls.some(
              (call) =>
                /^cp --from-oci-layout /.test(call) &&
                call.endsWith(`/image-${image}/oci@${digestOf(image)} ${ref(image)}:1.5.0`),
            ),
            result.calls.join("\n"),
          );
          assert.ok(
            result.calls.includes(
              `attach --distribution-spec v1.1-referrers-api --artifact-type application/vnd.cyclonedx+json ${ref(image)}@${digestOf(image)} sbom.cdx.json:application/vnd.cyclonedx+json`,
            ),
          );
        }
      });

      it("a re-run finds its own digest under the tag and its SBOM attached: nothing pushed twice", () => {
        const files = Object.fromEntries([
          ...IMAGES.map((image) => [`tag-${`${ref(image)}:1.5.0`.replace(/[/:]/g, "_")}`, digestOf(image)]),
          ["referrers", '[{"digest": "sha256:5b0"}]'],
        ]);
        const result = push(files);
        assert.equal(result.status, 0, result.stdout + result.stderr);
        assert.deepEqual(
          result.calls.filter((call) => /^(cp|attach) /.test(call)),
          [],
        );
      });

      it("a tag holding another build fails the job: tags are immutable", () => {
        const result = push({ [`tag-${`${ref("ams-api")}:1.5.0`.replace(/[/:]/g, "_")}`]: "sha256:other" });
        assert.equal(result.status, 1);
        assert.match(
          result.stdout,
          /::error::.*prod\/ams-api:1\.5\.0 already holds sha256:other, not this build's sha256:/,
        );
      });
    });
  });

  describe("the promotion pull request", () => {
    it("asks the GitHub App for Contents and Pull requests on the platform repository, and nothing else", () => {
      const promote = job("promote");
      assert.deepEqual(promote.permissions, {}, "no GITHUB_TOKEN permission");
      const token = stepUsing(promote, "actions/create-github-app-token");
      const permissions = Object.entries(token.with ?? {}).filter(([key]) => key.startsWith("permission-"));
      assert.deepEqual(permissions, [
        ["permission-contents", "write"],
        ["permission-pull-requests", "write"],
      ]);
      assert.equal(token.with?.repositories, "${{ steps.platform.outputs.name }}");
      assert.equal(promote.concurrency?.["cancel-in-progress"], false);
    });

    it("the promote step turns a refusal into a failed job with no pull request, and reports whether anything changed", () =>
      withGitRepo((repo, git) => {
        fs.writeFileSync(path.join(repo, "Pulumi.dev.yaml"), "config:\n  ams:blueVersion: 1.4.0\n");
        git("add", ".");
        git("commit", "-q", "-m", "dev");
        const step = stepNamed(job("promote"), /npm run promote/).run as string;
        const npm = (body: string) =>
          runStep(step, {
            cwd: repo,
            env: {
              STACK: "dev",
              VERSION: "1.5.0",
              APP_COMMIT: `${APP_REPOSITORY}@${SHA}`,
              APP_COMMIT_TIME: "2024-05-20T10:00:00Z",
            },
            stubs: { npm: `printf '%s\\n' "$*" > "$STUB_DIR/npm.args"\n${body}` },
          });
        const refused = npm('echo "Refused: greenVersion is ..." >&2; exit 4');
        assert.equal(refused.status, 1);
        assert.match(refused.stdout, /::error::the AMS guard rails refuse 1\.5\.0 on dev/);
        assert.equal(refused.outputs.changed, undefined);

        const unchanged = npm("echo plan; exit 0");
        assert.equal(unchanged.status, 0, unchanged.stderr);
        assert.equal(unchanged.outputs.changed, "false");
        assert.match(
          unchanged.read("npm.args"),
          new RegExp(
            `^run promote -- --stack dev --version 1\\.5\\.0 --app-commit ${APP_REPOSITORY}@${SHA} --app-commit-time 2024-05-20T10:00:00Z --message-file .*promotion-message$`,
            "m",
          ),
        );

        const changed = npm(`sed -i 's/1.4.0/1.5.0/' Pulumi.dev.yaml; echo plan`);
        assert.equal(changed.outputs.changed, "true");
        assert.equal(npm("exit 1").status, 1);
      }));

    describe("opening it (real Git with a bare origin, gh stubbed)", () => {
      const GH = `printf '%s\\n' "$*" >> "$STUB_DIR/gh.log"
prev=""; for a in "$@"; do if [ "$prev" = "--body-file" ]; then cp "$a" "$STUB_DIR/body.md"; fi; prev="$a"; done
case "$1 $2" in
  "api /users/ams-promoter[bot]") echo 4242 ;;
  "pr list") cat "$STUB_DIR/open-pr" 2>/dev/null || true ;;
esac`;
      const message = promotionMessage(
        { stack: "dev", key: "greenVersion", from: "1.4.0", version: "1.5.0", effect: "To the idle color." },
        { repository: APP_REPOSITORY, sha: SHA, time: new Date("2024-05-20T10:00:00Z") },
      );

      function open(openPr?: string) {
        return withGitRepo((origin, git) => {
          fs.writeFileSync(path.join(origin, "Pulumi.dev.yaml"), "config:\n  ams:greenVersion: 1.4.0\n");
          fs.writeFileSync(path.join(origin, "README.md"), "x\n");
          git("add", ".");
          git("commit", "-q", "-m", "platform");
          git("branch", "develop");
          const clone = fs.mkdtempSync(path.join(os.tmpdir(), "ams-platform-clone-"));
          execFileSync("git", ["clone", "-q", "--branch", "develop", origin, clone]);
          // What npm run promote left in the checkout: the stack file changed, and something unrelated.
          fs.writeFileSync(path.join(clone, "Pulumi.dev.yaml"), "config:\n  ams:greenVersion: 1.5.0\n");
          fs.writeFileSync(path.join(clone, "README.md"), "not part of the promotion\n");
          const step = stepNamed(job("promote"), /Open or update the promotion pull request/).run as string;
          const result = runStep(step, {
            cwd: clone,
            env: {
              GH_TOKEN: "token",
              APP_SLUG: "ams-promoter",
              PLATFORM_REPOSITORY: "ams-team/ams-platform",
              STACK: "dev",
              BASE: "develop",
              GITHUB_SERVER_URL: "https://github.com",
              GITHUB_REPOSITORY: APP_REPOSITORY,
              GITHUB_RUN_ID: "99",
            },
            stubs: { gh: GH },
            files: {
              "promotion-message": message,
              "promotion-plan.txt": "Compare ams/dev: stack config vs --compare greenVersion=1.5.0\n",
              ...(openPr === undefined ? {} : { "open-pr": openPr }),
            },
          });
          const pushed = result.status === 0 ? git("log", "-1", "--format=%an <%ae>%n%B", "promote/dev") : "";
          const files = result.status === 0 ? git("show", "--name-only", "--format=", "promote/dev") : "";
          fs.rmSync(clone, { recursive: true, force: true });
          return { result, pushed, files, gh: result.read("gh.log"), body: result.read("body.md") };
        });
      }

      it("pushes one commit changing only the stack file, with the promotion message, and opens the pull request into the stack's branch", () => {
        const { result, pushed, files, gh, body } = open();
        assert.equal(result.status, 0, result.stdout + result.stderr);
        assert.equal(files, "Pulumi.dev.yaml");
        const [author, ...pushedMessage] = pushed.split("\n");
        assert.equal(author, "ams-promoter[bot] <4242+ams-promoter[bot]@users.noreply.github.com>");
        assert.equal(`${pushedMessage.join("\n").trim()}\n`, message.replace(/\n+$/, "\n"));
        assert.match(
          gh,
          /^pr create --repo ams-team\/ams-platform --base develop --head promote\/dev --title promote\(dev\): greenVersion 1\.5\.0 --body-file /m,
        );
        // The body ends with the trailers, so a squash merge that takes the body still carries them.
        const trailers = execFileSync("git", ["interpret-trailers", "--parse"], {
          input: message,
          encoding: "utf8",
        });
        assert.ok(body.endsWith(trailers), body);
        assert.ok(body.includes("Compare ams/dev"));
      });

      it("an open promotion pull request of the stack is updated instead of a second one", () => {
        const { result, gh } = open("17\n");
        assert.equal(result.status, 0, result.stdout + result.stderr);
        assert.match(
          gh,
          /^pr edit 17 --repo ams-team\/ams-platform --title promote\(dev\): greenVersion 1\.5\.0 --body-file /m,
        );
        assert.doesNotMatch(gh, /pr create/);
      });
    });
  });
});

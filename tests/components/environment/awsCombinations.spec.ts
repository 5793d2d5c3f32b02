import { strict as assert } from "assert";
import { X509Certificate } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { CLUSTER_ADMIN_POLICY_ARN, withoutCreatorAdmin } from "../../../components/environment/clusterAccess";
import { nodeAmiType } from "../../../components/environment/cluster";
import { postgresUsersSql } from "../../../components/environment/data/databaseUsers";
import { regionRootCas } from "../../../components/environment/data/rdsCa";
import { Plan, PlannedResource, findResource, findResources } from "../../../plan/plan";
import { MOCK_ACCOUNT_ID } from "../../../plan/mockOutputs";
import { runPlanInProcess } from "../../helpers/cli";
import { parseStack, problemFor } from "../../helpers/config";
import { identityDecision } from "../../helpers/iam";
import { planDeployed, planOf, STACKS } from "../../helpers/plans";

const RDS_CLUSTER = "aws:rds/cluster:Cluster";
const RDS_INSTANCE = "aws:rds/clusterInstance:ClusterInstance";
const DOCDB = "aws:docdb/cluster:Cluster";
const DOCDB_INSTANCE = "aws:docdb/clusterInstance:ClusterInstance";
const REDIS = "aws:elasticache/replicationGroup:ReplicationGroup";
const EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret";
const POD_OWNERS = [
  "kubernetes:apps/v1:Deployment",
  "kubernetes:argoproj.io/v1alpha1:Rollout",
  "kubernetes:batch/v1:Job",
];

interface PodSpec {
  serviceAccountName?: string;
  containers: {
    envFrom?: { secretRef?: { name: string }; configMapRef?: { name: string } }[];
    env?: { name: string; valueFrom?: { secretKeyRef?: { name: string } } }[];
    volumeMounts?: { name: string; mountPath: string }[];
  }[];
  volumes?: { name: string; secret?: { secretName: string }; configMap?: { name: string } }[];
}

function podSpec(resource: PlannedResource): PodSpec {
  return (resource.inputs.spec as { template: { spec: PodSpec } }).template.spec;
}

function secretsRead(spec: PodSpec): string[] {
  return [
    ...spec.containers.flatMap((c) =>
      (c.envFrom ?? []).flatMap((f) => (f.secretRef ? [f.secretRef.name] : [])),
    ),
    ...spec.containers.flatMap((c) => (c.env ?? []).flatMap((e) => e.valueFrom?.secretKeyRef?.name ?? [])),
    ...(spec.volumes ?? []).flatMap((v) => (v.secret ? [v.secret.secretName] : [])),
  ];
}

function compare(stack: string, ...changes: string[]) {
  return runPlanInProcess(
    "--stack",
    stack,
    ...changes.flatMap((change) => ["--compare", change]),
    "--json",
  ).then((result) => {
    assert.equal(result.status, 0, result.stderr);
    return (
      JSON.parse(result.stdout) as { changes: { type: string; name: string; op: string; paths: string[] }[] }
    ).changes;
  });
}

describe("what AWS accepts: data stores and the cluster (issue 13)", () => {
  describe("PostgreSQL failover without an RDS read replica of a managed password", () => {
    for (const stack of STACKS) {
      it(`${stack}: Aurora with the managed master password, and no RDS read replica at all`, async () => {
        const plan = await planOf(stack);
        // The only RDS instance is the flag service's own small database, which replicates nothing.
        const instances = findResources(plan, "aws:rds/instance:Instance");
        assert.deepEqual(
          instances.filter((instance) => instance.name.startsWith("ams-data-")),
          [],
        );
        for (const instance of instances) assert.equal(instance.inputs.replicateSourceDb, undefined);
        const cluster = findResource(plan, RDS_CLUSTER, "ams-data-postgres");
        assert.equal(cluster.inputs.manageMasterUserPassword, true);
        assert.equal(cluster.inputs.replicationSourceIdentifier, undefined);
        assert.equal(findResources(plan, RDS_INSTANCE).length, parseStack(stack).data.postgres.instanceCount);
      });
    }

    it("prod's writer and reader sit in different zones of the database subnets", async () => {
      const plan = await planOf("prod");
      const zones = findResources(plan, RDS_INSTANCE).map((instance) =>
        String(instance.inputs.availabilityZone),
      );
      assert.ok(zones.length >= 2);
      assert.equal(new Set(zones).size, zones.length);
      for (const zone of zones) assert.match(zone, /^ap-northeast-2[a-f]$/);
    });

    it("config refuses what Aurora refuses: a db.t4g.micro, a major upgrade deferred to the window", () => {
      assert.match(
        problemFor("postgres.instanceClass", "dev", "postgres.instanceClass=db.t4g.micro").allowed,
        /Aurora PostgreSQL runs on/,
      );
      assert.match(
        problemFor(
          "postgres.allowMajorVersionUpgrade",
          "prod",
          "postgres.allowMajorVersionUpgrade=true",
          "postgres.engineVersion=17",
        ).allowed,
        /unless applyImmediately is true/,
      );
      assert.match(
        problemFor("documentDb.engineVersion", "dev", "documentDb.engineVersion=4.0.0").allowed,
        /IAM authentication/,
      );
    });
  });

  describe("staging keeps its data like prod", () => {
    it("deletion protection, final snapshots and protect on every data store", async () => {
      const plan = await planOf("staging");
      for (const type of [RDS_CLUSTER, DOCDB]) {
        const cluster = findResources(plan, type)[0];
        assert.equal(cluster.inputs.deletionProtection, true, type);
        assert.equal(cluster.inputs.skipFinalSnapshot, false, type);
        assert.equal(cluster.inputs.finalSnapshotIdentifier, `${cluster.inputs.clusterIdentifier}-final`);
        assert.equal(cluster.options.protect, true, type);
      }
      const cache = findResource(plan, REDIS, "ams-data-redis");
      assert.equal(cache.inputs.finalSnapshotIdentifier, "ams-staging-redis-final");
      assert.equal(cache.options.protect, true);
    });
  });

  describe("changes happen when the config says, visibly", () => {
    for (const stack of STACKS) {
      it(`${stack}: every data store declares applyImmediately as its config block says`, async () => {
        const plan = await planOf(stack);
        const data = parseStack(stack).data;
        const expected: [string, boolean][] = [
          [RDS_CLUSTER, data.postgres.applyImmediately],
          [RDS_INSTANCE, data.postgres.applyImmediately],
          [DOCDB, data.documentDb.applyImmediately],
          [DOCDB_INSTANCE, data.documentDb.applyImmediately],
          [REDIS, data.redis.applyImmediately],
        ];
        for (const [type, value] of expected) {
          for (const resource of findResources(plan, type)) {
            assert.equal(resource.inputs.applyImmediately, value, resource.urn);
          }
        }
      });
    }

    it("a size change updates the instances in place and shows when it applies", async () => {
      const changes = await compare("prod", "postgres.instanceClass=db.r6g.xlarge");
      assert.deepEqual(changes.map((c) => `${c.op} ${c.name} ${c.paths.join(",")}`).sort(), [
        "update ams-data-postgres-1 instanceClass",
        "update ams-data-postgres-2 instanceClass",
      ]);
      const now = await compare("prod", "postgres.applyImmediately=true");
      assert.ok(now.some((c) => c.name === "ams-data-postgres" && c.paths.includes("applyImmediately")));
    });

    it("a major upgrade moves the cluster, its parameter group family and the permission in one update", async () => {
      const changes = await compare(
        "dev",
        "postgres.engineVersion=17",
        "postgres.allowMajorVersionUpgrade=true",
      );
      const byName = Object.fromEntries(changes.map((c) => [`${c.type} ${c.name}`, c.paths]));
      assert.deepEqual(byName[`aws:rds/clusterParameterGroup:ClusterParameterGroup ams-data-postgres`], [
        "family",
      ]);
      assert.deepEqual(byName[`${RDS_CLUSTER} ams-data-postgres`].sort(), [
        "allowMajorVersionUpgrade",
        "engineVersion",
      ]);
    });

    it("kubernetesVersion upgrades the control plane and the node group together, nothing else", async () => {
      const changes = await compare("prod", "kubernetesVersion=1.34");
      assert.deepEqual(changes.map((c) => `${c.type} ${c.paths.join(",")}`).sort(), [
        "eks:index:Cluster version",
        "eks:index:ManagedNodeGroup version",
      ]);
    });
  });

  describe("EKS", () => {
    for (const stack of STACKS) {
      it(`${stack}: the node group runs the cluster's version and an AMI of its instances' architecture`, async () => {
        const plan = await planOf(stack);
        const cluster = findResources(plan, "eks:index:Cluster")[0];
        const nodes = findResources(plan, "eks:index:ManagedNodeGroup")[0];
        assert.ok(nodes.inputs.launchTemplate, "the case @pulumi/eks does not default the version for");
        assert.equal(cluster.inputs.version, parseStack(stack).cluster.kubernetesVersion);
        assert.equal(nodes.inputs.version, cluster.inputs.version);
        assert.equal(nodes.inputs.amiType, "AL2023_x86_64_STANDARD");
      });

      it(`${stack}: the cluster and node roles trust their service without aws:SourceAccount`, async () => {
        const plan = await planOf(stack);
        for (const [name, service] of [
          ["ams-eks-control-plane", "eks.amazonaws.com"],
          ["ams-eks-nodes", "ec2.amazonaws.com"],
        ]) {
          const trust = JSON.parse(
            String(findResource(plan, "aws:iam/role:Role", name).inputs.assumeRolePolicy),
          );
          assert.equal(trust.Statement.length, 1);
          assert.deepEqual(trust.Statement[0].Principal, { Service: service });
          assert.equal(trust.Statement[0].Condition, undefined, name);
        }
      });

      it(`${stack}: the deploy role is cluster-admin, the preview roles are only authenticated`, async () => {
        const plan = await planOf(stack);
        const access = parseStack(stack).cluster.ciAccess;
        const entries = Object.values(
          findResources(plan, "eks:index:Cluster")[0].inputs.accessEntries as Record<
            string,
            { principalArn: string; accessPolicies?: Record<string, { policyArn: string }> }
          >,
        );
        const entryOf = (arn: string) => entries.find((entry) => entry.principalArn === arn);
        assert.match(String(access.deployRoleArn), new RegExp(`:role/ams-${stack}-pulumi-deploy$`));
        assert.deepEqual(
          Object.values(entryOf(String(access.deployRoleArn))?.accessPolicies ?? {}).map((p) => p.policyArn),
          [CLUSTER_ADMIN_POLICY_ARN],
        );
        assert.deepEqual(
          access.previewRoleArns.map((arn) => arn.split("/").pop()),
          [`ams-${stack}-pulumi-preview`, `ams-${stack}-github-preview`],
        );
        for (const arn of access.previewRoleArns) {
          assert.ok(entryOf(arn), arn);
          assert.equal(entryOf(arn)?.accessPolicies, undefined, arn);
        }
      });
    }

    it("the creator gets no implicit admin entry: only the cluster's own API resource is changed", async () => {
      const args = (type: string) => ({
        type,
        custom: true,
        name: "ams-eks-eksCluster",
        props: { accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true } },
        opts: {},
      });
      const result = await withoutCreatorAdmin(
        args("aws:eks/cluster:Cluster") as pulumi.ResourceTransformArgs,
      );
      assert.deepEqual(result?.props.accessConfig, {
        authenticationMode: "API",
        bootstrapClusterCreatorAdminPermissions: false,
      });
      assert.equal(
        await withoutCreatorAdmin(args("aws:eks/accessEntry:AccessEntry") as pulumi.ResourceTransformArgs),
        undefined,
      );
    });

    it("config refuses a principal with two access entries (EKS allows one)", () => {
      const admin = "arn:aws:iam::111122223333:role/ams-platform-admin";
      assert.match(
        problemFor(
          "ciClusterAccess.deployRoleArn",
          "dev",
          `ciClusterAccess={"deployRoleArn":"${admin}","previewRoleArns":[]}`,
        ).allowed,
        /one access entry per principal/,
      );
      assert.match(
        problemFor(
          "ciClusterAccess.previewRoleArns[0]",
          "dev",
          `ciClusterAccess={"deployRoleArn":"","previewRoleArns":["arn:aws:iam::111122223333:user/jane"]}`,
        ).allowed,
        /IAM role ARN/,
      );
    });

    it("a Graviton node group gets the arm64 AMI type", () => {
      assert.equal(nodeAmiType({ instanceTypes: ["m7g.large", "c7g.large"] }), "AL2023_ARM_64_STANDARD");
      assert.equal(nodeAmiType({ instanceTypes: ["m6i.large"] }), "AL2023_x86_64_STANDARD");
    });
  });

  describe("credential rotation never reaches a running pod", () => {
    async function rotationCase(plan: Plan): Promise<void> {
      const rotating = new Map(
        findResources(plan, EXTERNAL_SECRET)
          .filter(
            (s) =>
              (s.inputs.metadata as { labels: Record<string, string> }).labels["ams.io/source-rotates"] ===
              "true",
          )
          .map((s) => [(s.inputs.metadata as { name: string }).name, s]),
      );
      // The managed master secrets are the rotating ones, and they are labelled so.
      assert.deepEqual([...rotating.keys()].sort(), ["ams-documentdb-admin", "ams-postgres-admin"]);
      for (const secret of rotating.values())
        assert.equal((secret.inputs.spec as { refreshInterval: string }).refreshInterval, "1m");
      const workloads = plan.resources.filter((r) => POD_OWNERS.includes(r.type));
      assert.ok(workloads.length > 0);
      for (const workload of workloads) {
        const spec = podSpec(workload);
        const readsRotating = secretsRead(spec).filter((name) => rotating.has(name));
        if (readsRotating.length === 0) continue;
        // Only the user bootstrap Jobs read them: each retry is a new pod that reads the current value.
        assert.equal(
          workload.type,
          "kubernetes:batch/v1:Job",
          `${workload.urn} reads ${readsRotating.join()}`,
        );
        assert.ok(Number((workload.inputs.spec as { backoffLimit: number }).backoffLimit) >= 3, workload.urn);
      }
    }

    for (const stack of STACKS) {
      it(`${stack}: only retrying Jobs read a secret AWS rotates`, async () =>
        rotationCase(await planOf(stack)));
    }
    it("prod with the rolling and canary strategies too", async () => {
      await rotationCase(await planDeployed("prod", "strategy=rolling"));
      await rotationCase(await planDeployed("prod", "strategy=canary"));
    });

    it("the services log in with IAM: their roles may connect as ams_app only, and they read no database secret", async () => {
      const plan = await planOf("prod");
      const clusterResourceId = String(
        (await planOf("prod")).resources.find((r) => r.type === RDS_CLUSTER)?.inputs.clusterIdentifier,
      );
      assert.equal(clusterResourceId, "ams-prod-postgres");
      for (const service of ["api", "worker"]) {
        const policy = JSON.parse(
          String(
            findResource(plan, "aws:iam/rolePolicy:RolePolicy", `ams-data-${service}-permissions`).inputs
              .policy,
          ),
        );
        const statement = (policy.Statement as { Action: string; Resource: string }[]).find(
          (s) => s.Action === "rds-db:connect",
        );
        const user = (name: string) => String(statement?.Resource).replace(/ams_app$/, name);
        assert.match(
          String(statement?.Resource),
          /^arn:aws:rds-db:ap-northeast-2:\d{12}:dbuser:cluster-[A-Z0-9]+\/ams_app$/,
        );
        assert.equal(await identityDecision(policy, "rds-db:connect", user("ams_app")), "Allowed");
        assert.equal(await identityDecision(policy, "rds-db:connect", user("ams_admin")), "ImplicitlyDenied");
        assert.equal(
          await identityDecision(policy, "rds-db:connect", user("ams_migrator")),
          "ImplicitlyDenied",
        );
      }
      for (const deployment of findResources(plan, "kubernetes:apps/v1:Deployment")) {
        // The app secret holds the feature-flag client token, which nothing rotates.
        assert.deepEqual(secretsRead(podSpec(deployment)), ["ams-redis", "ams-app"], deployment.urn);
      }
      const roleArns = ["api", "worker"].map(
        (service) => `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/ams-data-${service}`,
      );
      const script = String(
        (
          findResource(plan, "kubernetes:core/v1:ConfigMap", "ams-data-users-documentdb").inputs
            .data as Record<string, string>
        )["users.js"],
      );
      for (const arn of roleArns) assert.ok(script.includes(arn), `${arn} is a DocumentDB user`);
      assert.match(script, /mechanisms: \["MONGODB-AWS"\]/);
    });

    it("the services' user logs in by IAM only; the migrator's password never appears in the script", () => {
      const sql = postgresUsersSql();
      assert.match(sql, /^GRANT rds_iam TO ams_app;$/m);
      assert.doesNotMatch(sql, /GRANT rds_iam TO [^;]*ams_migrator/);
      assert.match(sql, /^\\getenv migrator_password FLYWAY_PASSWORD$/m);
      assert.match(sql, /PASSWORD :'migrator_password';/);
    });
  });

  describe("TLS to the databases", () => {
    it("every AMS pod mounts the RDS CA bundle of its region, which holds the CA the databases use", async () => {
      const plan = await planOf("prod");
      const bundle = String(
        (
          findResource(plan, "kubernetes:core/v1:ConfigMap", "ams-data-rds-ca").inputs.data as Record<
            string,
            string
          >
        )["rds-ca.pem"],
      );
      const certificates = bundle
        .split(/(?<=-----END CERTIFICATE-----\n?)/)
        .filter((pem) => pem.includes("BEGIN"));
      const names = certificates.map((pem) => new X509Certificate(pem).subject);
      assert.ok(names.some((name) => name.includes("CN=Amazon RDS ap-northeast-2 Root CA RSA2048 G1")));
      for (const pem of certificates) assert.ok(new Date(new X509Certificate(pem).validTo) > new Date());
      for (const instance of [...findResources(plan, RDS_INSTANCE), ...findResources(plan, DOCDB_INSTANCE)])
        assert.equal(instance.inputs.caCertIdentifier, "rds-ca-rsa2048-g1", instance.urn);
      for (const workload of plan.resources.filter(
        (r) => POD_OWNERS.includes(r.type) && !(r.inputs.metadata as { name: string }).name.includes("smoke"),
      )) {
        const spec = podSpec(workload);
        assert.ok(
          spec.volumes?.some((v) => v.configMap?.name === "ams-rds-ca"),
          `${workload.urn} mounts the RDS CA bundle`,
        );
      }
    });

    it("a region without a current RDS CA in the package is caught, not shipped empty", () => {
      assert.deepEqual(regionRootCas("xx-nowhere-1"), []);
      assert.equal(regionRootCas("ap-northeast-2").length, 3);
    });
  });
});

import { strict as assert } from "assert";
import { findResource, Plan } from "../../plan/plan";
import { firing, variant } from "../helpers/policyVariants";
import { planOf, STACKS } from "../helpers/plans";
import { problemFor } from "../helpers/config";

const POLICY = "ams-rds-parameter-group-family";
const INSTANCE = "aws:rds/instance:Instance";
const PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup";
const CLUSTER = "aws:rds/cluster:Cluster";
const CLUSTER_PARAMETER_GROUP = "aws:rds/clusterParameterGroup:ClusterParameterGroup";
const UNLEASH_DB = "ams-flags-unleash-db";

/** The program's parameter groups are auto-named after the database's logical name. */
const unleashGroup = (plan: Plan) => findResource(plan, PARAMETER_GROUP, UNLEASH_DB);
const auroraGroup = (plan: Plan) => findResource(plan, CLUSTER_PARAMETER_GROUP, "ams-data-postgres");

describe("RDS parameter group families match the engine (policy ams-rds-parameter-group-family)", function () {
  this.timeout(120_000);

  for (const stack of STACKS) {
    it(`${stack}: Unleash's RDS PostgreSQL uses a postgres<major> group, the Aurora cluster aurora-postgresql<major>`, async () => {
      const plan = await planOf(stack);
      const unleash = findResource(plan, INSTANCE, UNLEASH_DB);
      assert.equal(unleash.inputs.engine, "postgres");
      const major = String(unleash.inputs.engineVersion).split(".")[0];
      const group = unleashGroup(plan);
      assert.equal(group.inputs.family, `postgres${major}`);
      // TLS only: rds.force_ssl exists in the postgres families.
      assert.deepEqual(group.inputs.parameters, [{ name: "rds.force_ssl", value: "1" }]);
      const aurora = auroraGroup(plan);
      assert.equal(
        aurora.inputs.family,
        `aurora-postgresql${findResource(plan, CLUSTER, "ams-data-postgres").inputs.engineVersion}`,
      );
      assert.deepEqual(await firing(plan, POLICY), []);
    });
  }

  it("Unleash's engine version, timing and major upgrade are its own config, consistent like the other stores'", async () => {
    const plan = await planOf(
      "dev",
      "featureFlagService.databaseEngineVersion=17",
      "featureFlagService.databaseAllowMajorVersionUpgrade=true",
    );
    const unleash = findResource(plan, INSTANCE, UNLEASH_DB);
    assert.equal(unleash.inputs.engineVersion, "17");
    assert.equal(unleash.inputs.allowMajorVersionUpgrade, true);
    assert.equal(unleash.inputs.applyImmediately, true);
    assert.equal(unleashGroup(plan).inputs.family, "postgres17");
    // The AMS database keeps its own version.
    assert.equal(findResource(plan, CLUSTER, "ams-data-postgres").inputs.engineVersion, "16");
    const prod = findResource(await planOf("prod"), INSTANCE, UNLEASH_DB);
    assert.equal(prod.inputs.applyImmediately, false);
    assert.equal(prod.inputs.allowMajorVersionUpgrade, false);
  });

  it("a major upgrade names its exact target version; the family follows its major", async () => {
    const plan = await planOf(
      "dev",
      "featureFlagService.databaseEngineVersion=17.6",
      "featureFlagService.databaseAllowMajorVersionUpgrade=true",
    );
    assert.equal(findResource(plan, INSTANCE, UNLEASH_DB).inputs.engineVersion, "17.6");
    assert.equal(unleashGroup(plan).inputs.family, "postgres17");
    assert.deepEqual(await firing(plan, POLICY), []);
    for (const value of ["17.x", "17.6.1", "12"]) {
      const problem = problemFor(
        "featureFlagService.databaseEngineVersion",
        "dev",
        `featureFlagService.databaseEngineVersion=${value}`,
      );
      assert.match(
        problem.allowed,
        /major version from 13 to 19 such as "16", or a full version such as "17\.6"/,
        value,
      );
    }
  });

  it("refuses an RDS PostgreSQL instance with an Aurora family (what CreateDBInstance refuses)", async () => {
    const plan = await planOf("prod");
    const group = unleashGroup(plan);
    const violating = variant(
      plan,
      PARAMETER_GROUP,
      group.name,
      (r) => (r.inputs.family = "aurora-postgresql16"),
    );
    const messages = await firing(violating, POLICY);
    assert.equal(messages.length, 1);
    assert.match(
      messages[0],
      /ams-flags-unleash-db: engine postgres 16 .* family aurora-postgresql16; RDS accepts only family postgres16/,
    );
  });

  it("refuses a version the group's family does not match, and an Aurora cluster with a postgres family", async () => {
    const plan = await planOf("prod");
    const upgraded = variant(plan, INSTANCE, UNLEASH_DB, (r) => (r.inputs.engineVersion = "17.2"));
    assert.match(
      (await firing(upgraded, POLICY)).join("\n"),
      /engine postgres 17\.2 .* RDS accepts only family postgres17/,
    );
    const aurora = auroraGroup(plan);
    const wrongCluster = variant(
      plan,
      CLUSTER_PARAMETER_GROUP,
      aurora.name,
      (r) => (r.inputs.family = "postgres16"),
    );
    assert.match(
      (await firing(wrongCluster, POLICY)).join("\n"),
      /ams-data-postgres: engine aurora-postgresql 16 .* only family aurora-postgresql16/,
    );
    const defaultGroup = variant(
      plan,
      INSTANCE,
      UNLEASH_DB,
      (r) => (r.inputs.parameterGroupName = "default.aurora-postgresql16"),
    );
    assert.match((await firing(defaultGroup, POLICY)).join("\n"), /only family postgres16/);
  });
});

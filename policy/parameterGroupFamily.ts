import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { postgresParameterGroupFamily } from "./awsFacts";

type Props = Record<string, unknown>;

/** What must match: a database's engine and version, and the parameter group property that names its group. */
const DATABASES = [
  {
    type: "aws:rds/instance:Instance",
    engine: "postgres",
    groupProperty: "parameterGroupName",
    groupType: "aws:rds/parameterGroup:ParameterGroup",
  },
  {
    type: "aws:rds/cluster:Cluster",
    engine: "aurora-postgresql",
    groupProperty: "dbClusterParameterGroupName",
    groupType: "aws:rds/clusterParameterGroup:ClusterParameterGroup",
  },
] as const;

/**
 * Whether a planned group is the one of that name: by its `name` (a preview's checked inputs carry the
 * auto-name), else, where the name is not among its inputs (the offline plan), by Pulumi's auto-naming — the
 * logical name, a hyphen and seven random hex characters
 * (https://www.pulumi.com/docs/iac/concepts/resources/names/#autonaming).
 */
function isGroupNamed(group: PolicyResource, name: string): boolean {
  const given = (group.props as Props).name;
  if (typeof given === "string") return given === name;
  return name.startsWith(`${group.name}-`) && /^[0-9a-f]{7}$/.test(name.slice(group.name.length + 1));
}

/**
 * The family of the group a database names: the planned group it depends on for that property (a preview),
 * else the planned group of that name, else a default group (`default.postgres16`); `undefined` when the
 * group is neither (an existing group outside the stack cannot be judged here).
 */
function familyOfGroup(
  database: PolicyResource,
  property: string,
  groups: PolicyResource[],
): { name: string; family: string } | undefined {
  const name = (database.props as Props)[property];
  if (typeof name !== "string" || name === "") return undefined;
  const dependency = database.propertyDependencies?.[property]?.[0];
  const group =
    (dependency && groups.find((candidate) => candidate.urn === dependency.urn)) ||
    groups.find((candidate) => isGroupNamed(candidate, name));
  const family = group
    ? (group.props as Props).family
    : name.startsWith("default.")
      ? name.slice("default.".length)
      : undefined;
  return typeof family === "string" ? { name, family } : undefined;
}

/**
 * An RDS for PostgreSQL instance uses a `postgres<major>` parameter group of its major version, an Aurora
 * PostgreSQL cluster an `aurora-postgresql<major>` cluster parameter group of its major version. RDS refuses
 * anything else at create time (InvalidParameterCombination), and a major upgrade must move to the new
 * family's group in the same update (docs/runbook-database.md).
 */
export const parameterGroupFamily: StackValidationPolicy = {
  name: "ams-rds-parameter-group-family",
  description:
    "An RDS PostgreSQL instance's parameter group is of the postgres<major> family of its engine version, an Aurora PostgreSQL cluster's of aurora-postgresql<major>: RDS refuses any other family (CreateDBParameterGroup, DBParameterGroupFamily).",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    for (const kind of DATABASES) {
      const groups = args.resources.filter((r) => r.type === kind.groupType);
      for (const database of args.resources.filter((r) => r.type === kind.type)) {
        const props = database.props as Props;
        if (props.engine !== kind.engine || typeof props.engineVersion !== "string") continue;
        const expected = postgresParameterGroupFamily(kind.engine, props.engineVersion);
        const group = familyOfGroup(database, kind.groupProperty, groups);
        if (group && group.family !== expected) {
          report(
            `${database.name}: engine ${kind.engine} ${props.engineVersion} with ${kind.groupProperty} ${group.name} of family ${group.family}; RDS accepts only family ${expected}`,
            database.urn,
          );
        }
      }
    }
  },
};

import { strict as assert } from "assert";
import {
  CLUSTER_TAG,
  loadBalancerControllerPolicy,
} from "../../../components/environment/addons/loadBalancerControllerPolicy";
import { CHARTS } from "../../../components/environment/addons/charts";
import { clusterAccessEntries } from "../../../components/environment/clusterAccess";
import { subnetMasks } from "../../../components/environment/network";
import { Plan, PlannedResource, findResource, findResources } from "../../../plan/plan";
import { MOCK_ACCOUNT_ID } from "../../../plan/mockOutputs";
import { parseStack } from "../../helpers/config";
import { canAssumeWithWebIdentity, identityDecision, unknownActions } from "../../helpers/iam";
import { planDeployed, planOf, STACKS } from "../../helpers/plans";

const VPC = "awsx:ec2:Vpc";
const CLUSTER = "eks:index:Cluster";
const NODE_GROUP = "eks:index:ManagedNodeGroup";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const ROLE = "aws:iam/role:Role";

function only(plan: Plan, type: string): PlannedResource {
  const found = findResources(plan, type);
  assert.equal(found.length, 1, `${plan.stack}: expected one ${type}, found ${found.length}`);
  return found[0];
}

function releaseNamed(plan: Plan, chart: string): PlannedResource | undefined {
  return findResources(plan, RELEASE).find((release) => release.inputs.chart === chart);
}

describe("AmsEnvironment: network, EKS, public entry, add-ons", () => {
  describe("network", () => {
    it("prod spans 3 zones with a NAT gateway per zone and keeps flow logs", async () => {
      const plan = await planOf("prod");
      const vpc = only(plan, VPC);
      assert.equal(vpc.inputs.numberOfAvailabilityZones, 3);
      assert.deepEqual(vpc.inputs.natGateways, { strategy: "OnePerAz" });
      assert.equal(vpc.inputs.cidrBlock, "10.30.0.0/16");
      const flowLog = only(plan, "aws:ec2/flowLog:FlowLog");
      assert.equal(flowLog.inputs.trafficType, "ALL");
      assert.equal(
        findResource(plan, "aws:cloudwatch/logGroup:LogGroup", "ams-vpc-flow-logs").inputs.retentionInDays,
        365,
      );
    });

    it("dev spans 2 zones behind a single NAT gateway and keeps no flow logs", async () => {
      const plan = await planOf("dev");
      const vpc = only(plan, VPC);
      assert.equal(vpc.inputs.numberOfAvailabilityZones, 2);
      assert.deepEqual(vpc.inputs.natGateways, { strategy: "Single" });
      assert.equal(findResources(plan, "aws:ec2/flowLog:FlowLog").length, 0);
      assert.equal((plan.outputs.privateSubnetIds as string[]).length, 2);
    });

    for (const stack of STACKS) {
      it(`${stack}: tags public and private subnets for the AWS Load Balancer Controller`, async () => {
        const specs = only(await planOf(stack), VPC).inputs.subnetSpecs as {
          type: string;
          tags: Record<string, string>;
        }[];
        const byType = Object.fromEntries(specs.map((spec) => [spec.type, spec.tags]));
        assert.equal(byType.Public["kubernetes.io/role/elb"], "1");
        assert.equal(byType.Private["kubernetes.io/role/internal-elb"], "1");
        assert.equal(byType.Private[`kubernetes.io/cluster/ams-${stack}`], "shared");
      });
    }
  });

  describe("subnet layout fits awsx's per-zone blocks", () => {
    // awsx's Auto layout: 2^ceil(log2(zones)) equal blocks, one per zone; a zone's subnets must fit in one.
    for (let prefix = 16; prefix <= 20; prefix++) {
      for (let zones = 2; zones <= 6; zones++) {
        it(`/${prefix} over ${zones} zones`, () => {
          const { privateMask, publicMask } = subnetMasks(`10.0.0.0/${prefix}`, zones);
          const block = 2 ** (32 - prefix) / 2 ** Math.ceil(Math.log2(zones));
          assert.ok(2 ** (32 - privateMask) + 2 ** (32 - publicMask) <= block);
          assert.ok(2 ** (32 - privateMask) >= 2 ** (32 - publicMask) * 8, "private subnets get the room");
        });
      }
    }
  });

  describe("staging is prod's shape at a smaller size", () => {
    it("switches on every protection and feature prod has (flow logs, WAF, all log types, drain time, warm idle color)", () => {
      const shape = (stack: string) => {
        const config = parseStack(stack);
        return {
          zones: config.network.availabilityZones,
          flowLogs: config.network.flowLogs,
          waf: config.publicEntry.wafAclArn !== undefined,
          logTypes: config.cluster.logTypes,
          deregistrationDelaySeconds: config.publicEntry.deregistrationDelaySeconds,
          idleColorPolicy: config.release.idleColorPolicy,
          strategy: config.release.strategy,
          kubernetesVersion: config.cluster.kubernetesVersion,
        };
      };
      assert.deepEqual(shape("staging"), shape("prod"));
    });
    it("declares exactly the same resource types as prod", async () => {
      const types = (plan: Plan) => [...new Set(plan.resources.map((resource) => resource.type))].sort();
      assert.deepEqual(types(await planOf("staging")), types(await planOf("prod")));
    });
    it("is smaller: fewer nodes and smaller pods", async () => {
      const staging = only(await planOf("staging"), NODE_GROUP).inputs.scalingConfig as { maxSize: number };
      const prod = only(await planOf("prod"), NODE_GROUP).inputs.scalingConfig as { maxSize: number };
      assert.ok(staging.maxSize < prod.maxSize);
    });
  });

  describe("EKS", () => {
    for (const stack of STACKS) {
      it(`${stack}: access entries, IRSA, sealed secrets, private nodes with IMDSv2`, async () => {
        const plan = await planOf(stack);
        const config = parseStack(stack).cluster;
        const cluster = only(plan, CLUSTER);
        assert.equal(cluster.inputs.authenticationMode, "API");
        assert.equal(cluster.inputs.version, config.kubernetesVersion);
        assert.equal(cluster.inputs.createOidcProvider, true);
        assert.equal(cluster.inputs.skipDefaultNodeGroup, true);
        assert.match(
          String(cluster.inputs.encryptionConfigKeyArn),
          /^arn:aws:kms:ap-northeast-2:\d{12}:key\//,
        );
        assert.equal(cluster.inputs.endpointPrivateAccess, true);
        assert.deepEqual(cluster.inputs.publicAccessCidrs, config.publicAccessCidrs);
        const entries = Object.values(
          cluster.inputs.accessEntries as Record<string, { principalArn: string }>,
        );
        assert.deepEqual(
          entries.map((entry) => entry.principalArn).sort(),
          [...config.adminPrincipalArns, config.ciAccess.deployRoleArn, ...config.ciAccess.previewRoleArns]
            .filter((arn) => arn !== undefined)
            .sort(),
        );

        const nodes = only(plan, NODE_GROUP);
        assert.deepEqual(nodes.inputs.subnetIds, plan.outputs.privateSubnetIds);
        assert.deepEqual(nodes.inputs.instanceTypes, config.nodeGroup.instanceTypes);
        assert.equal(nodes.inputs.cluster, cluster.urn, "the node group references the cluster by URN");
      });
    }

    for (const stack of STACKS) {
      it(`${stack}: nodes come from a launch template that keeps pods away from the node's metadata`, async () => {
        const plan = await planOf(stack);
        const template = only(plan, "aws:ec2/launchTemplate:LaunchTemplate");
        assert.deepEqual(template.inputs.metadataOptions, {
          httpEndpoint: "enabled",
          httpTokens: "required",
          httpPutResponseHopLimit: 1,
          instanceMetadataTags: "disabled",
        });
        const nodes = only(plan, NODE_GROUP);
        assert.equal(nodes.inputs.enableIMDSv2, undefined, "conflicts with the launch template");
        assert.match(String(nodes.inputs.nodeGroupNamePrefix), new RegExp(`^ams-${stack}-general-`));
        assert.equal(nodes.inputs.nodeGroupName, undefined);
      });

      it(`${stack}: the cluster waits for its role's policies and its encrypted control-plane log group`, async () => {
        const plan = await planOf(stack);
        const cluster = only(plan, CLUSTER);
        const logGroup = findResource(plan, "aws:cloudwatch/logGroup:LogGroup", "ams-eks-control-plane-logs");
        assert.equal(logGroup.inputs.name, `/aws/eks/ams-${stack}/cluster`);
        assert.ok(logGroup.inputs.kmsKeyId);
        assert.ok(cluster.options.dependsOn.includes(logGroup.urn));
        assert.equal(cluster.options.dependsOn.length, 3);
        assert.equal(cluster.inputs.skipDefaultSecurityGroups, true);
      });
    }

    it("keys access entries by principal, so removing one admin leaves the others untouched", () => {
      const first = "arn:aws:iam::111122223333:role/ops/platform-admin";
      const second = "arn:aws:iam::111122223333:user/jane";
      const entries = (admins: string[]) =>
        clusterAccessEntries({
          adminPrincipalArns: admins,
          ciAccess: { deployRoleArn: undefined, previewRoleArns: [] },
        });
      assert.deepEqual(Object.keys(entries([first, second])), ["role-ops-platform-admin", "user-jane"]);
      assert.deepEqual(entries([second])["user-jane"], entries([first, second])["user-jane"]);
    });

    it("prod sends every control-plane log type and protects the cluster and its key", async () => {
      const plan = await planOf("prod");
      const cluster = only(plan, CLUSTER);
      assert.deepEqual(cluster.inputs.enabledClusterLogTypes, [
        "api",
        "audit",
        "authenticator",
        "controllerManager",
        "scheduler",
      ]);
      assert.equal(cluster.options.protect, true);
      assert.equal(cluster.inputs.deletionProtection, true);
      assert.equal(only(plan, "aws:kms/key:Key").options.protect, true);
    });

    it("a stack without public CIDRs gets a private-only API endpoint", async () => {
      const cluster = only(await planOf("dev", "clusterPublicAccessCidrs=[]"), CLUSTER);
      assert.equal(cluster.inputs.endpointPublicAccess, false);
      assert.equal(cluster.inputs.publicAccessCidrs, undefined);
    });

    for (const stack of STACKS) {
      it(`${stack}: every AWS resource uses the stack's provider, every Kubernetes one the cluster's`, async () => {
        const plan = await planOf(stack);
        const aws = only(plan, "pulumi:providers:aws").urn;
        const kubernetes = only(plan, "pulumi:providers:kubernetes").urn;
        for (const resource of plan.resources.filter(
          (r) => r.custom && !r.type.startsWith("pulumi:providers:"),
        )) {
          const expected = resource.type.startsWith("kubernetes:") ? kubernetes : aws;
          if (resource.type.startsWith("aws:") || resource.type.startsWith("kubernetes:")) {
            assert.equal(resource.provider, expected, resource.urn);
          }
        }
      });
    }
  });

  describe("IRSA: each add-on role trusts exactly its own service account of this cluster", () => {
    const cases = [
      {
        role: "ams-addons-lb-controller",
        namespace: "kube-system",
        serviceAccount: "aws-load-balancer-controller",
      },
      {
        role: "ams-addons-external-secrets",
        namespace: "external-secrets",
        serviceAccount: "external-secrets",
      },
    ];
    for (const stack of STACKS) {
      for (const { role, namespace, serviceAccount } of cases) {
        it(`${stack}: ${role} → system:serviceaccount:${namespace}:${serviceAccount} only`, async () => {
          const plan = await planOf(stack);
          const trust = JSON.parse(String(findResource(plan, ROLE, role).inputs.assumeRolePolicy));
          // IAM condition keys are named after the issuer's host and path, never with a scheme.
          assert.doesNotMatch(JSON.stringify(trust.Statement[0].Condition), /https:/);
          const providerArn = String(plan.outputs.oidcProviderArn);
          const providerUrl = providerArn.split(":oidc-provider/")[1];
          const roleArn = `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/${role}`;
          const token = (subject: string, provider = providerArn) => ({
            providerArn: provider,
            providerUrl,
            subject,
          });
          assert.equal(
            canAssumeWithWebIdentity(
              trust,
              roleArn,
              token(`system:serviceaccount:${namespace}:${serviceAccount}`),
            ),
            "Allowed",
          );
          assert.equal(
            canAssumeWithWebIdentity(trust, roleArn, token(`system:serviceaccount:${namespace}:default`)),
            "ImplicitlyDenied",
          );
          assert.equal(
            canAssumeWithWebIdentity(
              trust,
              roleArn,
              token(`system:serviceaccount:ams-${stack}:${serviceAccount}`),
            ),
            "ImplicitlyDenied",
          );
          const otherCluster = `arn:aws:iam::${MOCK_ACCOUNT_ID}:oidc-provider/oidc.eks.ap-northeast-2.amazonaws.com/id/OTHER`;
          assert.equal(
            canAssumeWithWebIdentity(
              trust,
              roleArn,
              token(`system:serviceaccount:${namespace}:${serviceAccount}`, otherCluster),
            ),
            "ImplicitlyDenied",
          );
        });
      }
    }
  });

  describe("add-on permissions", () => {
    it("the load balancer controller's policy uses only real IAM actions", async () => {
      assert.deepEqual(await unknownActions(loadBalancerControllerPolicy("ams-prod")), []);
    });

    it("the load balancer controller may only change load balancers tagged for its own cluster", async () => {
      const plan = await planOf("prod");
      const policy = JSON.parse(
        String(
          findResource(plan, "aws:iam/rolePolicy:RolePolicy", "ams-addons-lb-controller-permissions").inputs
            .policy,
        ),
      );
      const alb = `arn:aws:elasticloadbalancing:ap-northeast-2:${MOCK_ACCOUNT_ID}:loadbalancer/app/ams-prod-public/50dc6c495c0c9188`;
      const taggedFor = (cluster: string) => ({ [`aws:ResourceTag/${CLUSTER_TAG}`]: cluster });
      assert.equal(
        await identityDecision(policy, "elasticloadbalancing:DeleteLoadBalancer", alb, taggedFor("ams-prod")),
        "Allowed",
      );
      assert.equal(
        await identityDecision(policy, "elasticloadbalancing:DeleteLoadBalancer", alb, taggedFor("ams-dev")),
        "ImplicitlyDenied",
      );
    });

    it("External Secrets reads only its own environment's secrets, and only reads", async () => {
      const plan = await planOf("prod");
      const policy = JSON.parse(
        String(
          findResource(plan, "aws:iam/rolePolicy:RolePolicy", "ams-addons-external-secrets-permissions")
            .inputs.policy,
        ),
      );
      const secret = (path: string) =>
        `arn:aws:secretsmanager:ap-northeast-2:${MOCK_ACCOUNT_ID}:secret:${path}-AbCdEf`;
      assert.equal(
        await identityDecision(policy, "secretsmanager:GetSecretValue", secret("ams/prod/app")),
        "Allowed",
      );
      assert.equal(
        await identityDecision(policy, "secretsmanager:GetSecretValue", secret("ams/dev/app")),
        "ImplicitlyDenied",
      );
      assert.equal(
        await identityDecision(policy, "secretsmanager:PutSecretValue", secret("ams/prod/app")),
        "ImplicitlyDenied",
      );
    });
  });

  describe("add-ons", () => {
    for (const stack of STACKS) {
      it(`${stack}: every Helm release pins an exact chart version from an https repository`, async () => {
        const releases = findResources(await planOf(stack), RELEASE);
        assert.ok(releases.length >= 3);
        for (const release of releases) {
          assert.match(String(release.inputs.version), /^\d+\.\d+\.\d+$/, release.urn);
          assert.match(String((release.inputs.repositoryOpts as { repo: string }).repo), /^https:\/\//);
          assert.equal(release.inputs.atomic, true);
        }
      });
    }

    it("installs the controller, metrics-server and External Secrets at their pinned versions", async () => {
      const plan = await planOf("prod");
      for (const chart of [CHARTS.awsLoadBalancerController, CHARTS.metricsServer, CHARTS.externalSecrets]) {
        assert.equal(releaseNamed(plan, chart.chart)?.inputs.version, chart.version, chart.chart);
      }
      const controller = releaseNamed(plan, "aws-load-balancer-controller");
      const values = controller?.inputs.values as {
        clusterName: string;
        serviceAccount: { annotations: Record<string, string> };
      };
      assert.equal(values.clusterName, "ams-prod");
      assert.match(
        values.serviceAccount.annotations["eks.amazonaws.com/role-arn"],
        /:role\/ams-addons-lb-controller/,
      );
    });

    it("runs External Secrets with leader election, so its two replicas never race", async () => {
      const values = releaseNamed(await planOf("prod"), "external-secrets")?.inputs.values as Record<
        string,
        unknown
      >;
      assert.equal(values.leaderElect, true);
      assert.equal(values.replicaCount, 2);
    });

    it("installs Argo Rollouts only when the stack releases by canary", async () => {
      assert.equal(releaseNamed(await planOf("prod"), "argo-rollouts"), undefined);
      assert.equal(
        releaseNamed(await planDeployed("prod", "strategy=canary"), "argo-rollouts")?.inputs.version,
        CHARTS.argoRollouts.version,
      );
    });
  });

  describe("public entry", () => {
    it("prod: an internet-facing ALB with a fixed name, HTTPS only, TLS 1.2+, WAF, explicit deregistration delay", async () => {
      const plan = await planOf("prod");
      const ingress = findResource(plan, "kubernetes:networking.k8s.io/v1:Ingress", "ams-public");
      const annotations = (ingress.inputs.metadata as { annotations: Record<string, string> }).annotations;
      const config = parseStack("prod").publicEntry;
      assert.equal((ingress.inputs.spec as { ingressClassName: string }).ingressClassName, "alb");
      assert.equal(annotations["alb.ingress.kubernetes.io/scheme"], "internet-facing");
      assert.equal(annotations["alb.ingress.kubernetes.io/load-balancer-name"], "ams-prod-public");
      assert.equal(annotations["alb.ingress.kubernetes.io/certificate-arn"], config.certificateArn);
      assert.equal(annotations["alb.ingress.kubernetes.io/ssl-redirect"], "443");
      assert.equal(annotations["alb.ingress.kubernetes.io/wafv2-acl-arn"], config.wafAclArn);
      assert.equal(
        annotations["alb.ingress.kubernetes.io/target-group-attributes"],
        `deregistration_delay.timeout_seconds=${config.deregistrationDelaySeconds}`,
      );
      assert.match(
        annotations["alb.ingress.kubernetes.io/load-balancer-attributes"],
        /deletion_protection\.enabled=true/,
      );
      assert.equal(plan.outputs.albName, "ams-prod-public");
      const controller = releaseNamed(plan, "aws-load-balancer-controller") as PlannedResource;
      assert.deepEqual(ingress.options.dependsOn, [controller.urn]);
    });

    it("dev attaches no WAF when none is configured", async () => {
      const ingress = findResource(
        await planOf("dev"),
        "kubernetes:networking.k8s.io/v1:Ingress",
        "ams-public",
      );
      const annotations = (ingress.inputs.metadata as { annotations: Record<string, string> }).annotations;
      assert.ok(!("alb.ingress.kubernetes.io/wafv2-acl-arn" in annotations));
    });
  });

  describe("outputs", () => {
    for (const stack of STACKS) {
      it(`${stack}: cluster, kubeconfig (secret), OIDC provider, namespace, node security group, ALB, VPC, subnets`, async () => {
        const { outputs } = await planOf(stack);
        assert.equal(outputs.clusterName, `ams-${stack}`);
        assert.equal(outputs.kubeconfig, "[secret]");
        assert.match(String(outputs.oidcProviderArn), /:oidc-provider\/oidc\.eks\./);
        assert.equal(outputs.namespace, `ams-${stack}`);
        assert.match(String(outputs.nodeSecurityGroupId), /^sg-/);
        assert.equal(outputs.albName, `ams-${stack}-public`);
        assert.match(String(outputs.vpcId), /^vpc-/);
        assert.equal(
          (outputs.publicSubnetIds as string[]).length,
          parseStack(stack).network.availabilityZones,
        );
      });
    }
  });
});

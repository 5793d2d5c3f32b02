import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, describeProblem } from "../../config/errors";
import { parseStack, problemFor, problemsOf } from "../helpers/config";
import { STACKS } from "../helpers/plans";

describe("config: parseAmsConfig", () => {
  describe("the committed stacks", () => {
    for (const stack of STACKS) {
      it(`${stack} parses, takes its environment from the stack name and runs in ap-northeast-2`, () => {
        const config = parseStack(stack);
        assert.equal(config.environment, stack);
        assert.equal(config.awsRegion, "ap-northeast-2");
        assert.equal(config.project, "ams");
      });
    }

    it("returns a deeply frozen config", () => {
      const config = parseStack("prod");
      assert.ok(Object.isFrozen(config));
      assert.ok(Object.isFrozen(config.release.versions));
      assert.ok(Object.isFrozen(config.sizing.api));
      assert.throws(() => {
        (config.release as { activeColor: string }).activeColor = "green";
      }, TypeError);
    });

    it("reads structured sizing per stack: prod runs more api pods than dev", () => {
      assert.ok(parseStack("prod").sizing.api.minReplicas > parseStack("dev").sizing.api.minReplicas);
      assert.equal(parseStack("prod").sizing.api.memoryLimit, "3Gi");
    });
  });

  describe("environment", () => {
    it("an explicit environment wins over the stack name", () => {
      assert.equal(parseStack("dev", "environment=staging").environment, "staging");
    });
    it("rejects an unknown environment", () => {
      const problem = problemFor("environment", "dev", "environment=qa");
      assert.equal(problem.value, '"qa"');
      assert.match(problem.allowed, /dev, staging, prod/);
    });
  });

  describe("aws:region", () => {
    it("accepts another real region, together with a certificate from that region", () => {
      const certificate =
        "arn:aws-us-gov:acm:us-gov-west-1:111122223333:certificate/0f3c6a52-1d7e-4c4b-9a59-7d2b1e6f0a11";
      const config = parseStack("dev", "aws:region=us-gov-west-1", `acmCertificateArn=${certificate}`);
      assert.equal(config.awsRegion, "us-gov-west-1");
    });
    it("rejects a malformed region", () => {
      assert.match(problemFor("aws:region", "dev", "aws:region=seoul").allowed, /ap-northeast-2/);
    });
  });

  describe("strategy, activeColor, idleColorPolicy, appLogLevel", () => {
    for (const strategy of ["rolling", "blueGreen", "canary"]) {
      it(`accepts strategy ${strategy}`, () => {
        assert.equal(parseStack("prod", `strategy=${strategy}`).release.strategy, strategy);
      });
    }
    it("rejects an unknown strategy, naming the allowed ones", () => {
      const problem = problemFor("strategy", "prod", "strategy=recreate");
      assert.equal(
        describeProblem(problem),
        'strategy is "recreate"; allowed: one of rolling, blueGreen, canary.',
      );
    });
    it("accepts green as the active color when green has a version", () => {
      assert.equal(parseStack("prod", "activeColor=green").release.activeColor, "green");
    });
    it("rejects activeColor=purple", () => {
      assert.match(
        describeProblem(problemFor("activeColor", "prod", "activeColor=purple")),
        /purple.*blue, green/,
      );
    });
    it("rejects an unknown idle-color policy and log level", () => {
      assert.match(problemFor("idleColorPolicy", "prod", "idleColorPolicy=off").allowed, /full, scaledDown/);
      assert.match(problemFor("appLogLevel", "prod", "appLogLevel=LOUD").allowed, /INFO/);
    });
  });

  describe("versions", () => {
    it("keeps each color's image tag and treats an empty one as 'no version yet'", () => {
      const dev = parseStack("dev");
      assert.equal(dev.release.versions.blue, "1.4.0");
      assert.equal(dev.release.versions.green, undefined);
    });
    for (const tag of ["1.5.0", "v2.0.0-rc.1", "sha-3f9c2a1", "1.5.0_hotfix"]) {
      it(`accepts the image tag ${tag}`, () => {
        assert.equal(parseStack("prod", `greenVersion=${tag}`).release.versions.green, tag);
      });
    }
    for (const tag of ["1.5.0 beta", "-1.5.0", ".hidden", "a/b", "x".repeat(129)]) {
      it(`rejects ${JSON.stringify(tag.slice(0, 20))} as an image tag`, () => {
        assert.match(problemFor("greenVersion", "prod", `greenVersion=${tag}`).allowed, /image tag/);
      });
    }
    it("refuses to make a color without a version active", () => {
      const problem = problemFor("greenVersion", "dev", "activeColor=green");
      assert.match(problem.allowed, /activeColor is green/);
    });
  });

  describe("previewWeight", () => {
    it("accepts 0–100 for a blue-green stack whose idle color runs", () => {
      assert.equal(parseStack("prod", "previewWeight=10").release.previewWeight, 10);
      assert.equal(parseStack("prod", "previewWeight=100").release.previewWeight, 100);
    });
    for (const value of ["150", "-1", "12.5", "ten"]) {
      it(`rejects previewWeight=${value}`, () => {
        const problem = problemFor("previewWeight", "prod", `previewWeight=${value}`);
        assert.equal(problem.allowed, "an integer from 0 to 100");
      });
    }
    it("refuses preview traffic to a scaled-down idle color", () => {
      const problems = problemsOf("prod", "previewWeight=10", "idleColorPolicy=scaledDown");
      assert.ok(problems.some((problem) => /scaledDown/.test(problem.allowed)));
    });
    it("refuses preview traffic to an idle color without a version", () => {
      const problems = problemsOf("staging", "greenVersion=", "previewWeight=5");
      assert.ok(
        problems.some((problem) => problem.key === "previewWeight" && /greenVersion/.test(problem.allowed)),
      );
    });
    it("refuses preview traffic outside blue-green", () => {
      assert.match(
        problemFor("previewWeight", "prod", "previewWeight=5", "strategy=canary").allowed,
        /blueGreen/,
      );
    });
  });

  describe("sizing (structured keys)", () => {
    it("a dotted override changes one field and keeps the others", () => {
      const sizing = parseStack("prod", "api.maxReplicas=20").sizing.api;
      assert.equal(sizing.maxReplicas, 20);
      assert.equal(sizing.minReplicas, 3);
    });
    it("rejects maxReplicas below minReplicas", () => {
      assert.equal(
        problemFor("api.maxReplicas", "prod", "api.maxReplicas=2").allowed,
        "an integer from 3 to 50",
      );
    });
    it("requires two replicas in prod, so a node drain never takes the service down", () => {
      assert.match(problemFor("worker.minReplicas", "prod", "worker.minReplicas=1").allowed, /from 2/);
      assert.equal(parseStack("dev", "worker.minReplicas=1").sizing.worker.minReplicas, 1);
    });
    it("rejects malformed quantities and a request above its limit", () => {
      assert.match(problemFor("api.cpuRequest", "dev", "api.cpuRequest=lots").allowed, /CPU quantity/);
      assert.match(problemFor("api.memoryLimit", "dev", "api.memoryLimit=1GB").allowed, /memory quantity/);
      assert.match(
        problemFor("api.memoryRequest", "dev", "api.memoryRequest=4Gi").allowed,
        /at most api.memoryLimit/,
      );
    });
    it("accepts whole-number quantities given as YAML numbers, as Kubernetes does", () => {
      assert.equal(parseStack("dev", "api.cpuLimit=2").sizing.api.cpuLimit, "2");
      assert.equal(parseStack("dev", "api.memoryLimit=1.5Gi").sizing.api.memoryLimit, "1.5Gi");
    });
    it("rejects unknown fields inside a structured key", () => {
      assert.match(problemFor("api.replicas", "dev", "api.replicas=3").allowed, /minReplicas/);
    });
  });

  describe("network, cluster and public entry", () => {
    it("reads the committed platform settings", () => {
      const prod = parseStack("prod");
      assert.deepEqual(prod.network, {
        cidr: "10.30.0.0/16",
        availabilityZones: 3,
        natGateways: "perAz",
        flowLogs: true,
      });
      assert.equal(prod.cluster.nodeGroup.minSize, 3);
      assert.equal(prod.publicEntry.apiHost, "api.ams.example.com");
    });
    for (const zones of ["1", "7"]) {
      it(`rejects availabilityZones=${zones}`, () => {
        assert.equal(
          problemFor("availabilityZones", "dev", `availabilityZones=${zones}`).allowed,
          "an integer from 2 to 6",
        );
      });
    }
    for (const cidr of ["10.0.0.0/8", "10.0.0.1/16", "10.300.0.0/16", "ten/16"]) {
      it(`rejects vpcCidr=${cidr}`, () => {
        assert.match(problemFor("vpcCidr", "dev", `vpcCidr=${cidr}`).allowed, /IPv4 CIDR from \/16 to \/20/);
      });
    }
    it("rejects a malformed public-access CIDR, naming its position", () => {
      const problem = problemFor(
        "clusterPublicAccessCidrs[1]",
        "dev",
        'clusterPublicAccessCidrs=["203.0.113.0/24","203.0.113.0/33"]',
      );
      assert.equal(problem.value, '"203.0.113.0/33"');
    });
    for (const type of ["large", "m6i", "M6I.LARGE", "m6i.huge"]) {
      it(`rejects the instance type ${type}`, () => {
        assert.match(
          problemFor("nodeGroup.instanceTypes[0]", "prod", `nodeGroup.instanceTypes=["${type}"]`).allowed,
          /instance type/,
        );
      });
    }
    it("accepts current instance type names", () => {
      for (const types of [
        ["m6i.large", "m7i-flex.xlarge", "r6id.metal", "t3.medium"],
        ["c7g.2xlarge", "m7gd.large", "a1.xlarge"],
      ]) {
        assert.deepEqual(
          parseStack("dev", `nodeGroup.instanceTypes=${JSON.stringify(types)}`).cluster.nodeGroup
            .instanceTypes,
          types,
        );
      }
    });
    it("rejects a node group mixing Graviton and x86 instance types", () => {
      assert.match(
        problemFor("nodeGroup.instanceTypes", "dev", 'nodeGroup.instanceTypes=["m6i.large","m6g.large"]')
          .allowed,
        /one CPU architecture/,
      );
      assert.deepEqual(
        parseStack("dev", 'nodeGroup.instanceTypes=["m7g.large","c7gn.xlarge","t4g.medium"]').cluster
          .nodeGroup.instanceTypes.length,
        3,
      );
    });
    it("rejects a node group whose minimum exceeds its maximum", () => {
      assert.equal(
        problemFor("nodeGroup.maxSize", "dev", "nodeGroup.minSize=5", "nodeGroup.desiredSize=5").allowed,
        "an integer from 5 to 100",
      );
    });
    it("rejects a desired size outside min..max", () => {
      assert.equal(
        problemFor("nodeGroup.desiredSize", "dev", "nodeGroup.desiredSize=9").allowed,
        "an integer from 1 to 3",
      );
    });
    it("rejects a malformed ACM certificate ARN and one from another region", () => {
      assert.match(
        problemFor("acmCertificateArn", "prod", "acmCertificateArn=arn:aws:acm:cert/123").allowed,
        /ACM certificate ARN/,
      );
      const otherRegion =
        "arn:aws:acm:us-east-1:111122223333:certificate/9d1f4e7a-2c35-4b08-b6d1-3e5f8a0c7b33";
      assert.match(
        problemFor("acmCertificateArn", "prod", `acmCertificateArn=${otherRegion}`).allowed,
        /own region/,
      );
    });
    it("rejects a WAF ACL that is not a regional WAFv2 ACL", () => {
      const global =
        "arn:aws:wafv2:us-east-1:111122223333:global/webacl/x/7c2a9e41-5d63-4f1b-a8e0-6b3d2f9c1a44";
      assert.match(problemFor("wafAclArn", "prod", `wafAclArn=${global}`).allowed, /regional WAFv2/);
    });
    it("requires every control-plane log type in prod but not in dev", () => {
      assert.match(
        problemFor("clusterLogTypes", "prod", 'clusterLogTypes=["api"]').allowed,
        /all of .* in prod/,
      );
      assert.deepEqual(parseStack("dev", 'clusterLogTypes=["api"]').cluster.logTypes, ["api"]);
    });
    it("rejects an IAM Identity Center role ARN with its path, which EKS access entries do not accept", () => {
      const sso =
        "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/ap-northeast-2/AWSReservedSSO_Admin_0123";
      assert.match(
        problemFor("clusterAdmins[0]", "prod", `clusterAdmins=["${sso}"]`).allowed,
        /without its aws-reserved/,
      );
    });
    it("rejects an unsupported Kubernetes version and a bad API host", () => {
      assert.match(
        problemFor("kubernetesVersion", "dev", "kubernetesVersion=1.20").allowed,
        /1\.28 to 1\.39/,
      );
      assert.match(problemFor("apiHost", "dev", "apiHost=https://api.example.com").allowed, /DNS host name/);
    });
  });

  describe("unknown keys and error reporting", () => {
    it("reports a mistyped key with a suggestion and without echoing its value", () => {
      const problem = problemFor("activeColour", "prod", "activeColour=hunter2");
      assert.match(problem.allowed, /did you mean activeColor\?/);
      assert.ok(!describeProblem(problem).includes("hunter2"));
    });
    it("reports every problem at once, each naming key, value and what is allowed", () => {
      const problems = problemsOf("prod", "activeColor=purple", "previewWeight=150", "greenVersion=bad tag");
      assert.deepEqual(problems.map((problem) => problem.key).sort(), [
        "activeColor",
        "greenVersion",
        "previewWeight",
      ]);
      let message = "";
      try {
        parseStack("prod", "activeColor=purple", "previewWeight=150", "greenVersion=bad tag");
      } catch (err) {
        message = (err as Error).message;
      }
      assert.match(message, /^Invalid configuration for stack "prod" \(3 problems\)/);
      assert.match(message, /previewWeight is "150"; allowed: an integer from 0 to 100\./);
    });
    it("is a pulumi.RunError, so the Pulumi CLI prints it without a stack trace", () => {
      try {
        parseStack("prod", "activeColor=purple");
        assert.fail("accepted");
      } catch (err) {
        assert.ok(err instanceof ConfigError);
        assert.ok(pulumi.RunError.isInstance(err));
      }
    });
  });
});

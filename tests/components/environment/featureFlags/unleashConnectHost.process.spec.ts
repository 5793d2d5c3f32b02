import { strict as assert } from "assert";
import * as http from "http";
import * as https from "https";
import type { AddressInfo } from "net";
import type { TLSSocket } from "tls";
import {
  ADMIN_USER_AGENT,
  adminRequestOptions,
} from "../../../../components/environment/featureFlags/adminApi";
import {
  FlagInputs,
  FlagOutputs,
  unleashFlagProvider,
} from "../../../../components/environment/featureFlags/flagProvider";
import {
  TokenInputs,
  TokenOutputs,
  unleashTokenProvider,
} from "../../../../components/environment/featureFlags/tokenProvider";
import { findResource, findResources } from "../../../../plan/plan";
import { asDeployed, Provider } from "../../../helpers/dynamicProviders";
import { planOf } from "../../../helpers/plans";
import { selfSignedCertificate } from "../../../helpers/selfSignedCertificate";
import { realUnleash, stopOwnUnleash, UnleashServer } from "../../../helpers/unleashServer";

const FLAG = "pulumi-nodejs:dynamic/unleash:FeatureFlag";
const TOKEN = "pulumi-nodejs:dynamic/unleash:ClientToken";
/** Names under `.test` never resolve (RFC 6761 §6.2): like a flag host whose DNS record does not exist yet. */
const FLAG_HOST = "flags.ams.test";

describe("Unleash's Admin API reached through the ALB before the flag host has DNS", function () {
  this.timeout(60_000);

  describe("the request the providers build", () => {
    it("connects to connectHost while TLS SNI and Host name the flag host", () => {
      const options = adminRequestOptions(
        {
          adminUrl: `https://${FLAG_HOST}/`,
          adminToken: "*:*.token",
          connectHost: "k8s-alb.elb.amazonaws.com",
        },
        "POST",
        "/api/admin/api-tokens",
        "{}",
      );
      assert.equal(options.protocol, "https:");
      assert.equal(options.hostname, "k8s-alb.elb.amazonaws.com");
      assert.equal(options.port, 443);
      assert.equal(options.path, "/api/admin/api-tokens");
      assert.equal(options.servername, FLAG_HOST);
      assert.equal(options.headers.Host, FLAG_HOST);
      assert.equal(options.headers["Content-Length"], "2");
    });

    it("without a connect host (an existing Unleash), connects to the admin URL's own host", () => {
      const options = adminRequestOptions(
        { adminUrl: "https://unleash.example.com:8443", adminToken: "*:*.token" },
        "GET",
        "/api/admin/projects/default/features/x?archived=true",
      );
      assert.equal(options.hostname, "unleash.example.com");
      assert.equal(options.port, 8443);
      assert.equal(options.servername, undefined);
      assert.equal(options.headers.Host, "unleash.example.com:8443");
      assert.equal(options.path, "/api/admin/projects/default/features/x?archived=true");
    });
  });

  describe("against a real Unleash behind TLS for the flag host", () => {
    let unleash: UnleashServer;
    let flags: Provider<FlagInputs, FlagOutputs>;
    let tokens: Provider<TokenInputs, TokenOutputs>;
    /** Stands in for the ALB: terminates TLS with the flag host's certificate and forwards to Unleash. */
    let alb: https.Server;
    let port: number;
    const seen: {
      servername: string | false | null;
      host: string | undefined;
      userAgent: string | undefined;
    }[] = [];

    before(async function () {
      this.timeout(180_000);
      [unleash, flags, tokens] = await Promise.all([
        realUnleash(),
        asDeployed(unleashFlagProvider).then((deployed) => deployed.provider),
        asDeployed(unleashTokenProvider).then((deployed) => deployed.provider),
      ]);
      const { cert, key } = selfSignedCertificate(FLAG_HOST);
      alb = https.createServer({ cert, key }, (request, response) => {
        seen.push({
          servername: (request.socket as TLSSocket).servername,
          host: request.headers.host,
          userAgent: request.headers["user-agent"],
        });
        const target = new URL(unleash.url);
        const upstream = http.request(
          { host: target.hostname, port: target.port, path: request.url, method: request.method },
          (answer) => {
            response.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(response);
          },
        );
        for (const [header, value] of Object.entries(request.headers)) {
          if (header !== "host" && value !== undefined) upstream.setHeader(header, value);
        }
        upstream.on("error", (err) => response.writeHead(502).end(String(err)));
        request.pipe(upstream);
      });
      await new Promise<void>((resolve) => alb.listen(0, "127.0.0.1", resolve));
      port = (alb.address() as AddressInfo).port;
      // The one certificate this process trusts while the spec runs (the ALB's ACM certificate in real life).
      https.globalAgent.options.ca = cert;
    });
    after(async () => {
      delete https.globalAgent.options.ca;
      https.globalAgent.destroy();
      alb?.closeAllConnections();
      await new Promise((resolve) => alb?.close(resolve));
      await stopOwnUnleash();
    });

    const connection = (host = FLAG_HOST) => ({
      adminUrl: `https://${host}:${port}`,
      adminToken: unleash.adminToken,
      connectHost: "127.0.0.1",
    });

    it("the deployed providers create, read and delete a flag and a token, verifying the flag host's certificate", async () => {
      seen.length = 0;
      const token: TokenInputs = {
        ...connection(),
        project: "default",
        environment: "production",
        tokenName: `spec-connect-${process.pid}`,
      };
      const created = await tokens.create(token);
      const outs = created.outs as TokenOutputs;
      assert.match(outs.secret, /^default:production\./);
      assert.equal(outs.connectHost, "127.0.0.1");
      assert.equal((await tokens.read(created.id, outs)).id, created.id);
      await tokens.delete(created.id, outs);

      const flag: FlagInputs = {
        ...connection(),
        project: "default",
        environment: "production",
        name: `spec-connect-${process.pid}`,
        description: "created through the ALB's own name",
        type: "release",
        impressionData: true,
        enabled: true,
        rolloutPercentage: 5,
        stickiness: "userId",
      };
      const made = await flags.create(flag);
      const state = made.outs as FlagOutputs;
      assert.equal(state.rolloutPercentage, 5);
      assert.equal(state.connectHost, "127.0.0.1", "read and delete find the connect host in the state");
      await flags.delete(made.id, state);

      assert.ok(seen.length >= 6, `the providers went through the ALB (${seen.length} requests)`);
      for (const request of seen) {
        // A User-Agent too: a WAF's core rule set on the ALB blocks requests without one.
        assert.deepEqual(request, {
          servername: FLAG_HOST,
          host: `${FLAG_HOST}:${port}`,
          userAgent: ADMIN_USER_AGENT,
        });
      }
    });

    it("a certificate that does not cover the admin URL's host is refused at once, not retried", async () => {
      const started = Date.now();
      await assert.rejects(
        tokens.create({
          ...connection("other.ams.test"),
          project: "default",
          environment: "production",
          tokenName: `spec-wrong-host-${process.pid}`,
        }),
        /altnames|other\.ams\.test/,
      );
      assert.ok(Date.now() - started < 10_000, "no five-minute retry for a certificate error");
    });
  });

  describe("in the plan", () => {
    it("self-hosted: every flag and the token connect to the Unleash Ingress's ALB, keeping the flag host's URL", async () => {
      const plan = await planOf("dev");
      const ingress = findResource(
        plan,
        "kubernetes:networking.k8s.io/v1:Ingress",
        "ams-flags-unleash-ingress",
      );
      const group = (ingress.inputs.metadata as { annotations: Record<string, string> }).annotations[
        "alb.ingress.kubernetes.io/group.name"
      ];
      const { adminUrl } = plan.outputs.featureFlagService as { adminUrl: string };
      assert.equal(adminUrl, "https://flags.dev.ams.example.com");
      const resources = [...findResources(plan, FLAG), ...findResources(plan, TOKEN)];
      assert.ok(resources.length > 1);
      for (const resource of resources) {
        assert.equal(resource.inputs.adminUrl, adminUrl);
        // The ALB the Unleash Ingress joined (its group's), by the DNS name AWS gives it.
        assert.match(
          String(resource.inputs.connectHost),
          new RegExp(`^${group}-\\d+\\.[a-z0-9-]+\\.elb\\.amazonaws\\.com$`),
        );
        assert.ok(resource.options.dependsOn.includes(ingress.urn), `${resource.name} waits for the Ingress`);
      }
    });

    it("an existing Unleash is called at its URL, with no connect host", async () => {
      const plan = await planOf(
        "staging",
        "featureFlagService.mode=external",
        "featureFlagService.host=",
        "featureFlagService.url=https://unleash.example.com",
        "featureFlagAdminToken=admin-token",
      );
      for (const resource of [...findResources(plan, FLAG), ...findResources(plan, TOKEN)]) {
        assert.equal(resource.inputs.adminUrl, "https://unleash.example.com");
        assert.equal(resource.inputs.connectHost, undefined);
      }
    });
  });
});

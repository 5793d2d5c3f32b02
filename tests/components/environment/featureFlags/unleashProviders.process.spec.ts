import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import {
  changedFlagFields,
  FlagInputs,
  FlagOutputs,
  unleashFlagProvider,
} from "../../../../components/environment/featureFlags/flagProvider";
import {
  TokenInputs,
  TokenOutputs,
  unleashTokenProvider,
} from "../../../../components/environment/featureFlags/tokenProvider";
import { asDeployed, Provider } from "../../../helpers/dynamicProviders";
import { realUnleash, stopOwnUnleash, UnleashServer } from "../../../helpers/unleashServer";

/** What the Admin API answers about a flag (the parts these specs look at). */
interface LiveStrategy {
  readonly id: string;
  readonly name: string;
  readonly parameters: Record<string, string>;
}
interface LiveEnvironment {
  readonly name: string;
  readonly enabled: boolean;
  readonly strategies: LiveStrategy[];
}
interface LiveFeature {
  readonly name: string;
  readonly description: string;
  readonly type: string;
  readonly impressionData: boolean;
  readonly environments: LiveEnvironment[];
}

describe("Unleash flag and client-token resources, against a real Unleash", function () {
  this.timeout(30_000);
  let server: UnleashServer;
  let flags: Provider<FlagInputs, FlagOutputs>;
  let tokens: Provider<TokenInputs, TokenOutputs>;

  before(async function () {
    // The run's Unleash starts with the suite (tests/globalFixtures.ts); alone, this file starts its own.
    this.timeout(180_000);
    [server, flags, tokens] = await Promise.all([
      realUnleash(),
      asDeployed(unleashFlagProvider).then((deployed) => deployed.provider),
      asDeployed(unleashTokenProvider).then((deployed) => deployed.provider),
    ]);
  });
  after(stopOwnUnleash);

  /** The Unleash UI's side of things: the same Admin API, called directly. */
  async function admin<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { Authorization: server.adminToken, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text === "" ? undefined : JSON.parse(text)) as T };
  }
  const feature = (name: string) => admin<LiveFeature>("GET", `/api/admin/projects/default/features/${name}`);
  const production = (live: { body: LiveFeature }): LiveEnvironment => {
    const environment = live.body.environments.find((candidate) => candidate.name === "production");
    assert.ok(environment, "the flag has a production environment");
    return environment;
  };

  let counter = 0;
  function declared(overrides: Partial<FlagInputs> = {}): FlagInputs {
    return {
      adminUrl: server.url,
      adminToken: server.adminToken,
      project: "default",
      environment: "production",
      name: `spec-flag-${process.pid}-${++counter}`,
      description: "declared in a stack file",
      type: "release",
      impressionData: true,
      enabled: true,
      rolloutPercentage: 20,
      stickiness: "userId",
      ...overrides,
    };
  }

  describe("the flag provider", () => {
    it("creates the flag with its metadata, one gradual-rollout strategy and its on/off state", async () => {
      const inputs = declared();
      const created = await flags.create(inputs);
      assert.equal(created.id, inputs.name);
      const live = await feature(inputs.name);
      assert.equal(live.status, 200);
      assert.equal(live.body.description, "declared in a stack file");
      assert.equal(live.body.type, "release");
      assert.equal(live.body.impressionData, true);
      const environment = production(live);
      assert.equal(environment.enabled, true);
      assert.deepEqual(
        environment.strategies.map((strategy) => [strategy.name, strategy.parameters]),
        [["flexibleRollout", { rollout: "20", stickiness: "userId", groupId: inputs.name }]],
      );
      const outs = created.outs as FlagOutputs;
      assert.equal(outs.rolloutPercentage, 20);
      assert.equal(outs.strategyId, environment.strategies[0].id);
    });

    it("diff reports exactly the field that changed, and nothing for the same flag", async () => {
      const inputs = declared();
      const outs = (await flags.create(inputs)).outs as FlagOutputs;
      assert.deepEqual(await flags.diff(inputs.name, outs, inputs), {
        changes: false,
        replaces: [],
        deleteBeforeReplace: false,
      });
      assert.deepEqual(changedFlagFields(outs, { ...inputs, rolloutPercentage: 50 }), ["rolloutPercentage"]);
      assert.deepEqual(changedFlagFields(outs, { ...inputs, description: "new words" }), ["description"]);
      assert.deepEqual(changedFlagFields(outs, { ...inputs, enabled: false }), ["enabled"]);
      // Guard data for the policy pack is not Unleash's business.
      assert.deepEqual(
        changedFlagFields(outs, {
          ...inputs,
          exposureGuard: { steps: [5, 20, 50, 100], previousExposure: 5 },
        }),
        [],
      );
      assert.equal(
        (await flags.diff(inputs.name, outs, { ...inputs, stickiness: "sessionId" })).changes,
        true,
      );
    });

    it("update moves the percentage on the same strategy and switches the flag off", async () => {
      const inputs = declared();
      const outs = (await flags.create(inputs)).outs as FlagOutputs;
      const raised = (await flags.update(inputs.name, outs, { ...inputs, rolloutPercentage: 50 }))
        .outs as FlagOutputs;
      let environment = production(await feature(inputs.name));
      assert.equal(environment.strategies.length, 1);
      assert.equal(environment.strategies[0].id, outs.strategyId);
      assert.equal(environment.strategies[0].parameters.rollout, "50");
      assert.equal(raised.rolloutPercentage, 50);

      const off = (
        await flags.update(inputs.name, raised, { ...inputs, rolloutPercentage: 50, enabled: false })
      ).outs as FlagOutputs;
      environment = production(await feature(inputs.name));
      assert.equal(environment.enabled, false);
      assert.equal(off.enabled, false);
    });

    it("refresh (read) sees a change made in the UI, and the next update would set it back", async () => {
      const inputs = declared();
      const outs = (await flags.create(inputs)).outs as FlagOutputs;
      const strategies = `/api/admin/projects/default/features/${inputs.name}/environments/production/strategies`;
      const edited = await admin("PUT", `${strategies}/${outs.strategyId}`, {
        name: "flexibleRollout",
        parameters: { rollout: "5", stickiness: "userId", groupId: inputs.name },
        constraints: [],
      });
      assert.equal(edited.status, 200);

      const read = await flags.read(inputs.name, outs);
      assert.equal(read.id, inputs.name);
      assert.equal((read.props as FlagOutputs).rolloutPercentage, 5);
      assert.equal((read.inputs as FlagOutputs).rolloutPercentage, 5);
      assert.deepEqual(changedFlagFields(read.props as FlagOutputs, inputs), ["rolloutPercentage"]);
      assert.equal((await flags.diff(inputs.name, read.props as FlagOutputs, inputs)).changes, true);
    });

    it("a kill switch's on/off belongs to the UI: refresh sees it, diff and update leave it", async () => {
      const inputs = declared({
        type: "kill-switch",
        impressionData: false,
        rolloutPercentage: 100,
        stickiness: "default",
      });
      const outs = (await flags.create(inputs)).outs as FlagOutputs;
      assert.equal(outs.enabled, true);
      // The incident: an operator switches it off in the UI.
      const off = await admin(
        "POST",
        `/api/admin/projects/default/features/${inputs.name}/environments/production/off`,
      );
      assert.equal(off.status, 200);

      const read = (await flags.read(inputs.name, outs)).props as FlagOutputs;
      assert.equal(read.enabled, false);
      assert.equal((await flags.diff(inputs.name, read, inputs)).changes, false);
      // An unrelated change still updates the flag, without switching it back on.
      const updated = (
        await flags.update(inputs.name, read, { ...inputs, description: "still a kill switch" })
      ).outs as FlagOutputs;
      assert.equal(updated.enabled, false);
      assert.equal(production(await feature(inputs.name)).enabled, false);
      assert.equal((await feature(inputs.name)).body.description, "still a kill switch");
    });

    it("delete archives the flag; declaring it again revives it as declared", async () => {
      const inputs = declared();
      const outs = (await flags.create(inputs)).outs as FlagOutputs;
      await flags.delete(inputs.name, outs);
      assert.equal((await feature(inputs.name)).status, 404);
      const archived = await admin<{ features: { name: string }[] }>(
        "GET",
        `/api/admin/search/features?query=${inputs.name}&archived=IS:true`,
      );
      assert.deepEqual(
        archived.body.features.map((flag) => flag.name),
        [inputs.name],
      );
      // Refresh of a flag archived outside Pulumi: gone from the state, so `pulumi up` creates it again.
      assert.deepEqual(await flags.read(inputs.name, outs), {});
      // Deleting what is already archived is fine too.
      await flags.delete(inputs.name, outs);

      const again = (await flags.create({ ...inputs, rolloutPercentage: 5 })).outs as FlagOutputs;
      const environment = production(await feature(inputs.name));
      assert.equal(environment.enabled, true);
      assert.equal(again.rolloutPercentage, 5);
      assert.deepEqual(
        environment.strategies.map((strategy) => strategy.parameters.rollout),
        ["5"],
      );
    });

    it("takes over a live flag of the same name (made in the UI) and makes it match the declaration", async () => {
      const inputs = declared({ rolloutPercentage: 50 });
      const made = await admin("POST", "/api/admin/projects/default/features", {
        name: inputs.name,
        type: "operational",
        description: "made by hand",
      });
      assert.equal(made.status, 201);
      const outs = (await flags.create(inputs)).outs as FlagOutputs;
      const live = await feature(inputs.name);
      assert.equal(live.body.type, "release");
      assert.equal(live.body.description, "declared in a stack file");
      assert.equal(outs.rolloutPercentage, 50);
      assert.equal(production(live).strategies.length, 1);
    });
  });

  describe("the client-token provider", () => {
    it("creates a backend token the client API accepts, reads it back and revokes it on delete", async () => {
      const inputs: TokenInputs = {
        adminUrl: server.url,
        adminToken: server.adminToken,
        project: "default",
        environment: "production",
        tokenName: `spec-token-${process.pid}`,
      };
      const created = await tokens.create(inputs);
      const outs = created.outs as TokenOutputs;
      assert.match(outs.secret, /^default:production\.[0-9a-f]+$/);
      // The id names the token; it is stored in plain text in the state, so it must not be the secret.
      assert.equal(created.id, inputs.tokenName);
      assert.ok(!created.id.includes(outs.secret));

      const client = () =>
        fetch(`${server.url}/api/client/features`, { headers: { Authorization: outs.secret } });
      const served = await client();
      assert.equal(served.status, 200);
      assert.ok(Array.isArray(((await served.json()) as { features: unknown[] }).features));

      assert.deepEqual(await tokens.read(created.id, outs), { id: created.id, props: outs });
      assert.equal((await tokens.diff(created.id, outs, inputs)).changes, false);
      assert.deepEqual(
        (await tokens.diff(created.id, outs, { ...inputs, environment: "development" })).replaces,
        ["environment"],
      );

      await tokens.delete(created.id, outs);
      // Revoked in the store at once; Unleash's in-memory token cache lets it work up to a minute longer
      // (fetchActiveTokens every minute, features/scheduler/schedule-services.js).
      const left = await admin<{ tokens: unknown[] }>("GET", `/api/admin/api-tokens/${inputs.tokenName}`);
      assert.deepEqual(left.body.tokens, []);
      assert.deepEqual(await tokens.read(created.id, outs), {});
    });
  });

  it("Unleash with AUTH_TYPE open-source (the deployed setting) refuses the Admin API without a token", async () => {
    const anonymous = await fetch(`${server.url}/api/admin/projects/default/features`);
    assert.equal(anonymous.status, 401);
    const wrongToken = await fetch(`${server.url}/api/admin/projects/default/features`, {
      headers: { Authorization: "*:*.not-the-admin-token" },
    });
    assert.equal(wrongToken.status, 401);
  });

  describe("the serialized providers", () => {
    it("capture no secret and stay small (the __provider input is stored with every flag)", async () => {
      for (const provider of [unleashFlagProvider, unleashTokenProvider]) {
        const deployed = await asDeployed(provider as pulumi.dynamic.ResourceProvider);
        assert.equal(deployed.containsSecrets, false);
        assert.ok(deployed.code.length < 32_000, `${deployed.code.length} bytes`);
        assert.ok(!deployed.code.includes(server.adminToken));
        // Nothing of the Pulumi SDK or the program is dragged in.
        assert.ok(!/require\("@pulumi/.test(deployed.code), "the provider code must not load the SDK");
      }
    });
  });
});

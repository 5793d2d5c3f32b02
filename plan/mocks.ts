import * as pulumi from "@pulumi/pulumi";
import { PLAN_ID_KEY } from "./capture";
import { MockContext, mockInvoke, mockResource } from "./mockOutputs";
import { isWireSecret, wireSecret } from "./secrets";

/** What a resource registration looked like on the wire: the inputs the engine would have received. */
export interface RegisteredResource {
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  /** Deserialized inputs; secret values still wrapped in the SDK's secret envelope. */
  readonly inputs: Record<string, unknown>;
  /** Provider reference (`<urn>::<id>`), empty for a default provider. */
  readonly provider: string;
}

/**
 * Pulumi mocks that answer like providers would and remember every registration by the harness's plan id.
 * Properties a resource declares secret (`additionalSecretOutputs`) come back secret, as the engine would
 * return them, so a secret never turns plain on its way from one resource to the next.
 */
export class PlanMocks implements pulumi.runtime.Mocks {
  readonly registered = new Map<string, RegisteredResource>();

  constructor(
    private readonly context: MockContext,
    private readonly secretOutputsOf: (planId: string) => readonly string[],
  ) {}

  newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    const { [PLAN_ID_KEY]: planId, ...inputs } = args.inputs as Record<string, unknown>;
    const key = typeof planId === "string" ? planId : `${args.type}::${args.name}`;
    const { id, state } = mockResource(args.type, args.name, inputs, this.context);
    this.registered.set(key, {
      type: args.type,
      name: args.name,
      custom: args.custom ?? true,
      inputs,
      provider: args.provider ?? "",
    });
    for (const property of this.secretOutputsOf(key)) {
      if (property in state && !isWireSecret(state[property])) state[property] = wireSecret(state[property]);
    }
    return { id: args.custom === false ? undefined : id, state };
  }

  call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
    try {
      return mockInvoke(args.token, args.inputs as Record<string, unknown>, this.context);
    } catch (err) {
      // The SDK rebuilds a failed invoke's error from `details` (the gRPC field); keep the message there.
      const message = err instanceof Error ? err.message : String(err);
      throw Object.assign(new Error(message), { details: message });
    }
  }
}

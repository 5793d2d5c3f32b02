import * as pulumi from "@pulumi/pulumi";
import { MockContext, mockInvoke, mockResource } from "./mockOutputs";
import { isWireSecret, wireSecret } from "./secrets";

/** What a resource registration looked like on the wire: the inputs the engine would have received. */
export interface RegisteredResource {
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  /** Deserialized inputs; secret values still wrapped in the SDK's secret envelope. */
  readonly inputs: Record<string, unknown>;
  readonly id: string;
}

/**
 * Pulumi mocks that answer like providers would and remember every registration. Properties a resource
 * declares secret (`additionalSecretOutputs`) come back secret, as the engine would return them, so a
 * secret never turns plain on its way from one resource to the next.
 */
export class PlanMocks implements pulumi.runtime.Mocks {
  readonly registered = new Map<string, RegisteredResource>();

  constructor(
    private readonly context: MockContext,
    private readonly secretOutputsOf: (type: string, name: string) => readonly string[],
  ) {}

  static key(type: string, name: string): string {
    return `${type}::${name}`;
  }

  newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    const key = PlanMocks.key(args.type, args.name);
    if (this.registered.has(key)) {
      throw new Error(
        `Two resources of type ${args.type} are named "${args.name}"; give them distinct names.`,
      );
    }
    const plainInputs = args.inputs as Record<string, unknown>;
    const { id, state } = mockResource(args.type, args.name, plainInputs, this.context);
    this.registered.set(key, {
      type: args.type,
      name: args.name,
      custom: args.custom ?? true,
      inputs: plainInputs,
      id,
    });
    for (const property of this.secretOutputsOf(args.type, args.name)) {
      if (property in state && !isWireSecret(state[property])) state[property] = wireSecret(state[property]);
    }
    return { id: args.custom === false ? undefined : id, state };
  }

  call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
    return mockInvoke(args.token, args.inputs as Record<string, unknown>, this.context);
  }
}

import * as pulumi from "@pulumi/pulumi";

export type Provider<I, O> = Required<pulumi.dynamic.ResourceProvider<I, O>>;

/**
 * A dynamic provider as the Pulumi engine runs it: serialized with the SDK's closure serializer into the
 * `__provider` text, then loaded from that text the way the dynamic-provider host does
 * (`requireFromString(text).handler()`, @pulumi/pulumi cmd/dynamic-provider/index.js). So specs that use it
 * also prove the serialized code is self-contained.
 */
export async function asDeployed<I, O>(
  provider: pulumi.dynamic.ResourceProvider<I, O>,
): Promise<{
  provider: Provider<I, O>;
  code: string;
  containsSecrets: boolean;
}> {
  const serialized = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the loader the dynamic-provider host uses
  const requireFromString = require("require-from-string") as (code: string) => {
    handler: () => Provider<I, O>;
  };
  return {
    provider: requireFromString(serialized.text).handler(),
    code: serialized.text,
    containsSecrets: serialized.containsSecrets,
  };
}

import type * as pulumi from "@pulumi/pulumi";
import { AdminConnection, adminCall, connectionOf, sameConnection, segment } from "./adminApi";

/**
 * The Pulumi dynamic provider behind `UnleashClientToken`: a server-side SDK token ("backend" token, the
 * type Unleash 6+ calls what used to be "client") for one project and environment, made through the Admin
 * API (POST /api/admin/api-tokens). Unleash shows a token's secret to admins only; the resource keeps it
 * as the `secret` output, which the resource declares secret (`additionalSecretOutputs`).
 */

export interface TokenInputs extends AdminConnection {
  readonly project: string;
  readonly environment: string;
  /** Token name shown in the Unleash UI (not unique in Unleash; the secret identifies the token). */
  readonly tokenName: string;
}

export interface TokenOutputs extends TokenInputs {
  /** The token the SDK sends (`<project>:<environment>.<random>`). */
  readonly secret: string;
}

interface LiveToken {
  readonly secret: string;
  readonly tokenName: string;
  readonly environment: string;
  readonly projects?: string[];
}

/** Fields whose change needs a new token (Unleash cannot re-scope one); the admin connection only updates. */
const REPLACE_FIELDS = ["project", "environment", "tokenName"] as const;

export function changedTokenFields(olds: TokenOutputs, news: TokenInputs): string[] {
  const fields: string[] = REPLACE_FIELDS.filter((field) => olds[field] !== news[field]);
  if (!sameConnection(olds, news)) fields.push("connection");
  return fields;
}

export const unleashTokenProvider: pulumi.dynamic.ResourceProvider<TokenInputs, TokenOutputs> = {
  async diff(_id, olds, news) {
    const changed = changedTokenFields(olds, news);
    const replaces = changed.filter((field) => (REPLACE_FIELDS as readonly string[]).includes(field));
    // A replacement creates the new token before deleting the old one, so pods holding the old one keep
    // working until they pick up the new one.
    return { changes: changed.length > 0, replaces, deleteBeforeReplace: false };
  },

  async create(inputs) {
    const created = await adminCall(
      inputs,
      "POST",
      "/api/admin/api-tokens",
      {
        tokenName: inputs.tokenName,
        type: "backend",
        environment: inputs.environment,
        projects: [inputs.project],
      },
      [201],
    );
    const token = created.body as LiveToken;
    return { id: inputs.tokenName, outs: { ...inputs, secret: token.secret } };
  },

  async read(id, props) {
    if (!props) throw new Error(`cannot refresh token ${id} without its recorded state`);
    const response = await adminCall(
      connectionOf(props),
      "GET",
      `/api/admin/api-tokens/${segment(props.tokenName)}`,
      undefined,
      [200],
    );
    const tokens = (response.body as { tokens?: LiveToken[] }).tokens ?? [];
    // Revoked outside Pulumi: the resource is gone, and the next `pulumi up` creates a new token.
    if (!tokens.some((token) => token.secret === props.secret)) return {};
    return { id, props };
  },

  async update(_id, olds, news) {
    // Only the admin connection can differ here (see `diff`); record it, the token itself is unchanged.
    const { project, environment, tokenName, secret } = olds;
    return { outs: { project, environment, tokenName, secret, ...connectionOf(news) } };
  },

  async delete(_id, props) {
    // Unleash answers 200 for a token that no longer exists, too.
    await adminCall(
      connectionOf(props),
      "DELETE",
      `/api/admin/api-tokens/${segment(props.secret)}`,
      undefined,
      [200],
    );
  },
};

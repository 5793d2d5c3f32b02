import type * as pulumi from "@pulumi/pulumi";
import type { FlagType, Stickiness } from "../../../config/featureFlags";
import { AdminConnection, adminCall, connectionOf, sameConnection, segment } from "./adminApi";

/**
 * The Pulumi dynamic provider behind `UnleashFeatureFlag`: one Unleash feature flag, its on/off state in one
 * Unleash environment and one gradual-rollout (`flexibleRollout`) strategy there. Only type imports above
 * (erased at compile time) besides the Admin API client: see `adminApi.ts` for why.
 *
 * Semantics the engine relies on (pulumi/pulumi sdk/nodejs/cmd/dynamic-provider/index.ts, as installed):
 * - `diff` gets the old *outputs* and the new inputs; outputs mirror the inputs' shape so they compare.
 * - `read` (pulumi refresh) returns the live flag as outputs and as inputs, so a change made in the UI shows
 *   in the next preview as the field Pulumi would set back.
 * - `delete` archives the flag; `create` takes over a flag of the same name (reviving it from the archive).
 * - The engine does not hand secrets to dynamic providers and re-marks an output secret when the input of
 *   the same name was (`annotateSecrets` in pulumi/pulumi sdk/go/common/resource/plugin/provider_plugin.go),
 *   so `adminToken` stays a secret in state.
 */

/** What a flag resource declares. `exposureGuard` is read by the policy pack only, never sent to Unleash. */
export interface FlagInputs extends AdminConnection {
  readonly project: string;
  /** Unleash environment whose on/off state and strategy the resource owns. */
  readonly environment: string;
  readonly name: string;
  readonly description: string;
  readonly type: FlagType;
  /** Unleash records every evaluation as an impression event (release flags: on). */
  readonly impressionData: boolean;
  readonly enabled: boolean;
  readonly rolloutPercentage: number;
  readonly stickiness: Stickiness;
  readonly exposureGuard?: { readonly steps: readonly number[]; readonly previousExposure: number };
}

/**
 * The flag as Unleash has it: the inputs' fields plus the id of the strategy the resource owns
 * (`exposureGuard` passes through, so a refresh keeps it among the inputs).
 */
export interface FlagOutputs extends Omit<FlagInputs, "rolloutPercentage" | "stickiness"> {
  /** `null` when the environment has no gradual-rollout strategy (someone removed it). */
  readonly rolloutPercentage: number | null;
  readonly stickiness: string | null;
  readonly strategyId: string;
}

/**
 * Flag types whose on/off the Unleash UI owns once the flag exists: an operator switches a kill switch off
 * in an incident and the next `pulumi up` must not switch it back on. Pulumi sets it at creation only.
 */
export const UI_OWNED_ENABLED: readonly FlagType[] = ["kill-switch"];

/** Fields a change of which replaces the resource (a flag cannot be renamed). */
const REPLACE_FIELDS = ["name", "project"] as const;
/** Fields an update sets in Unleash, compared by `diff`. */
const FLAG_FIELDS = [
  "environment",
  "description",
  "type",
  "impressionData",
  "enabled",
  "rolloutPercentage",
  "stickiness",
] as const;

/**
 * The fields `pulumi up` would change, in declaration order: what differs between the flag as recorded (or
 * refreshed) and as declared. The admin URL, connect host and token count (an update records the new ones, which delete
 * and refresh need); `exposureGuard` and the provider's own code do not. A kill switch's `enabled` does not.
 */
export function changedFlagFields(olds: FlagOutputs, news: FlagInputs): string[] {
  const uiOwned = UI_OWNED_ENABLED.includes(news.type);
  const fields: string[] = [];
  for (const field of [...REPLACE_FIELDS, ...FLAG_FIELDS]) {
    if (field === "enabled" && uiOwned) continue;
    if (olds[field] !== news[field]) fields.push(field);
  }
  if (!sameConnection(olds, news)) fields.push("connection");
  return fields;
}

interface LiveFeature {
  readonly name: string;
  readonly description?: string | null;
  readonly type: string;
  readonly impressionData?: boolean;
  readonly environments?: {
    readonly name: string;
    readonly enabled: boolean;
    readonly strategies?: {
      readonly id: string;
      readonly name: string;
      readonly parameters?: Record<string, string>;
    }[];
  }[];
}

function featurePath(inputs: Pick<FlagInputs, "project" | "name">): string {
  return `/api/admin/projects/${segment(inputs.project)}/features/${segment(inputs.name)}`;
}

function environmentPath(inputs: Pick<FlagInputs, "project" | "name" | "environment">): string {
  return `${featurePath(inputs)}/environments/${segment(inputs.environment)}`;
}

/** The live flag in the outputs' shape, or `undefined` when Unleash has no live flag of that name. */
async function readFlag(
  connection: AdminConnection,
  identity: Pick<FlagInputs, "project" | "name" | "environment">,
  knownStrategyId: string,
): Promise<FlagOutputs | undefined> {
  const response = await adminCall(connection, "GET", featurePath(identity), undefined, [200, 404]);
  if (response.status === 404) return undefined;
  const feature = response.body as LiveFeature;
  const environment = feature.environments?.find((env) => env.name === identity.environment);
  const rollouts = (environment?.strategies ?? []).filter((strategy) => strategy.name === "flexibleRollout");
  const strategy = rollouts.find((candidate) => candidate.id === knownStrategyId) ?? rollouts[0];
  const rollout = strategy?.parameters?.rollout;
  return {
    ...connectionOf(connection),
    project: identity.project,
    environment: identity.environment,
    name: feature.name,
    description: feature.description ?? "",
    type: feature.type as FlagType,
    impressionData: feature.impressionData ?? false,
    enabled: environment?.enabled ?? false,
    rolloutPercentage: rollout === undefined ? null : Number(rollout),
    stickiness: strategy?.parameters?.stickiness ?? null,
    strategyId: strategy?.id ?? "",
  };
}

/** Makes sure a live flag of that name exists: creates it, or revives it from the archive, or takes it over. */
async function ensureFlag(inputs: FlagInputs): Promise<void> {
  const metadata = {
    description: inputs.description,
    type: inputs.type,
    impressionData: inputs.impressionData,
  };
  const created = await adminCall(
    inputs,
    "POST",
    `/api/admin/projects/${segment(inputs.project)}/features`,
    { name: inputs.name, ...metadata },
    [201, 409],
  );
  if (created.status === 201) return;
  // The name is taken: by an archived flag (revive it; Unleash switches a revived flag off everywhere) or by
  // a live one (take it over). Reviving a live flag would switch it off too, so ask the archive first.
  const search = await adminCall(
    inputs,
    "GET",
    `/api/admin/search/features?query=${segment(inputs.name)}&archived=IS:true&limit=100`,
    undefined,
    [200],
  );
  const archived = ((search.body as { features?: { name: string; project: string }[] }).features ?? []).find(
    (feature) => feature.name === inputs.name,
  );
  if (archived && archived.project !== inputs.project) {
    throw new Error(
      `Unleash's archive holds flag ${inputs.name} of project ${archived.project}, not ${inputs.project}`,
    );
  }
  if (archived)
    await adminCall(inputs, "POST", `/api/admin/archive/revive/${segment(inputs.name)}`, undefined, [200]);
  await adminCall(inputs, "PUT", featurePath(inputs), metadata, [200]);
}

/** Sets the environment's rollout strategy and (unless skipped) its on/off state; returns the strategy id. */
async function configureEnvironment(
  inputs: FlagInputs,
  strategyId: string,
  setEnabled: boolean,
): Promise<string> {
  const strategy = {
    name: "flexibleRollout",
    constraints: [],
    segments: [],
    parameters: {
      rollout: String(inputs.rolloutPercentage),
      stickiness: inputs.stickiness,
      groupId: inputs.name,
    },
  };
  let id = strategyId;
  const strategies = `${environmentPath(inputs)}/strategies`;
  const updated =
    id === ""
      ? undefined
      : await adminCall(inputs, "PUT", `${strategies}/${segment(id)}`, strategy, [200, 404]);
  if (updated === undefined || updated.status === 404) {
    const added = await adminCall(inputs, "POST", strategies, strategy, [200]);
    id = String((added.body as { id: string }).id);
  }
  if (setEnabled) {
    // The strategy exists first, so Unleash does not add its default 100 % strategy when switching on.
    await adminCall(
      inputs,
      "POST",
      `${environmentPath(inputs)}/${inputs.enabled ? "on" : "off"}`,
      undefined,
      [200],
    );
  }
  return id;
}

/** The outputs after create/update: what Unleash now has (a UI-owned on/off included). */
async function settledOutputs(inputs: FlagInputs, strategyId: string): Promise<FlagOutputs> {
  const live = await readFlag(inputs, inputs, strategyId);
  if (!live) throw new Error(`Unleash lost flag ${inputs.name} while Pulumi was configuring it`);
  return withGuard(live, inputs.exposureGuard);
}

function withGuard(state: FlagOutputs, guard: FlagInputs["exposureGuard"]): FlagOutputs {
  return guard === undefined ? state : { ...state, exposureGuard: guard };
}

export const unleashFlagProvider: pulumi.dynamic.ResourceProvider<FlagInputs, FlagOutputs> = {
  async diff(_id, olds, news) {
    const changed = changedFlagFields(olds, news);
    const replaces = changed.filter((field) => (REPLACE_FIELDS as readonly string[]).includes(field));
    return { changes: changed.length > 0, replaces, deleteBeforeReplace: false };
  },

  async create(inputs) {
    await ensureFlag(inputs);
    const existing = await readFlag(inputs, inputs, "");
    const strategyId = await configureEnvironment(inputs, existing?.strategyId ?? "", true);
    return { id: inputs.name, outs: await settledOutputs(inputs, strategyId) };
  },

  async read(id, props) {
    if (!props) throw new Error(`cannot refresh flag ${id} without its recorded state (admin URL and token)`);
    const live = await readFlag(connectionOf(props), { ...props, name: id }, props.strategyId);
    // Archived or deleted outside Pulumi: the resource is gone, and the next `pulumi up` creates it again.
    if (!live) return {};
    const state = withGuard(live, props.exposureGuard);
    // As the inputs, too: the next preview then shows the field Pulumi would set back, from the live value.
    const asInputs: { -readonly [K in keyof FlagOutputs]?: FlagOutputs[K] } = { ...state };
    delete asInputs.strategyId;
    return { id, props: state, inputs: asInputs as FlagOutputs };
  },

  async update(_id, olds, news) {
    const changed = changedFlagFields(olds, news);
    if (["description", "type", "impressionData"].some((field) => changed.includes(field))) {
      await adminCall(
        news,
        "PUT",
        featurePath(news),
        {
          description: news.description,
          type: news.type,
          impressionData: news.impressionData,
        },
        [200],
      );
    }
    const strategyChanged =
      changed.includes("environment") ||
      changed.includes("rolloutPercentage") ||
      changed.includes("stickiness") ||
      olds.strategyId === "";
    const strategyId =
      strategyChanged || changed.includes("enabled")
        ? await configureEnvironment(
            news,
            changed.includes("environment") ? "" : olds.strategyId,
            changed.includes("enabled") || changed.includes("environment"),
          )
        : olds.strategyId;
    return { outs: await settledOutputs(news, strategyId) };
  },

  async delete(_id, props) {
    // Archiving is Unleash's delete: the flag stops being served, its history stays, and it can be revived.
    // Already gone (404) is what delete wants.
    await adminCall(connectionOf(props), "DELETE", featurePath(props), undefined, [200, 202, 404]);
  },
};

import type { DeclaredFlags } from "./flagChanges";

/**
 * One entry of a stack's update history, as both history sources (a `pulumi stack history --json` file and
 * the Automation API) are mapped into it. Only what the DORA figures need is kept: config values may be
 * secrets and are never read.
 */
export interface UpdateRecord {
  /** The stack version the operation created. */
  readonly version: number;
  /** `update`, `preview`, `refresh`, `destroy`, `import`, `rename`… — only `update` is a deployment. */
  readonly kind: string;
  readonly result: UpdateResult;
  readonly start: Date;
  /** Absent while the operation is still running (the CLI omits `endTime` for in-progress updates). */
  readonly end: Date | undefined;
  readonly message: string;
  /** `environment["git.head"]`: the commit checked out when the update ran, when Pulumi ran inside Git. */
  readonly gitHead: string | undefined;
  /**
   * `ams:activeColor` in the update's config snapshot, when recorded and not secret: tells which update was a
   * flip. Besides it only `ams:featureFlags` (never a secret) is read.
   */
  readonly activeColor: string | undefined;
  /** `ams:featureFlags` in the update's config snapshot, when recorded: the flags the update applied. */
  readonly featureFlags?: DeclaredFlags;
}

/**
 * The results `pulumi stack history` reports: the CLI's own (pkg/backend/updates.go) and Pulumi Cloud's
 * `not-started` (sdk/go/common/apitype/history.go), which the CLI passes through.
 */
export const UPDATE_RESULTS = ["succeeded", "failed", "in-progress", "not-started"] as const;
export type UpdateResult = (typeof UPDATE_RESULTS)[number];

/** The history could not be read from Pulumi (no CLI, not logged in, no such stack): exit 1, no stack trace. */
export class DoraSourceError extends Error {
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = "DoraSourceError";
  }
}

import * as path from "path";

/**
 * The repository root: the AMS Pulumi project (`Pulumi.yaml`, the stack files, `index.ts`) that the plan and
 * the operations tools act on unless `--cwd` (or `--project`) says otherwise.
 */
export const PROJECT_DIR = path.resolve(__dirname, "..", "..");

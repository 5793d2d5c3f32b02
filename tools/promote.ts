// As in plan/cli.ts: source-mapping every resource's stack trace is most of a plan's wall time.
process.setSourceMapsEnabled(false);

import { runMain } from "./cli/main";
import { promoteCommand } from "./promote/command";

runMain((argv, out) => promoteCommand(argv, out));

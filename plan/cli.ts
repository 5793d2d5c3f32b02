// Pulumi captures a stack trace for every resource it registers; with tsx's source maps on, mapping those
// traces costs a third of the plan's wall time. Error locations stay close: esbuild keeps line numbers.
process.setSourceMapsEnabled(false);

import { runMain } from "../tools/cli/main";
import { planCommand } from "./command";

runMain((argv, out) => planCommand(argv, out));

// Pulumi captures a stack trace for every resource it registers; with tsx's source maps on, mapping those
// traces costs a third of the plan's wall time. Error locations stay close: esbuild keeps line numbers.
process.setSourceMapsEnabled(false);

import { planCommand } from "./command";

planCommand(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then((code) => {
  // Exit only once stdout has drained: a pipe takes large plans in pieces, and exit would cut them off.
  process.stdout.write("", () => process.exit(code));
});

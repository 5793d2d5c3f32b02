// As in plan/cli.ts: source-mapping every resource's stack trace is most of a plan's wall time.
process.setSourceMapsEnabled(false);

import { promoteCommand } from "./promote/command";

promoteCommand(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then((code) => {
  // Exit only once stdout has drained: the plan of the change can be long, and a pipe takes it in pieces.
  process.stdout.write("", () => process.exit(code));
});

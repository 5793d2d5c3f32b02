import { doraCommand } from "./dora/command";

doraCommand(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then((code) => {
  // Exit only once stdout has drained, so a piped report is not cut off.
  process.stdout.write("", () => process.exit(code));
});

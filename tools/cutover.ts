import { cutoverMain } from "./cutover/main";

cutoverMain(process.argv.slice(2)).then((code) => {
  process.stdout.write("", () => process.exit(code));
});

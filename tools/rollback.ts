import { rollbackMain } from "./cutover/main";

rollbackMain(process.argv.slice(2)).then((code) => {
  process.stdout.write("", () => process.exit(code));
});

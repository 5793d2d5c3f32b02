import { runMain } from "./cli/main";
import { rollbackMain } from "./cutover/main";

runMain((argv) => rollbackMain(argv));

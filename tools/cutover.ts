import { runMain } from "./cli/main";
import { cutoverMain } from "./cutover/main";

runMain((argv) => cutoverMain(argv));

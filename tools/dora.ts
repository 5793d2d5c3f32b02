import { runMain } from "./cli/main";
import { doraCommand } from "./dora/command";

runMain((argv, out) => doraCommand(argv, out));

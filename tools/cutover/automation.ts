import { EngineEvent, LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { Color } from "./color";
import { LastUpdate, StackPort } from "./ports";

/** The stack config key the program reads for the live color. */
export const ACTIVE_COLOR_KEY = "ams:activeColor";

export interface OpenStackOptions {
  readonly stackName: string;
  /** The Pulumi project directory (Pulumi.yaml). */
  readonly workDir: string;
  /** A specific CLI (tests point this at a recording fake); default: `pulumi` on PATH. */
  readonly pulumiCommand?: PulumiCommand;
  /** Extra environment for every CLI call. */
  readonly envVars?: Record<string, string>;
}

/** The only module that talks to the Automation API: selects the stack and exposes it as a `StackPort`. */
export async function openPulumiStack(options: OpenStackOptions): Promise<StackPort> {
  const stack = await LocalWorkspace.selectStack(
    { stackName: options.stackName, workDir: options.workDir },
    { pulumiCommand: options.pulumiCommand, envVars: options.envVars },
  );
  return new AutomationStack(stack);
}

class AutomationStack implements StackPort {
  constructor(private readonly stack: Stack) {}

  async outputs(): Promise<Record<string, unknown>> {
    const outputs = await this.stack.outputs();
    return Object.fromEntries(Object.entries(outputs).map(([key, output]) => [key, output.value as unknown]));
  }

  async lastUpdate(): Promise<LastUpdate | undefined> {
    // showSecrets false: the history's config snapshot is not needed, so secrets never leave the CLI.
    const [last] = await this.stack.history(1, 1, false);
    return last && { kind: last.kind, result: last.result, endTime: last.endTime };
  }

  async declaredActiveColor(): Promise<string | undefined> {
    try {
      return (await this.stack.getConfig(ACTIVE_COLOR_KEY)).value;
    } catch (error) {
      // Not set in the stack file: the project default (Pulumi.yaml) applies, which the outputs reflect.
      if (error instanceof Error && /not found/i.test(error.message)) return undefined;
      throw error;
    }
  }

  async setActiveColor(color: Color): Promise<void> {
    await this.stack.setConfig(ACTIVE_COLOR_KEY, { value: color, secret: false });
  }

  async up(message: string, onStep?: (done: number) => void): Promise<void> {
    let done = 0;
    const onEvent = (event: EngineEvent) => {
      if (event.resOutputsEvent) onStep?.(++done);
    };
    await this.stack.up({ message, onEvent });
  }
}

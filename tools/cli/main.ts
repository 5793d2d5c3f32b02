/** Where a command writes: the process's streams when run from npm, strings in a test. */
export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const PROCESS_OUTPUT: Output = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/**
 * Runs a command as the process's entry point: it gets the command line and the process's streams, and the
 * process exits with the code it returns — only once stdout has drained: a pipe takes a large plan or report
 * in pieces, and `process.exit` would cut it off.
 */
export function runMain(command: (argv: readonly string[], out: Output) => Promise<number>): void {
  void command(process.argv.slice(2), PROCESS_OUTPUT).then((code) => {
    process.stdout.write("", () => process.exit(code));
  });
}

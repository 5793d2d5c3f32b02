import { SingleBar } from "cli-progress";
import { formatDuration } from "../cli/time";
import { Progress } from "./ports";

export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/** On a log (not a terminal) the bake prints one "time left" line per this interval at most. */
export const PLAIN_BAKE_LINE_EVERY_MS = 60_000;

/** A bar on a terminal, sparse plain lines elsewhere (CI logs, tests). */
export function createProgress(stream: ProgressStream, now: () => number): Progress {
  return stream.isTTY ? terminalProgress(stream) : plainProgress(stream, now);
}

function plainProgress(stream: ProgressStream, now: () => number): Progress {
  let lastBakeLine: number | undefined;
  return {
    phase: (label) => {
      lastBakeLine = undefined;
      stream.write(`▸ ${label}\n`);
    },
    activity: () => undefined,
    bake: (remainingMs, totalMs) => {
      const at = now();
      if (remainingMs > 0 && lastBakeLine !== undefined && at - lastBakeLine < PLAIN_BAKE_LINE_EVERY_MS)
        return;
      lastBakeLine = at;
      stream.write(`  bake: ${formatDuration(remainingMs)} left of ${formatDuration(totalMs)}\n`);
    },
    stop: () => undefined,
  };
}

function terminalProgress(stream: ProgressStream): Progress {
  let bar: SingleBar | undefined;
  const stopBar = () => {
    bar?.stop();
    bar = undefined;
  };
  return {
    phase: (label) => {
      stopBar();
      stream.write(`▸ ${label}\n`);
    },
    activity: (text) => stream.write(`\r\x1b[2K  ${text}`),
    bake: (remainingMs, totalMs) => {
      if (!bar) {
        stream.write("\r\x1b[2K");
        bar = new SingleBar({
          format: "  bake |{bar}| {left} left of {total_time}",
          stream: stream as NodeJS.WritableStream,
          hideCursor: true,
        });
        bar.start(totalMs, 0, { left: formatDuration(remainingMs), total_time: formatDuration(totalMs) });
      }
      bar.update(totalMs - remainingMs, { left: formatDuration(remainingMs) });
    },
    stop: () => {
      stopBar();
    },
  };
}

import { helpRequested, stackFlag, walkFlags } from "../cli/flags";
import { UsageError } from "../cli/usageError";
import { parseDuration, parseInstant } from "../cli/time";

export interface DoraArgs {
  readonly stack: string;
  /** A `pulumi stack history --json` file; without it the Automation API is asked. */
  readonly history: string | undefined;
  readonly windowMs: number;
  readonly json: boolean;
  readonly svg: string | undefined;
  /** The window's end; the wall clock unless `--now` pins it (reproducible reports, tests). */
  readonly now: Date;
  /** The Git clone commit times are read from. */
  readonly repo: string | undefined;
  readonly help: boolean;
}

export const USAGE = `Usage: npm run dora -- --stack <name> [--history <file.json>] [--since 30d] [--json] [--svg <out.svg>] [--now <ISO time>] [--repo <dir>]

  --stack <name>       the stack to report on (dev, staging, prod, or org/project/stack)
  --history <file>     read \`pulumi stack history --json --page-size 1000\` output instead of asking the Pulumi CLI
  --since <n>h|d|w     window length ending at --now (default 30d)
  --json               print one JSON document instead of Markdown
  --svg <file>         also write a bar chart of deployments and failed changes per ISO week (linked from the Markdown)
  --now <ISO time>     end of the window, e.g. 2024-05-31T00:00:00Z (default: now)
  --repo <dir>         Git clone to read commit times from, for lead time (default: this repository)
  --help               show this text`;

/** Parses the dora command's arguments; bad usage is a `UsageError` naming the flag (exit 2). */
export function parseDoraArgs(argv: readonly string[], clock: () => Date): DoraArgs {
  if (helpRequested(argv))
    return {
      stack: "",
      history: undefined,
      windowMs: 0,
      json: false,
      svg: undefined,
      now: clock(),
      repo: undefined,
      help: true,
    };
  let stack: string | undefined;
  let history: string | undefined;
  let windowMs = parseSince("30d");
  let json = false;
  let svg: string | undefined;
  let now: Date | undefined;
  let repo: string | undefined;
  const known = {
    valued: ["--stack", "--history", "--since", "--svg", "--now", "--repo"],
    booleans: ["--json"],
  };
  walkFlags(argv, USAGE, known, (flag, value) => {
    switch (flag) {
      case "--stack":
        stack = value;
        return;
      case "--history":
        history = value;
        return;
      case "--since":
        windowMs = parseSince(value);
        return;
      case "--json":
        json = true;
        return;
      case "--svg":
        if (!value.toLowerCase().endsWith(".svg"))
          throw new UsageError(`--svg "${value}" must name a file ending in .svg.`);
        svg = value;
        return;
      case "--now":
        now = parseInstant(value);
        if (now === undefined)
          throw new UsageError(
            `--now "${value}" is not an RFC 3339 time: use e.g. 2024-05-31T00:00:00Z (a date, a time and a zone).`,
          );
        return;
      case "--repo":
        repo = value;
        return;
    }
  });
  return {
    stack: stackFlag(stack, USAGE),
    history,
    windowMs,
    json,
    svg,
    now: now ?? clock(),
    repo,
    help: false,
  };
}

/** `--since`: a whole number of hours, days or weeks (`12h`, `30d`, `4w`), in milliseconds. */
export function parseSince(text: string): number {
  const ms = parseDuration(text, ["h", "d", "w"]);
  if (ms === undefined || ms === 0 || text.length > 6)
    throw new UsageError(
      `--since "${text}" is not a window length: use a whole number followed by h (hours), d (days) or ` +
        `w (weeks), e.g. 30d or 4w.`,
    );
  return ms;
}

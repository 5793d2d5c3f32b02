import { DoraInputError } from "./model";
import { parseInstant, parseSince } from "./time";

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

/** Parses the dora command's arguments; bad usage is a `DoraInputError` naming the flag (exit 2). */
export function parseDoraArgs(argv: readonly string[], clock: () => Date): DoraArgs {
  let stack: string | undefined;
  let history: string | undefined;
  let windowMs = parseSince("30d");
  let json = false;
  let svg: string | undefined;
  let now: Date | undefined;
  let repo: string | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith("--"))
        throw new DoraInputError(`${flag} needs a value.\n${USAGE}`);
      return next;
    };
    switch (flag) {
      case "--stack":
        stack = value();
        if (!/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+){0,2}$/.test(stack))
          throw new DoraInputError(
            `--stack "${stack}" is not a stack name: use letters, digits, "-", "_" and ".", optionally as org/project/stack.`,
          );
        break;
      case "--history":
        history = value();
        break;
      case "--since":
        windowMs = parseSince(value());
        break;
      case "--json":
        json = true;
        break;
      case "--svg":
        svg = value();
        if (!svg.toLowerCase().endsWith(".svg"))
          throw new DoraInputError(`--svg "${svg}" must name a file ending in .svg.`);
        break;
      case "--now": {
        const text = value();
        now = parseInstant(text);
        if (now === undefined)
          throw new DoraInputError(
            `--now "${text}" is not an RFC 3339 time: use e.g. 2024-05-31T00:00:00Z (a date, a time and a zone).`,
          );
        break;
      }
      case "--repo":
        repo = value();
        break;
      case "--help":
      case "-h":
        help = true;
        break;
      default:
        throw new DoraInputError(`Unknown argument "${flag}".\n${USAGE}`);
    }
  }
  if (stack === undefined && !help) throw new DoraInputError(`--stack is required.\n${USAGE}`);
  return { stack: stack ?? "", history, windowMs, json, svg, now: now ?? clock(), repo, help };
}

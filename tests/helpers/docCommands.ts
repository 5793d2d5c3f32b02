/**
 * The commands and sample outputs a document shows, read the way a reader reads them: every `npm run …` line
 * of a fenced shell block, and every fenced block marked `<!-- output of: npm run … -->` as that command's
 * output.
 */

export interface DocCommand {
  /** The line as written, without its comment. */
  readonly text: string;
  /** `plan`, `dora`, `cutover`, … */
  readonly script: string;
  /** What follows `--`, split as a POSIX shell would. */
  readonly args: string[];
  /** The exit code the document promises: 0, unless its comment says `exits N`. */
  readonly exitCode: number;
  readonly line: number;
}

export interface DocSample {
  readonly command: DocCommand;
  /** The block's lines; `…` in a line stands for any text. */
  readonly lines: string[];
  readonly line: number;
}

interface Fence {
  readonly language: string;
  readonly lines: string[];
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The last non-blank line before the fence. */
  readonly before: string;
}

function fences(markdown: string): Fence[] {
  const all = markdown.split("\n");
  const found: Fence[] = [];
  for (let i = 0; i < all.length; i++) {
    const open = /^\s*```(\S*)\s*$/.exec(all[i]);
    if (!open) continue;
    const end = all.findIndex((line, j) => j > i && /^\s*```\s*$/.test(line));
    if (end < 0) break;
    const before = all
      .slice(0, i)
      .reverse()
      .find((line) => line.trim() !== "");
    found.push({ language: open[1], lines: all.slice(i + 1, end), line: i + 1, before: before ?? "" });
    i = end;
  }
  return found;
}

const SHELL = new Set(["bash", "sh", "shell", "console"]);

export function docCommands(markdown: string): DocCommand[] {
  return fences(markdown)
    .filter((fence) => SHELL.has(fence.language))
    .flatMap((fence) =>
      fence.lines.flatMap((text, index) => {
        const command = parseCommand(text, fence.line + 1 + index);
        return command ? [command] : [];
      }),
    );
}

const MARKER = /^<!--\s*output of:\s*(.+?)\s*-->$/;

export function docSamples(markdown: string): DocSample[] {
  return fences(markdown).flatMap((fence) => {
    const marker = MARKER.exec(fence.before.trim());
    const command = marker ? parseCommand(marker[1], fence.line - 1) : undefined;
    return command ? [{ command, lines: fence.lines, line: fence.line }] : [];
  });
}

/** Unmarked blocks that look like `plan --compare` output: nothing would check them. */
export function unmarkedPlanOutput(markdown: string): number[] {
  return fences(markdown)
    .filter((fence) => !SHELL.has(fence.language) && !MARKER.test(fence.before.trim()))
    .filter((fence) =>
      fence.lines.some((line) => /^(\+|~|\+-|-) (create|update|replace|delete) \S+:/.test(line)),
    )
    .map((fence) => fence.line);
}

function parseCommand(text: string, line: number): DocCommand | undefined {
  const words = shellWords(text.trim());
  if (words === undefined || words[0] !== "npm" || words[1] !== "run") return undefined;
  const separator = words.indexOf("--");
  const args = separator < 0 ? [] : words.slice(separator + 1);
  const exits = /\bexits (\d+)/.exec(comment(text))?.[1];
  return {
    text: text.slice(0, text.length - comment(text).length).trim(),
    script: words[2],
    args,
    exitCode: exits === undefined ? 0 : Number(exits),
    line,
  };
}

/** The `# …` comment at the end of a shell line (a `#` outside quotes, after a blank). */
function comment(text: string): string {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') {
      quote = char;
    } else if (char === "#" && (i === 0 || /\s/.test(text[i - 1]))) {
      return text.slice(i);
    }
  }
  return "";
}

/** Words of one shell line, quotes removed; stops at a comment, `&&` or `|`; `undefined` if none. */
function shellWords(text: string): string[] | undefined {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      else word = (word ?? "") + char;
      continue;
    }
    if (char === "'" || char === '"') {
      quote = char;
      word ??= "";
    } else if (/\s/.test(char)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (char === "#" && word === undefined) {
      break;
    } else if ((char === "&" && text[i + 1] === "&") || char === "|" || char === ">") {
      break;
    } else {
      word = (word ?? "") + char;
    }
  }
  if (word !== undefined) words.push(word);
  return words.length > 0 ? words : undefined;
}

/**
 * Where each sample line is in the output, in order (`-1` for the first one missing). A sample line matches a
 * whole output line; `…` in it stands for any text, so a long line may be cut short with one.
 */
export function findSampleLines(sample: readonly string[], output: string): { missing?: string } {
  const lines = output.split("\n").map((line) => line.trimEnd());
  let from = 0;
  for (const expected of sample.map((line) => line.trimEnd())) {
    if (expected === "" || expected === "…") continue;
    const pattern = new RegExp(
      `^${expected
        .split("…")
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*")}$`,
    );
    const at = lines.findIndex((line, index) => index >= from && pattern.test(line));
    if (at < 0) return { missing: expected };
    from = at + 1;
  }
  return {};
}

/**
 * Split a command string into words the way Compose does (go-shellwords without variable
 * expansion): whitespace separates words; single quotes are literal; double quotes group
 * and a backslash inside them escapes the next character; an unquoted backslash escapes
 * the next character; empty quoted words are kept. An unquoted `;`, `&`, `|`, `<` or `>`
 * ends the command (the rest is dropped, as Compose does), and a digit-only word right
 * before a redirection (`2>`) is dropped with it.
 */

export class ShellWordsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ShellWordsError";
  }
}

const SPACE = new Set([" ", "\t", "\r", "\n"]);
const META = new Set([";", "&", "|", "<", ">"]);

export function splitShellWords(line: string): string[] {
  const words: string[] = [];
  let buf = "";
  let got = false; // a word is in progress (possibly empty, e.g. "")
  let escaped = false;
  let single = false;
  let double = false;

  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (escaped) {
      buf += ch;
      escaped = false;
      got = true;
      continue;
    }
    if (ch === "\\") {
      if (single) buf += ch;
      else escaped = true;
      got = true;
      continue;
    }
    if (SPACE.has(ch) && !single && !double) {
      if (got) {
        words.push(buf);
        buf = "";
        got = false;
      }
      continue;
    }
    if (ch === "'" && !double) {
      single = !single;
      got = true;
      continue;
    }
    if (ch === '"' && !single) {
      double = !double;
      got = true;
      continue;
    }
    if (META.has(ch) && !single && !double) {
      if ((ch === ">" || ch === "<") && /^[0-9]+$/.test(buf)) {
        buf = "";
        got = false;
      }
      if (got) words.push(buf);
      return words;
    }
    buf += ch;
    got = true;
  }
  if (escaped || single || double) {
    throw new ShellWordsError(`unterminated ${single ? "single quote" : double ? "double quote" : "escape"} in ${JSON.stringify(line)}`);
  }
  if (got) words.push(buf);
  return words;
}

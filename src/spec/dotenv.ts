/**
 * Compose's `.env` / `env_file` syntax (not the `dotenv` npm package's):
 * - blank lines and `#` comment lines are skipped; an optional `export ` prefix is allowed;
 * - `KEY=VALUE` (or `KEY: VALUE`); keys are letters, digits, `_`, `.`, `-`, `[` and `]`;
 * - `KEY` alone takes its value from `lookup`, and is left out when `lookup` has none;
 * - `'…'` is literal (no interpolation; only `\'` is an escape), may span lines;
 * - `"…"` understands `\n \r \t \\ \" \$ \a \b \f \v \0NNN` (other backslashes are kept),
 *   is interpolated, and may span lines;
 * - unquoted values are trimmed and interpolated; ` #` starts an inline comment (`a#b` is kept);
 * - interpolation sees `lookup` first, then the variables defined earlier in the file, then
 *   `earlier` (what files read before this one defined).
 * Invalid lines throw a ConfigError (CONFIG_ENV_FILE) with file:line:col.
 */
import { ConfigError } from "../errors.js";
import { interpolateString } from "./interpolate.js";

function fail(file: string, line: number, col: number, message: string, hint?: string): never {
  throw ConfigError.of("CONFIG_ENV_FILE", message, {
    location: { file, line, col },
    hint: hint ?? "env files hold one KEY=VALUE per line; quote values with spaces or special characters",
  });
}

function isKeyChar(c: string): boolean {
  return /[\p{L}\p{N}_.\-[\]]/u.test(c);
}

const SPACE = new Set([" ", "\t", "\v", "\f", "\r", "\u0085", "\u00a0"]);

/** Looks a variable up; undefined when it has no value there. */
export type DotenvLookup = (name: string) => string | undefined;

/**
 * Parse one file. `${VAR}` in a value sees `lookup` first, then the variables defined earlier in
 * this file, then `earlier` (e.g. the env files read before this one); a bare `KEY` sees `lookup`
 * only.
 */
export function parseDotenv(text: string, file: string, lookup: DotenvLookup, earlier?: DotenvLookup): Record<string, string> {
  return new DotenvReader(text, file, lookup, earlier).read();
}

/** One pass over a file: the position, the line (for errors), and the variables read so far. */
class DotenvReader {
  private readonly src: string;
  private readonly n: number;
  private pos = 0;
  private line = 1;
  private lineStart = 0;
  private readonly out: Record<string, string> = {};

  constructor(
    text: string,
    private readonly file: string,
    private readonly lookup: DotenvLookup,
    private readonly earlier: DotenvLookup | undefined,
  ) {
    this.src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    this.n = this.src.length;
  }

  read(): Record<string, string> {
    while (this.skipToStatement()) this.statement();
    return this.out;
  }

  private col(p: number): number {
    return p - this.lineStart + 1;
  }

  private newline(at: number): void {
    this.line++;
    this.lineStart = at;
  }

  private set(key: string, value: string): void {
    if (key === "__proto__") Object.defineProperty(this.out, key, { value, writable: true, enumerable: true, configurable: true });
    else this.out[key] = value;
  }

  private expand(value: string, atLine: number, atCol: number): string {
    const seen = (name: string): string | undefined => {
      const v = this.lookup(name);
      if (v !== undefined) return v;
      return Object.prototype.hasOwnProperty.call(this.out, name) ? this.out[name] : this.earlier?.(name);
    };
    try {
      return interpolateString(value, seen).value;
    } catch (e) {
      if (e instanceof ConfigError) fail(this.file, atLine, atCol, e.issues[0]!.message, e.issues[0]!.hint);
      throw e;
    }
  }

  /** Skips blank lines, leading spaces and comments; false at the end of the text. */
  private skipToStatement(): boolean {
    const { src, n } = this;
    while (this.pos < n) {
      while (this.pos < n && SPACE.has(src[this.pos]!)) this.pos++;
      if (this.pos >= n) return false;
      if (src[this.pos] === "\n") {
        this.pos++;
        this.newline(this.pos);
      } else if (src[this.pos] === "#") {
        while (this.pos < n && src[this.pos] !== "\n") this.pos++;
      } else {
        return true;
      }
    }
    return false;
  }

  /** `[export ]KEY=VALUE`, `KEY: VALUE` or a bare `KEY`. */
  private statement(): void {
    const { src, n } = this;
    if (src.startsWith("export", this.pos) && (src[this.pos + 6] === " " || src[this.pos + 6] === "\t")) {
      this.pos += 6;
      while (this.pos < n && (src[this.pos] === " " || src[this.pos] === "\t")) this.pos++;
    }
    const keyStart = this.pos;
    while (this.pos < n && isKeyChar(src[this.pos]!)) this.pos++;
    const key = src.slice(keyStart, this.pos);
    let p = this.pos;
    while (p < n && SPACE.has(src[p]!)) p++;
    const sep = src[p];
    if (key === "") fail(this.file, this.line, this.col(keyStart), `invalid line: expected a variable name, found ${JSON.stringify(src[keyStart] ?? "")}`);
    if (p >= n || sep === "\n") {
      // `KEY` alone: inherited from the lookup, left out when unset.
      const v = this.lookup(key);
      if (v !== undefined) this.set(key, v);
      this.pos = p;
      return;
    }
    if (sep !== "=" && sep !== ":") this.badName(key, keyStart, p);
    this.pos = p + 1;
    while (this.pos < n && SPACE.has(src[this.pos]!)) this.pos++;
    const q = src[this.pos];
    if (q === "'" || q === '"') this.quoted(key, q);
    else this.unquoted(key);
  }

  private badName(key: string, keyStart: number, p: number): never {
    const { src, n } = this;
    const sep = src[p]!;
    if (p > this.pos && isKeyChar(sep)) {
      // The name only (up to `=`/`:`), never the rest of the line: that is the value, maybe a secret.
      const eol = src.indexOf("\n", p) < 0 ? n : src.indexOf("\n", p);
      const nameEnd = src.slice(keyStart, eol).search(/[=:]/);
      fail(this.file, this.line, this.col(keyStart), `invalid variable name ${JSON.stringify(src.slice(keyStart, nameEnd < 0 ? eol : keyStart + nameEnd).trim())}: a name cannot contain spaces`);
    }
    fail(this.file, this.line, this.col(p), `unexpected character ${JSON.stringify(sep)} in variable name ${JSON.stringify(key)}`);
  }

  /** `'…'` (literal) or `"…"` (escapes, then interpolated); either may span lines. */
  private quoted(key: string, q: "'" | '"'): void {
    const { src, n } = this;
    const valueLine = this.line;
    const valueCol = this.col(this.pos);
    this.pos++;
    let raw = "";
    let closed = false;
    while (this.pos < n) {
      const c = src[this.pos]!;
      if (c === "\\" && this.pos + 1 < n) {
        // As compose-go reads quotes: `\<quote>` is the quote itself (in single quotes too:
        // 'Let\'s go!' is Let's go!); any other escaped character keeps its backslash.
        raw += src[this.pos + 1] === q ? q : c + src[this.pos + 1];
        if (src[this.pos + 1] === "\n") this.newline(this.pos + 2);
        this.pos += 2;
        continue;
      }
      if (c === q) {
        closed = true;
        this.pos++;
        break;
      }
      if (c === "\n") this.newline(this.pos + 1);
      raw += c;
      this.pos++;
    }
    if (!closed) fail(this.file, valueLine, valueCol, `unterminated quoted value for ${key}`, `close the ${q === '"' ? "double" : "single"} quote opened here`);
    this.set(key, q === "'" ? raw : this.expand(unescapeDouble(raw), valueLine, valueCol));
    // compose-go reads on right after the closing quote: a comment, spaces, or another statement
  }

  /** Up to the end of the line, minus an inline comment (` #`), trimmed, interpolated. */
  private unquoted(key: string): void {
    const valueLine = this.line;
    const valueCol = this.col(this.pos);
    let end = this.src.indexOf("\n", this.pos);
    if (end < 0) end = this.n;
    let rawValue = this.src.slice(this.pos, end);
    const hash = rawValue.search(/[ \t]#/);
    if (hash >= 0) rawValue = rawValue.slice(0, hash);
    rawValue = rawValue.replace(/[\s\u0085\u00a0]+$/u, "");
    this.set(key, this.expand(rawValue, valueLine, valueCol));
    this.pos = end;
  }
}

/** Escapes of double-quoted values; a `$` produced by an escape is protected from interpolation. */
function unescapeDouble(raw: string): string {
  let out = "";
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === "$") {
      // `$` written as is: left for interpolation.
      out += c;
      continue;
    }
    if (c !== "\\" || i + 1 >= raw.length) {
      out += c;
      continue;
    }
    const e = raw[i + 1]!;
    i++;
    switch (e) {
      case "n":
        out += "\n";
        break;
      case "r":
        out += "\r";
        break;
      case "t":
        out += "\t";
        break;
      case "a":
        out += "\x07";
        break;
      case "b":
        out += "\b";
        break;
      case "f":
        out += "\f";
        break;
      case "v":
        out += "\v";
        break;
      case "\\":
        out += "\\";
        break;
      case '"':
        out += '"';
        break;
      case "$":
        out += "$$";
        break;
      case "0": {
        const m = /^[0-7]{1,3}/.exec(raw.slice(i + 1));
        const digits = m ? m[0] : "";
        const ch = String.fromCharCode(parseInt(digits || "0", 8));
        out += ch === "$" ? "$$" : ch;
        i += digits.length;
        break;
      }
      default:
        out += "\\" + e;
    }
  }
  return out;
}

/**
 * Compose's `.env` / `env_file` syntax (not the `dotenv` npm package's):
 * - blank lines and `#` comment lines are skipped; an optional `export ` prefix is allowed;
 * - `KEY=VALUE` (or `KEY: VALUE`); keys are letters, digits, `_`, `.`, `-`, `[` and `]`;
 * - `KEY` alone takes its value from `lookup`, and is left out when `lookup` has none;
 * - `'…'` is literal (no interpolation; only `\'` is an escape), may span lines;
 * - `"…"` understands `\n \r \t \\ \" \$ \a \b \f \v \0NNN` (other backslashes are kept),
 *   is interpolated, and may span lines;
 * - unquoted values are trimmed and interpolated; ` #` starts an inline comment (`a#b` is kept);
 * - interpolation sees `lookup` first, then the variables defined earlier in the file.
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

export function parseDotenv(
  text: string,
  file: string,
  lookup: (name: string) => string | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const n = src.length;
  let pos = 0;
  let line = 1;
  let lineStart = 0;
  const col = (p: number) => p - lineStart + 1;
  const expand = (value: string, atLine: number, atCol: number): string => {
    try {
      return interpolateString(value, (name) => {
        const v = lookup(name);
        if (v !== undefined) return v;
        return Object.prototype.hasOwnProperty.call(out, name) ? out[name] : undefined;
      }).value;
    } catch (e) {
      if (e instanceof ConfigError) fail(file, atLine, atCol, e.issues[0]!.message, e.issues[0]!.hint);
      throw e;
    }
  };
  const set = (key: string, value: string) => {
    if (key === "__proto__") Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
    else out[key] = value;
  };

  while (pos < n) {
    // Skip leading spaces on the line.
    while (pos < n && SPACE.has(src[pos]!)) pos++;
    if (pos >= n) break;
    if (src[pos] === "\n") {
      pos++;
      line++;
      lineStart = pos;
      continue;
    }
    if (src[pos] === "#") {
      while (pos < n && src[pos] !== "\n") pos++;
      continue;
    }
    // Optional `export ` prefix.
    if (src.startsWith("export", pos) && (src[pos + 6] === " " || src[pos + 6] === "\t")) {
      pos += 6;
      while (pos < n && (src[pos] === " " || src[pos] === "\t")) pos++;
    }
    const keyStart = pos;
    while (pos < n && isKeyChar(src[pos]!)) pos++;
    const key = src.slice(keyStart, pos);
    let p = pos;
    while (p < n && SPACE.has(src[p]!)) p++;
    const sep = src[p];
    if (key === "") {
      fail(file, line, col(keyStart), `invalid line: expected a variable name, found ${JSON.stringify(src[keyStart] ?? "")}`);
    }
    if (p >= n || sep === "\n") {
      // `KEY` alone: inherited from the lookup, left out when unset.
      const v = lookup(key);
      if (v !== undefined) set(key, v);
      pos = p;
      continue;
    }
    if (sep !== "=" && sep !== ":") {
      if (p > pos && isKeyChar(sep!)) fail(file, line, col(keyStart), `invalid variable name ${JSON.stringify(src.slice(keyStart, src.indexOf("\n", p) < 0 ? n : src.indexOf("\n", p)).trim())}: a name cannot contain spaces`);
      fail(file, line, col(p), `unexpected character ${JSON.stringify(sep)} in variable name ${JSON.stringify(key)}`);
    }
    pos = p + 1;
    while (pos < n && SPACE.has(src[pos]!)) pos++;
    const valueLine = line;
    const valueCol = col(pos);
    const q = src[pos];
    if (q === "'" || q === '"') {
      pos++;
      let raw = "";
      let closed = false;
      while (pos < n) {
        const c = src[pos]!;
        if (c === "\\" && pos + 1 < n) {
          // As compose-go reads quotes: `\<quote>` is the quote itself (in single quotes too:
          // 'Let\'s go!' is Let's go!); any other escaped character keeps its backslash.
          raw += src[pos + 1] === q ? q : c + src[pos + 1];
          if (src[pos + 1] === "\n") {
            line++;
            lineStart = pos + 2;
          }
          pos += 2;
          continue;
        }
        if (c === q) {
          closed = true;
          pos++;
          break;
        }
        if (c === "\n") {
          line++;
          lineStart = pos + 1;
        }
        raw += c;
        pos++;
      }
      if (!closed) fail(file, valueLine, valueCol, `unterminated quoted value for ${key}`, `close the ${q === '"' ? "double" : "single"} quote opened here`);
      const value = q === "'" ? raw : expand(unescapeDouble(raw), valueLine, valueCol);
      set(key, value);
      // compose-go reads on right after the closing quote: a comment, spaces, or another statement
      continue;
    }
    // Unquoted: up to the end of the line, minus an inline comment (` #`), trimmed.
    let end = src.indexOf("\n", pos);
    if (end < 0) end = n;
    let rawValue = src.slice(pos, end);
    const hash = rawValue.search(/[ \t]#/);
    if (hash >= 0) rawValue = rawValue.slice(0, hash);
    rawValue = rawValue.replace(/[\s\u0085\u00a0]+$/u, "");
    set(key, expand(rawValue, valueLine, valueCol));
    pos = end;
  }
  return out;
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

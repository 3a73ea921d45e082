/**
 * Lexing: a template into its pieces (text, and the body of each `{{ }}` action with the `{{-`/`-}}`
 * trim markers applied), and an action's body into tokens (strings, raw strings, character
 * constants, numbers, fields, variables, identifiers, punctuation).
 */
import { TemplateError } from "./ast.js";

export interface Tok {
  k: "str" | "num" | "field" | "var" | "ident" | "(" | ")" | "|" | ":=" | "=" | ",";
  v: string;
}

export function lexAction(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src.charAt(i);
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "(" || c === ")" || c === "|" || c === ",") {
      toks.push({ k: c, v: c });
      i++;
      continue;
    }
    if (c === ":" && src[i + 1] === "=") {
      toks.push({ k: ":=", v: ":=" });
      i += 2;
      continue;
    }
    if (c === "=") {
      toks.push({ k: "=", v: "=" });
      i++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') j += src[j] === "\\" ? 2 : 1;
      if (j >= src.length) throw new TemplateError(`unterminated quoted string in {{${src}}}`);
      toks.push({ k: "str", v: JSON.parse(src.slice(i, j + 1).replace(/\\'/g, "'")) as string });
      i = j + 1;
      continue;
    }
    if (c === "`") {
      const j = src.indexOf("`", i + 1);
      if (j < 0) throw new TemplateError(`unterminated raw string in {{${src}}}`);
      toks.push({ k: "str", v: src.slice(i + 1, j) });
      i = j + 1;
      continue;
    }
    if (c === "'") {
      const m = /^'(\\.|[^\\'])'/.exec(src.slice(i));
      if (!m) throw new TemplateError(`bad character constant in {{${src}}}`);
      const lit = m[1]!; // the group is not optional: it matched
      const ch = lit.startsWith("\\") ? (JSON.parse(`"${lit}"`) as string) : lit;
      toks.push({ k: "num", v: String(ch.codePointAt(0)) });
      i += m[0].length;
      continue;
    }
    const m =
      /^(?:\$[A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*|\.(?:[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)?|[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|[A-Za-z_][A-Za-z0-9_]*)/.exec(
        src.slice(i),
      );
    if (!m || m[0] === "") throw new TemplateError(`unexpected "${c}" in {{${src}}}`);
    const w = m[0];
    toks.push({ k: w.startsWith("$") ? "var" : w.startsWith(".") ? "field" : /^[-+\d]/.test(w) ? "num" : "ident", v: w });
    i += w.length;
  }
  return toks;
}

export interface Piece {
  kind: "text" | "action";
  text: string;
}

export function splitPieces(src: string): Piece[] {
  const out: Piece[] = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf("{{", i);
    if (open < 0) {
      out.push({ kind: "text", text: src.slice(i) });
      break;
    }
    let text = src.slice(i, open);
    let inner = open + 2;
    if (src.startsWith("- ", inner) || src.startsWith("-\t", inner) || src.startsWith("-\n", inner)) {
      text = text.replace(/\s+$/, "");
      inner += 1;
    }
    // Find the closing braces, skipping quoted strings.
    let j = inner;
    let close = -1;
    while (j < src.length) {
      const ch = src[j];
      if (ch === '"') {
        j++;
        while (j < src.length && src[j] !== '"') j += src[j] === "\\" ? 2 : 1;
        j++;
        continue;
      }
      if (ch === "`") {
        j = src.indexOf("`", j + 1) + 1 || src.length;
        continue;
      }
      if (src.startsWith("}}", j)) {
        close = j;
        break;
      }
      j++;
    }
    if (close < 0) throw new TemplateError(`unclosed action: ${src.slice(open)}`);
    let body = src.slice(inner, close);
    let next = close + 2;
    if (/\s-$/.test(body)) {
      body = body.slice(0, -1);
      const m = /^\s*/.exec(src.slice(next))!;
      next += m[0].length;
    }
    if (text !== "") out.push({ kind: "text", text });
    out.push({ kind: "action", text: body.trim() });
    i = next;
  }
  return out;
}

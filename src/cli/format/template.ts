/**
 * Go `text/template`, the part the Docker CLI's `--format` uses: actions `{{ }}` with trim markers
 * (`{{-`, `-}}`), fields (`.A.B`, `.`, `$`), variables (`$x := …`, `range $i, $v := …`), pipelines (`|`),
 * parenthesised sub-pipelines, string/raw-string/number/bool/nil literals, `if`/`else if`/`else`,
 * `range` (with `else`), `with`, comments, and the functions of Go's text/template (printf, print,
 * println, len, index, eq, ne, lt, le, gt, ge, and, or, not) plus the Docker CLI's (json, split, join,
 * title, lower, upper, pad, truncate).
 *
 * Values are plain JS data: objects (fields by key), arrays, strings, numbers, booleans, null. A field
 * an object does not have is an error naming the fields it has (Go says "can't evaluate field").
 */
import { UsageError } from "../../errors.js";

type Value = unknown;

type Node =
  | { t: "text"; text: string }
  | { t: "action"; pipe: Pipeline }
  | { t: "if" | "with"; pipe: Pipeline; then: Node[]; else?: Node[] }
  | { t: "range"; pipe: Pipeline; then: Node[]; else?: Node[] };

interface Pipeline {
  decl: string[];
  cmds: Cmd[];
}
type Arg =
  | { t: "field"; base: "dot" | "var"; name?: string; path: string[] }
  | { t: "lit"; v: Value }
  | { t: "ident"; name: string }
  | { t: "pipe"; pipe: Pipeline; path: string[] };
type Cmd = Arg[];

export type TemplateFunc = (...args: Value[]) => Value;

export class TemplateError extends UsageError {
  constructor(message: string, hint?: string) {
    super(`template: ${message}`, hint ?? "see https://docs.docker.com/engine/cli/formatting/");
  }
}

// ---------------------------------------------------------------- lexing an action

interface Tok {
  k: "str" | "num" | "field" | "var" | "ident" | "(" | ")" | "|" | ":=" | "=" | ",";
  v: string;
}

function lexAction(src: string): Tok[] {
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
    const m = /^(?:\$[A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*|\.(?:[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)?|[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|[A-Za-z_][A-Za-z0-9_]*)/.exec(src.slice(i));
    if (!m || m[0] === "") throw new TemplateError(`unexpected "${c}" in {{${src}}}`);
    const w = m[0];
    toks.push({ k: w.startsWith("$") ? "var" : w.startsWith(".") ? "field" : /^[-+\d]/.test(w) ? "num" : "ident", v: w });
    i += w.length;
  }
  return toks;
}

function parsePipeline(toks: Tok[], src: string): Pipeline {
  let pos = 0;
  const decl: string[] = [];
  // `$x :=` or `$i, $v :=`
  const save = pos;
  const vars: string[] = [];
  for (let t = toks[pos]; t?.k === "var" && !t.v.includes("."); t = toks[pos]) {
    vars.push(t.v);
    pos++;
    if (toks[pos]?.k === ",") pos++;
    else break;
  }
  if (vars.length > 0 && (toks[pos]?.k === ":=" || toks[pos]?.k === "=")) {
    decl.push(...vars);
    pos++;
  } else pos = save;

  const parseCmds = (stop: ")" | undefined): Cmd[] => {
    const cmds: Cmd[] = [];
    let cur: Cmd = [];
    for (;;) {
      const tk = toks[pos];
      if (tk === undefined || (stop && tk.k === stop)) break;
      pos++;
      if (tk.k === "|") {
        if (cur.length === 0) throw new TemplateError(`missing command before | in {{${src}}}`);
        cmds.push(cur);
        cur = [];
        continue;
      }
      if (tk.k === "(") {
        const inner = parseCmds(")");
        if (toks[pos]?.k !== ")") throw new TemplateError(`unclosed ( in {{${src}}}`);
        pos++;
        // `(pipeline).Field`
        let path: string[] = [];
        const next = toks[pos];
        if (next?.k === "field" && next.v !== ".") {
          path = next.v.slice(1).split(".");
          pos++;
        }
        cur.push({ t: "pipe", pipe: { decl: [], cmds: inner }, path });
        continue;
      }
      if (tk.k === "str") cur.push({ t: "lit", v: tk.v });
      else if (tk.k === "num") cur.push({ t: "lit", v: Number(tk.v) });
      else if (tk.k === "field") cur.push({ t: "field", base: "dot", path: tk.v === "." ? [] : tk.v.slice(1).split(".") });
      else if (tk.k === "var") {
        const [name, ...path] = tk.v.split(".");
        cur.push({ t: "field", base: "var", name: name, path });
      } else if (tk.k === "ident") {
        if (tk.v === "true" || tk.v === "false") cur.push({ t: "lit", v: tk.v === "true" });
        else if (tk.v === "nil") cur.push({ t: "lit", v: null });
        else cur.push({ t: "ident", name: tk.v });
      } else throw new TemplateError(`unexpected "${tk.v}" in {{${src}}}`);
    }
    if (cur.length > 0) cmds.push(cur);
    else if (cmds.length > 0) throw new TemplateError(`missing command after | in {{${src}}}`);
    return cmds;
  };
  const cmds = parseCmds(undefined);
  const extra = toks[pos];
  if (extra) throw new TemplateError(`unexpected "${extra.v}" in {{${src}}}`);
  if (cmds.length === 0) throw new TemplateError(`missing value in {{${src}}}`);
  return { decl, cmds };
}

// ---------------------------------------------------------------- parsing the template

interface Piece {
  kind: "text" | "action";
  text: string;
}

function splitPieces(src: string): Piece[] {
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

function parseNodes(pieces: Piece[]): Node[] {
  let pos = 0;
  const block = (ends: string[]): { nodes: Node[]; end: string; rest: string } => {
    const nodes: Node[] = [];
    for (let p = pieces[pos]; p !== undefined; p = pieces[pos]) {
      pos++;
      if (p.kind === "text") {
        nodes.push({ t: "text", text: p.text });
        continue;
      }
      const a = p.text;
      if (a.startsWith("/*")) {
        if (!a.endsWith("*/")) throw new TemplateError(`unclosed comment {{${a}}}`);
        continue;
      }
      const kw = /^(if|range|with|else|end|define|template|block|break|continue)\b\s*(.*)$/s.exec(a);
      if (!kw) {
        nodes.push({ t: "action", pipe: parsePipeline(lexAction(a), a) });
        continue;
      }
      const [, word, rest] = kw as unknown as [string, string, string];
      if (word === "end" || word === "else") {
        if (!ends.includes(word)) throw new TemplateError(`unexpected {{${a}}}`);
        return { nodes, end: word, rest };
      }
      if (word === "if" || word === "with" || word === "range") nodes.push(control(word, rest));
      else throw new TemplateError(`{{${word}}} is not supported here`);
    }
    if (ends.length > 0) throw new TemplateError("unexpected end of template: missing {{end}}");
    return { nodes, end: "", rest: "" };
  };
  const control = (word: "if" | "with" | "range", src: string): Node => {
    if (src.trim() === "") throw new TemplateError(`missing value for ${word}`);
    const pipe = parsePipeline(lexAction(src), src);
    const body = block(["else", "end"]);
    const node: Extract<Node, { t: "if" | "with" | "range" }> = { t: word, pipe, then: body.nodes };
    if (body.end === "else") {
      const chained = /^(if|with)\b\s*(.*)$/s.exec(body.rest);
      if (chained) {
        // `{{else if X}}` = else {{if X}}…{{end}}, sharing this {{end}}
        node.else = [control(chained[1] as "if" | "with", chained[2] ?? "")];
      } else {
        if (body.rest.trim() !== "") throw new TemplateError(`unexpected "${body.rest}" after else`);
        node.else = block(["end"]).nodes;
      }
    }
    return node;
  };
  const { nodes } = block([]);
  return nodes;
}

// ---------------------------------------------------------------- evaluation

/** Go's truth: false, 0, nil, empty string/array/map are false. */
export function truthy(v: Value): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  if (typeof v === "object") return Object.keys(v).length > 0;
  return true;
}

/** How Go's fmt prints a value with %v (what `{{.X}}` writes). */
export function goString(v: Value): string {
  if (v === null || v === undefined) return "<no value>";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (Array.isArray(v)) return `[${v.map(goString).join(" ")}]`;
  if (v instanceof Map) return `map[${[...v].map(([k, x]) => `${goString(k)}:${goString(x)}`).join(" ")}]`;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "object") {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${goString((v as Record<string, Value>)[k])}`).join(" ")}]`;
  }
  return typeof v === "symbol" ? v.toString() : "<func>";
}

function field(v: Value, name: string): Value {
  if (v instanceof Map) return v.get(name);
  if (v !== null && typeof v === "object" && !Array.isArray(v)) {
    const rec = v as Record<string, Value>;
    if (name in rec) {
      const x = rec[name];
      return typeof x === "function" ? (x as () => Value).call(v) : x;
    }
    throw new TemplateError(`can't evaluate field ${name}`, `fields: ${Object.keys(rec).join(", ")}`);
  }
  throw new TemplateError(`can't evaluate field ${name} in a ${v === null ? "nil" : Array.isArray(v) ? "list" : typeof v}`);
}

/** Go fmt verbs for printf: %s %v %d %q %f %x %%, with width/precision/flags. */
export function sprintf(format: string, ...args: Value[]): string {
  let n = 0;
  return format.replace(/%([-+# 0]*)(\d+)?(?:\.(\d+))?([svdqfgtxX%])/g, (_m, flags: string, width?: string, prec?: string, verb?: string) => {
    if (verb === "%") return "%";
    const a = args[n++];
    let s: string;
    switch (verb) {
      case "d":
        s = String(Math.trunc(Number(a)));
        break;
      case "f":
        s = Number(a).toFixed(prec !== undefined ? Number(prec) : 6);
        break;
      case "g":
        s = String(Number(a));
        break;
      case "q":
        s = JSON.stringify(goString(a));
        break;
      case "x":
      case "X":
        s = typeof a === "number" ? a.toString(16) : Buffer.from(goString(a)).toString("hex");
        if (verb === "X") s = s.toUpperCase();
        break;
      case "t":
        s = String(Boolean(a));
        break;
      default:
        s = a === undefined ? "%!v(MISSING)" : goString(a);
        if (prec !== undefined && (verb === "s" || verb === "v")) s = s.slice(0, Number(prec));
    }
    if (width !== undefined && s.length < Number(width)) {
      const pad = (flags.includes("0") && !flags.includes("-") ? "0" : " ").repeat(Number(width) - s.length);
      s = flags.includes("-") ? s + pad : pad + s;
    }
    return s;
  });
}

function compare(a: Value, b: Value): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  throw new TemplateError(`incompatible types for comparison: ${typeof a} and ${typeof b}`);
}

/** Go's encoding/json with SetEscapeHTML(false): what `{{json .}}` prints. */
export function goJson(v: Value): string {
  return JSON.stringify(v === undefined ? null : v) ?? "null";
}

function lenOf(v: Value): number {
  if (typeof v === "string") return Buffer.byteLength(v);
  if (Array.isArray(v)) return v.length;
  if (v instanceof Map) return v.size;
  if (v !== null && typeof v === "object") return Object.keys(v).length;
  throw new TemplateError(`len of ${goString(v)}`);
}

export const BASE_FUNCS: Record<string, TemplateFunc> = {
  // Go text/template
  printf: (f, ...a) => sprintf(String(f), ...a),
  print: (...a) => a.map(goString).join(""),
  println: (...a) => `${a.map(goString).join(" ")}\n`,
  len: (v) => lenOf(v),
  index: (v, ...keys) => keys.reduce((acc: Value, k) => (Array.isArray(acc) ? acc[Number(k)] : acc instanceof Map ? acc.get(k) : (acc as Record<string, Value>)?.[String(k)]), v),
  eq: (a, ...bs) => bs.some((b) => a === b),
  ne: (a, b) => a !== b,
  lt: (a, b) => compare(a, b) < 0,
  le: (a, b) => compare(a, b) <= 0,
  gt: (a, b) => compare(a, b) > 0,
  ge: (a, b) => compare(a, b) >= 0,
  not: (a) => !truthy(a),
  and: (...a) => a.find((x) => !truthy(x)) ?? a[a.length - 1],
  or: (...a) => a.find((x) => truthy(x)) ?? a[a.length - 1],
  // The Docker CLI's (docker/cli templates/templates.go)
  json: (v) => goJson(v),
  split: (s, sep) => String(s).split(String(sep)),
  join: (v, sep) => (v === null || v === undefined ? "" : Array.isArray(v) ? v.map(goString).join(String(sep)) : goString(v)),
  title: (s) => String(s).replace(/(^|[^\p{L}\p{N}'_])(\p{L})/gu, (_m, pre: string, ch: string) => pre + ch.toUpperCase()),
  lower: (s) => String(s).toLowerCase(),
  upper: (s) => String(s).toUpperCase(),
  pad: (s, pre, post) => (String(s) === "" ? "" : " ".repeat(Number(pre)) + String(s) + " ".repeat(Number(post))),
  truncate: (s, n) => (String(s).length < Number(n) ? String(s) : String(s).slice(0, Number(n))),
};

/** The Docker CLI's header functions: a table's header keeps the column name whatever function is applied. */
export const HEADER_FUNCS: Record<string, TemplateFunc> = {
  ...BASE_FUNCS,
  json: (v) => goString(v),
  split: (v) => goString(v),
  join: (v) => goString(v),
  title: (v) => goString(v),
  lower: (v) => goString(v),
  upper: (v) => goString(v),
  truncate: (v) => goString(v),
};

type Scope = Map<string, Value>;

function evalArg(a: Arg, dot: Value, vars: Scope, funcs: Record<string, TemplateFunc>, piped: Value[]): Value {
  switch (a.t) {
    case "lit":
      return a.v;
    case "field": {
      let v: Value;
      if (a.base === "dot") v = dot;
      else {
        if (!vars.has(a.name!)) throw new TemplateError(`undefined variable "${a.name}"`);
        v = vars.get(a.name!);
      }
      return a.path.reduce(field, v);
    }
    case "pipe":
      return a.path.reduce(field, evalPipeline(a.pipe, dot, vars, funcs));
    case "ident": {
      const f = funcs[a.name];
      if (!f) throw new TemplateError(`function "${a.name}" not defined`);
      return f(...piped);
    }
  }
}

function evalCmd(cmd: Cmd, dot: Value, vars: Scope, funcs: Record<string, TemplateFunc>, prev: Value[]): Value {
  const [head, ...rest] = cmd;
  if (head === undefined) throw new TemplateError("missing command"); // the parser never makes an empty one
  if (head.t === "ident") {
    const f = funcs[head.name];
    if (!f) throw new TemplateError(`function "${head.name}" not defined`);
    const args = rest.map((a) => evalArg(a, dot, vars, funcs, []));
    return f(...args, ...prev);
  }
  if (head.t === "field" && head.path.length > 0 && (rest.length > 0 || prev.length > 0)) {
    // A method with arguments: `{{.Label "com.example"}}`.
    const path = head.path;
    const base = head.base === "dot" ? dot : vars.get(head.name!);
    const owner = path.slice(0, -1).reduce(field, base);
    const last = path[path.length - 1] ?? "";
    const member = owner !== null && typeof owner === "object" ? (owner as Record<string, Value>)[last] : undefined;
    if (typeof member === "function") {
      const args = rest.map((a) => evalArg(a, dot, vars, funcs, []));
      return (member as TemplateFunc).call(owner, ...args, ...prev);
    }
  }
  if (rest.length > 0 || prev.length > 0) throw new TemplateError("can't give arguments to a non-function");
  return evalArg(head, dot, vars, funcs, []);
}

function evalPipeline(p: Pipeline, dot: Value, vars: Scope, funcs: Record<string, TemplateFunc>): Value {
  let prev: Value[] = [];
  let v: Value;
  for (const c of p.cmds) {
    v = evalCmd(c, dot, vars, funcs, prev);
    prev = [v];
  }
  const [name] = p.decl;
  if (p.decl.length === 1 && name !== undefined) vars.set(name, v);
  return v;
}

function run(nodes: Node[], dot: Value, vars: Scope, funcs: Record<string, TemplateFunc>, out: string[]): void {
  for (const n of nodes) {
    switch (n.t) {
      case "text":
        out.push(n.text);
        break;
      case "action": {
        const v = evalPipeline(n.pipe, dot, vars, funcs);
        if (n.pipe.decl.length === 0) out.push(goString(v));
        break;
      }
      case "if":
      case "with": {
        const inner = new Map(vars);
        const v = evalPipeline(n.pipe, dot, inner, funcs);
        if (truthy(v)) run(n.then, n.t === "with" ? v : dot, inner, funcs, out);
        else if (n.else) run(n.else, dot, inner, funcs, out);
        break;
      }
      case "range": {
        const inner = new Map(vars);
        const decl = n.pipe.decl;
        const v = evalPipeline({ decl: [], cmds: n.pipe.cmds }, dot, inner, funcs);
        const entries: [Value, Value][] = Array.isArray(v)
          ? v.map((x, i) => [i, x])
          : v instanceof Map
            ? [...v].sort(([a], [b]) => (String(a) < String(b) ? -1 : 1))
            : v !== null && typeof v === "object"
              ? Object.keys(v).sort().map((k) => [k, (v as Record<string, Value>)[k]])
              : typeof v === "number"
                ? Array.from({ length: v }, (_x, i) => [i, i])
                : v === null || v === undefined
                  ? []
                  : (() => {
                      throw new TemplateError(`range can't iterate over ${goString(v)}`);
                    })();
        if (entries.length === 0) {
          if (n.else) run(n.else, dot, inner, funcs, out);
          break;
        }
        for (const [k, x] of entries) {
          const [d0, d1] = decl;
          if (d0 !== undefined && d1 === undefined) inner.set(d0, x);
          if (d0 !== undefined && d1 !== undefined) {
            inner.set(d0, k);
            inner.set(d1, x);
          }
          run(n.then, x, inner, funcs, out);
        }
        break;
      }
    }
  }
}

export interface Template {
  readonly source: string;
  execute(data: Value, funcs?: Record<string, TemplateFunc>): string;
}

export function parseTemplate(source: string): Template {
  const nodes = parseNodes(splitPieces(source));
  return {
    source,
    execute(data, funcs = BASE_FUNCS) {
      const out: string[] = [];
      run(nodes, data, new Map([["$", data]]), funcs, out);
      return out.join("");
    },
  };
}

/**
 * Parsing: an action's tokens into a pipeline (declarations, commands, parenthesised sub-pipelines),
 * and the pieces into a tree of text, actions and `if`/`with`/`range` blocks with their `else` and
 * `else if` branches.
 */
import { TemplateError, type Cmd, type Node, type Pipeline } from "./ast.js";
import { lexAction, type Piece, type Tok } from "./lex.js";

export function parsePipeline(toks: Tok[], src: string): Pipeline {
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

export function parseNodes(pieces: Piece[]): Node[] {
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

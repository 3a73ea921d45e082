/**
 * Evaluation: runs a parsed template over data with a set of functions, writing text pieces and the
 * printed values of actions; `if`/`with`/`range` open a scope for their variables.
 */
import { TemplateError, type Arg, type Cmd, type Node, type Pipeline, type TemplateFunc, type Value } from "./ast.js";
import { field, goString, truthy } from "./values.js";

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

export function run(nodes: Node[], dot: Value, vars: Scope, funcs: Record<string, TemplateFunc>, out: string[]): void {
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
              ? Object.keys(v)
                  .sort()
                  .map((k) => [k, (v as Record<string, Value>)[k]])
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

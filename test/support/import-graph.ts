/**
 * The import graph of a source tree, for the no-cycles check: every relative `import`/`export … from`,
 * side-effect `import "x"` and dynamic `import("x")` — the imports that run. Type-only imports
 * (`import type`, `export type`) are erased by the compiler and left out unless asked for: a type
 * derived from a table whose rows name the type (spec/model.ts ⇄ spec/attributes/) is no load-order
 * knot. Read with a regular expression, not the compiler: good enough for our own code, which never
 * builds import specifiers at run time.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

export interface ImportRef {
  specifier: string;
  typeOnly: boolean;
  dynamic: boolean;
}

const STATIC = /(?:^|[;\s])(?:import|export)\s+(type\s+)?(?:[\w*{}\s,$]*?\s+from\s+)?["']([^"']+)["']/g;
const DYNAMIC = /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g;

/** The modules a source text imports. */
export function importsOf(text: string): ImportRef[] {
  const out: ImportRef[] = [];
  for (const m of text.matchAll(STATIC)) out.push({ specifier: m[2]!, typeOnly: m[1] !== undefined, dynamic: false });
  for (const m of text.matchAll(DYNAMIC)) out.push({ specifier: m[1]!, typeOnly: false, dynamic: true });
  return out;
}

/** file (relative to `root`) → the files of `root` it imports. */
export type ImportGraph = Map<string, Set<string>>;

export function importGraph(root: string, options: { typeOnly?: boolean } = {}): ImportGraph {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith(".ts") && !p.endsWith(".d.ts")) files.push(p);
    }
  };
  walk(root);
  const known = new Set(files.map((f) => relative(root, f)));
  const graph: ImportGraph = new Map();
  for (const file of files) {
    const deps = new Set<string>();
    for (const ref of importsOf(readFileSync(file, "utf8"))) {
      if (!ref.specifier.startsWith(".") || (ref.typeOnly && !options.typeOnly)) continue;
      const target = relative(root, resolve(dirname(file), ref.specifier.replace(/\.js$/, ".ts")));
      if (known.has(target)) deps.add(target);
    }
    graph.set(relative(root, file), deps);
  }
  return graph;
}

/** One cycle path (first node repeated at the end) per strongly connected component; empty when acyclic. */
export function findCycles(graph: ImportGraph): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v)?.has(v)) components.push(component);
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return components.map((c) => cyclePath(graph, new Set(c)));
}

/** A concrete path around a strongly connected component, from its first file in sort order. */
function cyclePath(graph: ImportGraph, members: Set<string>): string[] {
  const start = [...members].sort()[0]!;
  // breadth-first from start's successors back to start, inside the component
  const prev = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of [...(graph.get(v) ?? [])].sort()) {
      if (!members.has(w) || prev.has(w)) continue;
      prev.set(w, v);
      if (w === start) {
        const between: string[] = [];
        for (let x = v; x !== start; x = prev.get(x)!) between.unshift(x);
        return [start, ...between, start];
      }
      queue.push(w);
    }
  }
  return [start, start];
}

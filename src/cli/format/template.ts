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
 *
 * The stages live in `template/`: lex → parse → eval, with the values' Go semantics and the functions
 * beside them.
 */
import { parseNodes } from "./template/parse.js";
import { splitPieces } from "./template/lex.js";
import { run } from "./template/eval.js";
import { BASE_FUNCS } from "./template/funcs.js";
import type { TemplateFunc, Value } from "./template/ast.js";

export { TemplateError, type TemplateFunc } from "./template/ast.js";
export { truthy, goString } from "./template/values.js";
export { sprintf, goJson, BASE_FUNCS, HEADER_FUNCS } from "./template/funcs.js";

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

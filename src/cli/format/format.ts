/**
 * `--format` as the Docker CLI's formatter reads it (docker/cli cli/command/formatter): `table` (or nothing)
 * is the verb's default table, `json` is `{{json .}}` per line, `table TEMPLATE` is a table of the template's
 * columns with a header row, anything else is a Go template written once per row. `\t` and `\n` written as
 * two characters are a tab and a newline; spaces around the template are trimmed.
 */
import { DOCKER_TABLE, tabwrite } from "./tabwriter.js";
import { HEADER_FUNCS, parseTemplate } from "./template.js";

export interface FormatOptions<R> {
  /** The verb's default table, e.g. "table {{.Name}}\t{{.Image}}". */
  defaultTable: string;
  /** Column headers by field (what the header row shows for `{{.Field}}`). */
  headers: Readonly<Record<string, string>>;
  /** What a template sees for one row (the fields `{{.X}}` reads). */
  context: (row: R) => object;
  /** What `--format json` prints for one row (default: the context). */
  json?: (row: R) => unknown;
}

export function templateText(format: string): { table: boolean; text: string } {
  let text = format;
  const table = text.startsWith("table");
  if (table) text = text.slice("table".length);
  text = text.replace(/^ +| +$/g, "").replace(/\\t/g, "\t").replace(/\\n/g, "\n");
  return { table, text };
}

/** "RunningFor" → "RUNNING FOR": the header of a field the verb names no header for. */
const derivedHeader = (field: string): string => field.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toUpperCase();

export function renderFormat<R>(format: string | undefined, rows: readonly R[], opts: FormatOptions<R>): string {
  const raw = format === undefined || format === "" || format === "table" ? opts.defaultTable : format;
  if (raw === "json") {
    const toJson = opts.json ?? opts.context;
    return rows.map((r) => `${JSON.stringify(toJson(r))}\n`).join("");
  }
  const { table, text } = templateText(raw);
  const tmpl = parseTemplate(text); // parsed before any row: a bad template fails even with no rows
  const body = rows.map((r) => `${tmpl.execute(opts.context(r))}\n`).join("");
  if (!table) return body;
  const sample = rows[0] !== undefined ? (opts.context(rows[0]) as Record<string, unknown>) : {};
  const headerData: Record<string, string> = {};
  for (const k of Object.keys(sample)) headerData[k] = derivedHeader(k);
  Object.assign(headerData, opts.headers);
  let header: string;
  try {
    header = tmpl.execute(headerData, HEADER_FUNCS);
  } catch {
    // e.g. `{{.Labels.x}}`: a header is a string with no fields; keep the columns, leave the names blank.
    header = text.split("\t").map(() => "").join("\t");
  }
  return tabwrite(`${header}\n${body}`, DOCKER_TABLE);
}

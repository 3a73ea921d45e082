/**
 * Compose's own tables (cmd/formatter/pretty.go PrintPrettySection, used by `ls` and `images`): a header row
 * and rows through Go's tabwriter with minimum width 20 and padding 3 (the Docker CLI's template tables use 10).
 */
import { tabwrite } from "./tabwriter.js";

export const COMPOSE_PRETTY = { minWidth: 20, padding: 3 };

export function prettyTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  return tabwrite([headers, ...rows].map((r) => `${r.join("\t")}\n`).join(""), COMPOSE_PRETTY);
}

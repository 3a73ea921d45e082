/**
 * Go's text/tabwriter as the Docker CLI configures it for tables (`tabwriter.NewWriter(out, 10, 1, 3, ' ', 0)`):
 * tab-terminated cells are padded with spaces to their column's width, the widest cell plus 3, at least 10;
 * the last cell of a line (not tab-terminated) is written as it is. A column is sized over each block of
 * consecutive lines that have it, as Go does. Padding is kept even when the next cell is empty, so a row
 * whose last column is empty still ends with the spaces that parsers splitting on 3+ spaces expect.
 */
export interface TabwriterOptions {
  minWidth: number;
  padding: number;
}

export const DOCKER_TABLE: TabwriterOptions = { minWidth: 10, padding: 3 };

/** Width as Go's tabwriter counts it: one per rune (UTF-8 code point). */
const runeWidth = (s: string): number => [...s].length;

export function tabwrite(text: string, opts: TabwriterOptions = DOCKER_TABLE): string {
  const trailingNewline = text.endsWith("\n");
  const lines = (trailingNewline ? text.slice(0, -1) : text).split("\n").map((l) => l.split("\t"));
  const out: string[] = lines.map(() => "");
  const widths: number[] = [];

  const writeLines = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      const cells = lines[i] ?? [];
      let s = "";
      cells.forEach((c, j) => {
        s += c;
        const w = widths[j];
        if (w !== undefined && j < cells.length - 1) s += " ".repeat(Math.max(0, w - runeWidth(c)));
      });
      out[i] = s;
    }
  };

  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    for (let cur = line0; cur < line1; cur++) {
      if (column >= (lines[cur]?.length ?? 0) - 1) continue;
      writeLines(line0, cur);
      line0 = cur;
      let width = opts.minWidth;
      for (; cur < line1; cur++) {
        const cells = lines[cur] ?? [];
        const cell = cells[column];
        if (cell === undefined || column >= cells.length - 1) break;
        width = Math.max(width, runeWidth(cell) + opts.padding);
      }
      widths.push(width);
      format(line0, cur);
      widths.pop();
      line0 = cur;
      cur--; // the for loop's increment
    }
    writeLines(line0, line1);
  };
  format(0, lines.length);
  return out.join("\n") + (trailingNewline ? "\n" : "");
}

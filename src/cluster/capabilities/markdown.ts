/**
 * One column of the capabilities table as a Markdown table (docs/swarm.md embeds it between
 * markers; a unit test keeps it in step with the data). Pure.
 */
import type { Capability, CapabilityColumn } from "./types.js";

const STATUS: Record<Capability["status"], string> = { mapped: "mapped", warned: "**warned**", refused: "**refused**" };
const cell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

function describe(cap: Capability): string {
  if (cap.status === "mapped") return cell(cap.to);
  const parts = [cap.why];
  if (cap.status === "warned" && cap.to !== undefined) parts.push(`→ ${cap.to}`);
  if (cap.hint !== undefined) parts.push(`(${cap.hint})`);
  return cell(parts.join(" "));
}

/** `| key | status | what it becomes, or why not |`, one row per key path, in the order given. */
export function columnMarkdown(column: CapabilityColumn, keys: readonly string[]): string[] {
  const lines = ["| key | status | becomes / why |", "|---|---|---|"];
  for (const key of keys) {
    const cap = column[key];
    lines.push(cap ? `| \`${key}\` | ${STATUS[cap.status]} | ${describe(cap)} |` : `| \`${key}\` | (no row) | |`);
  }
  return lines;
}

/** Small file-system and text helpers of watch mode. */
import { readFileSync, statSync, promises as fs } from "node:fs";
import * as path from "node:path";
import type { RuleMatcher } from "./matcher.js";

export function readText(p: string): string | undefined {
  try {
    return readFileSync(p, "utf8");
  } catch {
    return undefined;
  }
}

export function isFilePath(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

export function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function listNames(names: readonly string[], max = 3): string {
  const shown = names.slice(0, max).join(", ");
  return names.length > max ? `${shown}, …` : shown;
}

/** Every file under `dir` the matcher covers (for initial_sync). */
export async function walk(dir: string, m: RuleMatcher, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!m.prune(abs)) await walk(abs, m, out);
    } else if (m.matches(abs)) {
      out.push(abs);
    }
  }
}

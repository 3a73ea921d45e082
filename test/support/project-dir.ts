/** Throwaway project directories for loader tests. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const made: string[] = [];

/** A new directory holding `files` (name → content; names may contain sub-directories). */
export function projectDir(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), "flotilla-spec-"));
  made.push(dir);
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), body);
  }
  return dir;
}

/** Removes every directory made by projectDir (call from `after`). */
export function removeProjectDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/**
 * The package's version, read from package.json. Its own module so that the `version` verb can
 * read it without importing main.ts (which builds the program, which lists the verbs: a cycle).
 */
import { readFileSync } from "node:fs";

export function flotillaVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version?: string };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

/** Helpers shared by the spec-layer unit tests. */
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadProject } from "../../src/spec/load.js";
import { ConfigError } from "../../src/errors.js";

/** The repository root (tests run from dist/test/<kind>/). */
export const root = resolve(fileURLToPath(new URL(".", import.meta.url)), "../../..");

/** A path under fixtures/. */
export const fx = (...p: string[]): string => join(root, "fixtures", ...p);

/** Load a project that must fail, and return its ConfigError. */
export async function loadError(opts: Parameters<typeof loadProject>[0]): Promise<ConfigError> {
  try {
    await loadProject(opts);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    return e;
  }
  assert.fail("expected loadProject to fail");
}

/** The CLI's lock flags: --lock-timeout, --no-lock-wait, FLOTILLA_LOCK_TIMEOUT (before or after the verb). */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { resolveGlobals } from "../../src/cli/global-options.js";
import { mergeGlobals } from "../../src/cli/program.js";
import { UsageError } from "../../src/errors.js";

describe("lock flags", () => {
  test("default: the library's (undefined); flag, env, and --no-lock-wait (0) in that order of strength", () => {
    assert.equal(resolveGlobals({}, {}).lockTimeout, undefined);
    assert.equal(resolveGlobals({ lockTimeout: "30" }, {}).lockTimeout, 30);
    assert.equal(resolveGlobals({}, { FLOTILLA_LOCK_TIMEOUT: "7" }).lockTimeout, 7);
    assert.equal(resolveGlobals({ lockTimeout: "30" }, { FLOTILLA_LOCK_TIMEOUT: "7" }).lockTimeout, 30);
    assert.equal(resolveGlobals({ lockWait: false, lockTimeout: "30" }, {}).lockTimeout, 0);
    assert.equal(resolveGlobals({ lockWait: true }, {}).lockTimeout, undefined, "commander's default for --no-x is true");
  });

  test("a bad value is a usage error naming the flag", () => {
    assert.throws(() => resolveGlobals({ lockTimeout: "-1" }, {}), (e: unknown) => e instanceof UsageError && /--lock-timeout/.test(e.message));
    assert.throws(() => resolveGlobals({}, { FLOTILLA_LOCK_TIMEOUT: "soon" }), (e: unknown) => e instanceof UsageError && /FLOTILLA_LOCK_TIMEOUT/.test(e.message));
  });

  test("given after the verb, they win over the ones before it", () => {
    assert.equal(mergeGlobals({ lockTimeout: "5" }, { lockTimeout: "9" }).lockTimeout, "9");
    assert.equal(mergeGlobals({ lockTimeout: "5" }, { lockWait: false }).lockWait, false);
    assert.equal(mergeGlobals({}, { lockWait: true }).lockWait, undefined);
  });
});

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { BufferStream, type CliIO } from "../../src/cli/io.js";
import { CliContext } from "../../src/cli/context.js";
import { buildProgram } from "../../src/cli/program.js";
import { UP_OPTION_FLAGS } from "../../src/cli/commands/up.js";
import { DOWN_OPTION_FLAGS } from "../../src/cli/commands/down.js";
import { PULL_OPTION_FLAGS } from "../../src/cli/commands/pull.js";
import { PUSH_OPTION_FLAGS } from "../../src/cli/commands/push.js";
import { RM_OPTION_FLAGS } from "../../src/cli/commands/rm.js";
import { START_OPTION_FLAGS } from "../../src/cli/commands/start.js";
import { BUILD_OPTION_FLAGS } from "../../src/cli/commands/build.js";

async function longFlagsOf(verb: string): Promise<string[]> {
  const io: CliIO = { stdout: new BufferStream(), stderr: new BufferStream(), env: {}, cwd: "/work", readStdin: () => Promise.resolve(""), onSignal: () => () => {} };
  const program = await buildProgram(new CliContext(io, {}), "0.0.0", [verb]);
  const cmd = program.commands.find((c) => c.name() === verb);
  assert.ok(cmd, `verb ${verb} is registered`);
  return cmd.options.filter((o) => !o.hidden).flatMap((o) => (o.long ? [o.long] : []));
}

// Each table is typed as a Record over its options type: an option without a flag does not compile.
// Here: every flag a table names is one its command really registers (visible in its help).
const tables: [string, Readonly<Record<string, string>>][] = [
  ["up", UP_OPTION_FLAGS],
  ["down", DOWN_OPTION_FLAGS],
  ["pull", PULL_OPTION_FLAGS],
  ["push", PUSH_OPTION_FLAGS],
  ["rm", RM_OPTION_FLAGS],
  ["start", START_OPTION_FLAGS],
  ["build", BUILD_OPTION_FLAGS],
];

describe("CLI flags derived from the library's options", () => {
  for (const [verb, table] of tables) {
    test(`${verb}: every option's flag is registered`, async () => {
      const registered = await longFlagsOf(verb);
      const missing = Object.entries(table).filter(([, flag]) => !registered.includes(flag));
      assert.deepEqual(missing, []);
      assert.ok(Object.keys(table).length > 0);
    });
  }

  test("a flag the command does not register is caught", async () => {
    const registered = await longFlagsOf("stop");
    assert.equal(registered.includes("--wait"), false);
    assert.ok(registered.includes("--timeout"));
  });
});

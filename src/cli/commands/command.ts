/** The shape of a verb module and a helper to wire an action that returns an exit code. */
import { Option, type Command } from "commander";
import { collect } from "../usage.js";
import type { CliContext } from "../context.js";

export interface CommandModule {
  readonly name: string;
  /** Add the verb (its flags, arguments and action) to the program. Must not load heavy modules. */
  register(program: Command, ctx: CliContext): Command;
}

/** Wrap an async action: its return value becomes the process exit code. */
export function exitAction<A extends unknown[]>(
  ctx: CliContext,
  run: (...args: A) => Promise<number | void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const code = await run(...args);
    ctx.exitCode = typeof code === "number" ? code : 0;
  };
}

/** `--no-build` etc.: commander treats --no-X as the negation of --X; keep them as their own flags. */
export function literalNoFlag(flags: string, description: string, repeatable = false): Option {
  const opt = new Option(flags, description);
  opt.negate = false;
  if (repeatable) opt.argParser(collect);
  return opt;
}


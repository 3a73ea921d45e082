/**
 * CLI flag types derived from the library's option types (as vitest derives its CLI config from
 * its config type): a verb's flags are `FlagsOf<Options, NotFlags>`, and its `FlagSpelling` table
 * names the flag of every option. The table is a Record over the option keys, so an option added
 * to the library without a flag (or a `NotFlags` entry saying why it has none) is a compile error;
 * test/unit/cli-flags.test.ts checks that every spelled flag is registered on its command.
 */

/** A flag's value as commander hands it over: switches and choices keep their type, lists and maps arrive as repeated text, numbers as text to parse. */
export type FlagValue<T> = [T] extends [boolean]
  ? boolean
  : [T] extends [string]
    ? T
    : [T] extends [readonly unknown[]]
      ? string[]
      : [T] extends [Record<string, unknown>]
        ? string[]
        : string;

/** The flags of options `O`, except the `NotFlags` keys (operands, global flags, the library's callbacks). */
export type FlagsOf<O, NotFlags extends keyof O = never> = { [K in Exclude<keyof O, NotFlags>]?: FlagValue<NonNullable<O[K]>> };

/** For every option of `O` but the `NotFlags` keys: its long flag as typed on the command line (`--no-deps`). */
export type FlagSpelling<O, NotFlags extends keyof O = never> = { readonly [K in Exclude<keyof O, NotFlags>]-?: `--${string}` };

/** What the library's operations take that no verb spells as its own flag. */
export type LibraryOnly = "onEvent" | "signal" | "parallel" | "dryRun";

/**
 * The CLI entry point: `main(argv)` parses, runs one verb and returns the exit code
 * (0 ok, 1 runtime or config error, 2 usage error, 130 interrupted).
 */
import { CommanderError } from "commander";
import { UsageError } from "../errors.js";
import type { CliDeps } from "./api.js";
import { CliContext } from "./context.js";
import { processIO, type CliIO } from "./io.js";
import { buildProgram, findVerb, verbNames } from "./program.js";
import { composeCompatibleVersion, packageHomepage, pluginCall, pluginMetadata, watchPluginSocket } from "./docker-plugin.js";
import { EXIT_OK, EXIT_USAGE, exitCodeFor, renderError } from "./render/errors.js";
import { suggest } from "./usage.js";
import { flotillaVersion } from "./version-info.js";

export { flotillaVersion };

/** Turn commander's messages into one clear line. */
function usageFromCommander(e: CommanderError, verbs: string[]): UsageError {
  const raw = e.message.replace(/^error:\s*/i, "").trim();
  const first = raw.split("\n")[0]!;
  const m = /^unknown command '([^']*)'/.exec(first);
  if (m) {
    const guess = suggest(m[1]!, verbs);
    return new UsageError(
      `unknown command "${m[1]}"${guess ? ` (did you mean "${guess}"?)` : ""}`,
      "run 'flotilla --help' for the list of commands",
    );
  }
  const o = /^unknown option '([^']*)'/.exec(first);
  if (o) {
    const didYouMean = /\(Did you mean ([^?]+)\?\)/.exec(raw);
    return new UsageError(
      `unknown flag "${o[1]}"${didYouMean ? ` (did you mean "${didYouMean[1]}"?)` : ""}`,
      "run 'flotilla COMMAND --help' for the flags of a command",
    );
  }
  return new UsageError(raw.replace(/\n+/g, " ").replace(/'/g, '"'));
}

/**
 * The verbs this build can run: all of them, except in a bundle that scripts/bundle.mjs built for a
 * few verbs (it defines FLOTILLA_BUNDLE_VERBS): such a bundle leaves the other verbs' modules out
 * to start faster.
 */
declare const FLOTILLA_BUNDLE_VERBS: readonly string[] | undefined;
const ONLY_VERBS = typeof FLOTILLA_BUNDLE_VERBS !== "undefined" ? new Set(FLOTILLA_BUNDLE_VERBS) : undefined;

/**
 * Whether this build can run `argv` (given as `main` would be, with the process environment).
 * bin/flotilla.js asks a verb's bundle before it runs it, and runs the full bundle instead when
 * it cannot: the same verb found as main finds it, so no command line reaches a build without its verb.
 */
export function handles(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): boolean {
  if (ONLY_VERBS === undefined) return true;
  try {
    const call = pluginCall(argv, env);
    if (call.kind === "metadata") return true;
    const verb = findVerb(call.kind === "run" ? call.argv : argv);
    return verb !== undefined && ONLY_VERBS.has(verb);
  } catch {
    return false; // the full build reports the error
  }
}

export async function main(argv: string[], io: CliIO = processIO(), deps: CliDeps = {}): Promise<number> {
  // Run by the Docker CLI as its `compose` plugin: answer the metadata, or drop `docker … compose`.
  let call;
  try {
    call = pluginCall(argv, io.env);
  } catch (e) {
    io.stderr.write(renderError(e));
    return EXIT_USAGE;
  }
  if (call.kind === "metadata") {
    io.stdout.write(`${JSON.stringify(pluginMetadata(flotillaVersion(), packageHomepage()), null, 2)}\n`);
    return EXIT_OK;
  }
  if (call.kind === "run") {
    argv = call.argv;
    io = { ...io, env: call.env };
    watchPluginSocket(call.env, () => process.kill(process.pid, "SIGINT"));
  }
  const ctx = new CliContext(io, deps);
  // `--version` answers as `docker compose --version` does (the number tools gate on, with Flotilla's own as build metadata).
  const program = await buildProgram(ctx, `Docker Compose version v${composeCompatibleVersion(flotillaVersion())}`, argv);
  if (argv.length === 0) {
    program.outputHelp();
    return EXIT_OK;
  }
  try {
    await program.parseAsync(argv, { from: "user" });
    return ctx.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") {
        return e.code === "commander.help" && e.exitCode !== 0 ? EXIT_USAGE : EXIT_OK;
      }
      const usage = usageFromCommander(e, verbNames(program));
      io.stderr.write(renderError(usage));
      return EXIT_USAGE;
    }
    io.stderr.write(renderError(e, { debug: ctx.debug }));
    return exitCodeFor(e);
  } finally {
    await ctx.runCleanups();
  }
}

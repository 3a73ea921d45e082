/**
 * The commander program: global flags (Compose's), one sub-command per verb from the registry,
 * help on every verb, errors turned into UsageError (exit 2) by main.
 */
import { Command, Option } from "commander";
import type { CliContext } from "./context.js";
import { commands } from "./commands/registry.js";
import { collect } from "./usage.js";
import type { RawGlobalFlags } from "./global-options.js";

/** Global flags that take a value (to find the verb in argv without parsing). */
const VALUE_FLAGS = new Set(["-f", "--file", "-p", "--project-name", "--project-directory", "--profile", "--env-file", "--parallel", "--progress", "--ansi", "--lock-timeout"]);

/** The verb in argv: the first operand after the global flags (undefined for `--help` etc.). */
export function findVerb(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") return argv[i + 1];
    if (!a.startsWith("-") || a === "-") return a;
    if (VALUE_FLAGS.has(a)) i++;
  }
  return undefined;
}

/** Build the program; only the verb named in `argv` is loaded in full. */
export async function buildProgram(ctx: CliContext, version: string, argv: readonly string[] = []): Promise<Command> {
  const program = new Command("flotilla")
    .description("Define and run multi-container applications (Docker Compose compatible)")
    .usage("[OPTIONS] COMMAND")
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.io.stdout.write(s),
      writeErr: (s) => ctx.io.stderr.write(s),
      outputError: () => {}, // main prints one clear line instead
    })
    .showSuggestionAfterError(true)
    .version(version, "-v, --version", "Show the Flotilla version")
    .option("-f, --file <file>", "Compose configuration file (repeatable; - for stdin)", collect)
    .option("-p, --project-name <name>", "Project name")
    .option("--project-directory <path>", "Alternate working directory (default: the first file's directory)")
    .option("--profile <profile>", "Profile to enable (repeatable)", collect)
    .option("--env-file <path>", "Alternate environment file (repeatable)", collect)
    .option("--parallel <n>", "Maximum engine operations in flight (-1: unlimited)")
    .addOption(new Option("--progress <mode>", "Progress output: auto, tty, plain, json, quiet"))
    .addOption(new Option("--ansi <when>", "Control characters: never, always, auto"))
    .option("--dry-run", "Show what would be done without doing it")
    .option("--lock-timeout <seconds>", "Seconds to wait while another command changes the project (default 600)")
    .option("--no-lock-wait", "Fail at once when another command changes the project");

  ctx.bindGlobals(() => program.opts<RawGlobalFlags>());
  program.hook("preAction", (_root, action) => {
    ctx.bindGlobals(() => mergeGlobals(program.opts<RawGlobalFlags>(), action.opts<RawGlobalFlags>()));
  });

  const verb = findVerb(argv);
  for (const entry of commands) {
    if (entry.name !== verb) {
      // A stub: listed in the help; never run (argv names another verb).
      program.command(entry.name).description(entry.summary);
      continue;
    }
    const cmd = (await entry.load()).register(program, ctx);
    addGlobalsTo(cmd);
    cmd.exitOverride();
    cmd.configureOutput({
      writeOut: (s) => ctx.io.stdout.write(s),
      writeErr: (s) => ctx.io.stderr.write(s),
      outputError: () => {},
    });
    cmd.showSuggestionAfterError(true);
  }
  return program;
}

/** The global flags, also accepted after the verb (`flotilla config -f x.yaml`). */
function globalOptions(): Option[] {
  return [
    new Option("-f, --file <file>", "Compose configuration file (repeatable; - for stdin)").argParser(collect),
    new Option("-p, --project-name <name>", "Project name"),
    new Option("--project-directory <path>", "Alternate working directory"),
    new Option("--profile <profile>", "Profile to enable (repeatable)").argParser(collect),
    new Option("--env-file <path>", "Alternate environment file (repeatable)").argParser(collect),
    new Option("--parallel <n>", "Maximum engine operations in flight (-1: unlimited)"),
    new Option("--progress <mode>", "Progress output: auto, tty, plain, json, quiet"),
    new Option("--ansi <when>", "Control characters: never, always, auto"),
    new Option("--dry-run", "Show what would be done without doing it"),
    new Option("--lock-timeout <seconds>", "Seconds to wait while another command changes the project (default 600)"),
    new Option("--no-lock-wait", "Fail at once when another command changes the project"),
  ];
}

/** Add every global flag the verb does not define itself (e.g. `logs -f` keeps meaning --follow). Hidden from the verb's help. */
function addGlobalsTo(cmd: Command): void {
  const taken = new Set(cmd.options.flatMap((o) => [o.short, o.long].filter((x): x is string => x !== undefined)));
  for (const opt of globalOptions()) {
    if ((opt.short && taken.has(opt.short)) || (opt.long && taken.has(opt.long))) continue;
    cmd.addOption(opt.hideHelp());
  }
}

/** Global flags given before and after the verb: lists add up, single values after the verb win. */
export function mergeGlobals(before: RawGlobalFlags, after: RawGlobalFlags): RawGlobalFlags {
  const out: RawGlobalFlags = { ...before };
  for (const key of ["file", "profile", "envFile"] as const) {
    const list = [...(before[key] ?? []), ...(after[key] ?? [])];
    if (list.length > 0) out[key] = list;
  }
  for (const key of ["projectName", "projectDirectory", "parallel", "progress", "ansi", "lockTimeout"] as const) {
    if (after[key] !== undefined) out[key] = after[key];
  }
  if (after.dryRun) out.dryRun = true;
  if (after.lockWait === false) out.lockWait = false;
  return out;
}

/** Names of every verb (for suggestions). */
export function verbNames(program: Command): string[] {
  return program.commands.flatMap((c) => [c.name(), ...c.aliases()]);
}

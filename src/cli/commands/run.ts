/** `flotilla run SERVICE [COMMAND...]`: a one-off container of a service (non-interactive). */
import { Option, type Command } from "commander";
import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { UsageError } from "../../errors.js";
import { parseDotenv } from "../../spec/dotenv.js";
import { parsePortSpec, parseVolumeSpec } from "../../spec/normalize.js";
import type { PullMode } from "../../runtime/options.js";
import type { RunOptions } from "../api.js";
import type { CliContext } from "../context.js";
import { collect } from "../usage.js";
import { exitAction, literalNoFlag, type CommandModule } from "./command.js";
import { quietListener } from "./up.js";

interface RunFlags {
  interactive?: boolean;
  detach?: boolean;
  rm?: boolean;
  name?: string;
  env?: string[];
  label?: string[];
  entrypoint?: string;
  user?: string;
  workdir?: string;
  noDeps?: boolean;
  servicePorts?: boolean;
  TTY?: boolean;
  build?: boolean;
  pull?: string;
  quietPull?: boolean;
  publish?: string[];
  volume?: string[];
  capAdd?: string[];
  capDrop?: string[];
  useAliases?: boolean;
  envFromFile?: string[];
  removeOrphans?: boolean;
}

/** What the flags ask of Project.run (pure, for tests). */
export type RunRequest = { service: string } & Required<Pick<RunOptions, "detach" | "remove" | "noDeps" | "servicePorts" | "build">> &
  Pick<RunOptions, "command" | "entrypoint" | "env" | "labels" | "user" | "workdir" | "name" | "pull" | "publish" | "volumes" | "capAdd" | "capDrop" | "useAliases" | "removeOrphans">;

/** Where `run` reads files and resolves relative bind sources. */
export interface RunFiles {
  /** The project directory (relative `-v ./src:/src` sources resolve against it). */
  projectDir: string;
  /** Reads an `--env-from-file` file (relative to the working directory). */
  readFile: (file: string) => string;
}

/** `KEY=VAL` as given; a bare `KEY` takes its value from the environment (skipped when unset), as Compose does. */
export function parseKeyValues(flag: string, items: readonly string[], env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf("=");
    const key = eq < 0 ? item : item.slice(0, eq);
    if (key === "") throw new UsageError(`invalid ${flag} "${item}": expected KEY=VALUE or KEY`);
    if (eq >= 0) out[key] = item.slice(eq + 1);
    else if (env[key] !== undefined) out[key] = env[key]!;
  }
  return out;
}

export function runRequest(service: string, command: string[], flags: RunFlags, env: Readonly<Record<string, string | undefined>>, files?: RunFiles): RunRequest {
  if (flags.detach && flags.rm) throw new UsageError("--detach and --rm cannot be combined");
  const req: RunRequest = {
    service,
    detach: flags.detach === true,
    remove: flags.rm === true,
    noDeps: flags.noDeps === true,
    servicePorts: flags.servicePorts === true,
    build: flags.build === true,
  };
  if (command.length > 0) req.command = command;
  // `--entrypoint ""` clears the image's entrypoint; otherwise it is one word, as with docker run.
  if (flags.entrypoint !== undefined) req.entrypoint = flags.entrypoint === "" ? [""] : [flags.entrypoint];
  // As Compose's run (getEnvironment): -e first; each --env-from-file then adds only the variables
  // not set yet (-e and earlier files win), and its `${VAR}` sees only those, not the shell.
  const environment: Record<string, string> = flags.env && flags.env.length > 0 ? parseKeyValues("--env", flags.env, env) : {};
  const own = (name: string): boolean => Object.prototype.hasOwnProperty.call(environment, name);
  for (const file of flags.envFromFile ?? []) {
    if (!files) throw new UsageError("--env-from-file needs the file system");
    let text: string;
    try {
      text = files.readFile(file);
    } catch (e) {
      throw new UsageError(`--env-from-file ${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const vars = parseDotenv(text, file, (name) => (own(name) ? environment[name] : undefined));
    for (const [k, v] of Object.entries(vars)) if (!own(k)) Object.defineProperty(environment, k, { value: v, writable: true, enumerable: true, configurable: true });
  }
  if (Object.keys(environment).length > 0) req.env = environment;
  if (flags.publish && flags.publish.length > 0) {
    req.publish = flags.publish.flatMap((spec) => {
      try {
        return parsePortSpec(spec);
      } catch (e) {
        throw new UsageError(`invalid --publish "${spec}": ${e instanceof Error ? e.message : String(e)}`);
      }
    });
  }
  if (flags.volume && flags.volume.length > 0) {
    req.volumes = flags.volume.map((spec) => {
      let m;
      try {
        m = parseVolumeSpec(spec);
      } catch (e) {
        throw new UsageError(`invalid --volume "${spec}": ${e instanceof Error ? e.message : String(e)}`);
      }
      if (m.type === "bind" && m.source !== undefined && !isAbsolute(m.source)) {
        if (!files) throw new UsageError(`--volume "${spec}": a relative source needs the project directory`);
        m.source = resolve(files.projectDir, m.source);
      }
      return m;
    });
  }
  if (flags.capAdd && flags.capAdd.length > 0) req.capAdd = flags.capAdd;
  if (flags.capDrop && flags.capDrop.length > 0) req.capDrop = flags.capDrop;
  if (flags.useAliases) req.useAliases = true;
  if (flags.removeOrphans) req.removeOrphans = true;
  if (flags.label && flags.label.length > 0) req.labels = parseKeyValues("--label", flags.label, {});
  if (flags.user) req.user = flags.user;
  if (flags.workdir) req.workdir = flags.workdir;
  if (flags.name) req.name = flags.name;
  if (flags.pull) req.pull = flags.pull as PullMode;
  return req;
}

export const runCommand: CommandModule = {
  name: "run",
  register(program: Command, ctx: CliContext): Command {
    return program
      .command("run")
      .description("Run a one-off command on a service")
      .argument("<service>", "Service name")
      .argument("[command...]", "Command and arguments (default: the service's command)")
      .passThroughOptions()
      .option("-d, --detach", "Run container in background and print container name")
      .option("--rm", "Automatically remove the container when it exits")
      .option("--name <name>", "Assign a name to the container")
      .option("-e, --env <KEY=VAL>", "Set environment variables (repeatable)", collect)
      .option("-l, --label <KEY=VAL>", "Add or override a label (repeatable)", collect)
      .option("--entrypoint <cmd>", "Override the entrypoint of the image")
      .option("-u, --user <user>", "Run as specified username or uid")
      .option("-w, --workdir <dir>", "Working directory inside the container")
      .addOption(literalNoFlag("--no-deps", "Don't start linked services"))
      .option("-P, --service-ports", "Run command with the service's ports enabled and mapped to the host")
      .option("-T, --no-TTY", "Disable pseudo-TTY allocation (a TTY is allocated when stdin and stdout are a terminal)")
      .option("-i, --interactive", "Keep STDIN open: piped or redirected stdin is passed to the command (default)")
      .option("--no-interactive", "Do not pass stdin to the command")
      .option("--build", "Build image before starting container")
      .addOption(new Option("--pull <policy>", "Pull image before running").choices(["always", "missing", "never", "policy"]))
      .option("--quiet-pull", "Pull without printing progress information")
      .option("-p, --publish <port>", "Publish a container's port(s) to the host (repeatable)", collect)
      .option("-v, --volume <volume>", "Bind mount a volume (repeatable)", collect)
      .option("--cap-add <cap>", "Add Linux capabilities (repeatable)", collect)
      .option("--cap-drop <cap>", "Drop Linux capabilities (repeatable)", collect)
      .option("--use-aliases", "Use the service's network aliases in the network(s) the container connects to")
      .option("--env-from-file <file>", "Set environment variables from a file (repeatable)", collect)
      .option("--remove-orphans", "Remove containers for services not defined in the Compose file")
      .action(
        exitAction(ctx, async (service: string, command: string[], flags: RunFlags) => {
          const project = await ctx.project();
          const req = runRequest(service, command, flags, ctx.io.env, {
            projectDir: project.config.workingDir,
            readFile: (file) => readFileSync(resolve(ctx.io.cwd, file), "utf8"),
          });
          if (!project.run) throw new UsageError("run needs a compose file (no project to run from)");
          // Output streamed; piped stdin passed on; at a terminal (unless -T) a TTY with raw keystrokes.
          const io = ctx.containerIO({ tty: flags.TTY !== false, interactive: flags.interactive !== false && !req.detach });
          // The progress display covers the preparation only: it is closed before the command's output.
          const reporter = await ctx.reporter("Running");
          let open = true;
          const close = async (failed: boolean): Promise<void> => {
            if (!open) return;
            open = false;
            await reporter.close(failed);
          };
          try {
            const result = await project.run(service, {
              ...req,
              onEvent: quietListener(reporter.onEvent, { pull: flags.quietPull === true }),
              signal: ctx.signal,
              ...io.options,
              onStarted: async () => {
                await close(false);
                io.raw();
              },
            });
            io.restore();
            if (req.detach) {
              ctx.out(`${result.name}\n`);
              return 0;
            }
            return result.exitCode ?? 0;
          } catch (err) {
            await close(true);
            io.restore();
            if (ctx.interrupted(err)) return 130;
            throw err;
          }
        }),
      );
  },
};

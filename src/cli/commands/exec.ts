/** `flotilla exec SERVICE CMD...`: run a command in a running service container (non-interactive). */
import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { collect, parseNonNegativeInt } from "../usage.js";
import { exitAction, type CommandModule } from "./command.js";

interface ExecFlags {
  interactive?: boolean;
  detach?: boolean;
  env?: string[];
  index: string;
  tty?: boolean;
  privileged?: boolean;
  user?: string;
  workdir?: string;
}

export const execCommand: CommandModule = {
  name: "exec",
  register(program: Command, ctx: CliContext): Command {
    return program
      .command("exec")
      .description("Execute a command in a running container")
      .argument("<service>", "Service name")
      .argument("<command...>", "Command and arguments")
      .passThroughOptions()
      .option("-e, --env <KEY=VAL>", "Set environment variables (repeatable)", collect)
      .option("--index <n>", "Index of the container if service has multiple replicas", "1")
      .option("-T, --no-tty", "Disable pseudo-TTY allocation (a TTY is allocated when stdin and stdout are a terminal)")
      .option("-i, --interactive", "Keep STDIN open: piped or redirected stdin is passed to the command (default)")
      .option("--no-interactive", "Do not pass stdin to the command")
      .option("-d, --detach", "Detached mode: Run command in the background")
      .option("--privileged", "Give extended privileges to the process")
      .option("-u, --user <user>", "Run the command as this user")
      .option("-w, --workdir <dir>", "Path to workdir directory for this command")
      .action(
        exitAction(ctx, async (service: string, command: string[], flags: ExecFlags) => {
          const index = parseNonNegativeInt("--index", flags.index);
          const project = await ctx.project();
          // Output is streamed as the command writes it; piped stdin is passed on (then closed); at a
          // terminal (unless -T) a TTY gets raw keystrokes. Ctrl-C ends the exec (exit 130).
          const io = ctx.containerIO({ tty: flags.tty !== false && flags.detach !== true, interactive: flags.interactive !== false && flags.detach !== true });
          io.raw();
          const result = await project
            .exec(service, command, {
              index,
              ...io.options,
              signal: ctx.signal,
              ...(flags.env ? { env: flags.env } : {}),
              ...(flags.user ? { user: flags.user } : {}),
              ...(flags.workdir ? { workingDir: flags.workdir } : {}),
              ...(flags.privileged ? { privileged: true } : {}),
              ...(flags.detach ? { detach: true } : {}),
            })
            .catch((err: unknown) => {
              if (ctx.interrupted(err)) return { exitCode: 130 };
              throw err;
            })
            .finally(() => io.restore());
          return result.exitCode;
        }),
      );
  },
};

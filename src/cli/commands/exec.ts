/** `flotilla exec SERVICE CMD...`: run a command in a running service container (non-interactive). */
import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { collect, parseNonNegativeInt } from "../usage.js";
import { exitAction, type CommandModule } from "./command.js";

interface ExecFlags {
  detach?: boolean;
  env?: string[];
  index: string;
  T?: boolean;
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
      .option("-T, --no-tty", "Disable pseudo-TTY allocation (the default here: exec is non-interactive)")
      .option("--privileged", "Give extended privileges to the process")
      .option("-u, --user <user>", "Run the command as this user")
      .option("-w, --workdir <dir>", "Path to workdir directory for this command")
      .action(
        exitAction(ctx, async (service: string, command: string[], flags: ExecFlags) => {
          const index = parseNonNegativeInt("--index", flags.index);
          const project = await ctx.project();
          const result = await project.exec(service, command, {
            index,
            tty: false,
            signal: ctx.signal,
            ...(flags.env ? { env: flags.env } : {}),
            ...(flags.user ? { user: flags.user } : {}),
            ...(flags.workdir ? { workingDir: flags.workdir } : {}),
            ...(flags.privileged ? { privileged: true } : {}),
          });
          if (result.stdout) ctx.out(result.stdout);
          if (result.stderr) ctx.err(result.stderr);
          return result.exitCode;
        }),
      );
  },
};

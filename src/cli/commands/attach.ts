/**
 * `flotilla attach SERVICE`: follow a running service container's output and pass stdin to it.
 * Ctrl-C is sent to the container (unless --sig-proxy=false, which detaches instead); a container
 * with a TTY gets raw keystrokes. Exits with the container's exit code once it stops.
 */
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import type { CliContext } from "../context.js";
import { parseBoolFlag, parseNonNegativeInt } from "../usage.js";
import { exitAction, type CommandModule } from "./command.js";

interface AttachFlags {
  index: string;
  stdin?: boolean;
  sigProxy: string | boolean;
  detachKeys?: string;
}

export const attachCommand: CommandModule = {
  name: "attach",
  register(program: Command, ctx: CliContext): Command {
    return program
      .command("attach")
      .description("Attach local standard input, output, and error streams to a service's running container")
      .argument("<service>", "Service name")
      .option("--index <n>", "Index of the container if service has multiple replicas", "1")
      .option("--no-stdin", "Do not attach STDIN")
      .option("--sig-proxy [bool]", "Proxy all received signals to the process", true)
      .option("--detach-keys <keys>", "Accepted for compatibility (detach with Ctrl-C and --sig-proxy=false)")
      .action(
        exitAction(ctx, async (service: string, flags: AttachFlags) => {
          const index = parseNonNegativeInt("--index", flags.index);
          const sigProxy = parseBoolFlag("--sig-proxy", flags.sigProxy);
          const project = await ctx.project();
          if (!project.attach) throw new UsageError("attach needs a project");
          const io = ctx.containerIO({ tty: true, interactive: flags.stdin !== false });
          let kill: ((signal: string) => Promise<void>) | undefined;
          const detach = new AbortController();
          const uninstall = ctx.io.onSignal((sig) => {
            if (sigProxy && kill) void kill(sig).catch(() => {});
            else detach.abort();
          });
          try {
            const code = await project.attach(service, {
              index,
              ...io.options,
              signal: detach.signal,
              onAttached: (info) => {
                kill = info.kill;
                if (info.tty) io.raw();
              },
            });
            return code ?? 0;
          } finally {
            io.restore();
            uninstall();
          }
        }),
      );
  },
};

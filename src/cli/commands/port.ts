/** `flotilla port SERVICE PRIVATE_PORT`: the public port bound to a container port. */
import { Option, type Command } from "commander";
import { FlotillaError, UsageError } from "../../errors.js";
import type { PublishedBinding } from "../../api/project.js";
import type { CliProject } from "../api.js";
import type { CliContext } from "../context.js";
import { parseNonNegativeInt } from "../usage.js";
import { exitAction, type CommandModule } from "./command.js";

export function parsePrivatePort(value: string, protocolFlag: string | undefined): { port: number; protocol: "tcp" | "udp" } {
  const m = /^(\d+)(?:\/(tcp|udp))?$/.exec(value.trim());
  if (!m) throw new UsageError(`invalid port "${value}": expected PORT or PORT/PROTOCOL`);
  const port = Number(m[1]);
  if (port < 1 || port > 65535) throw new UsageError(`invalid port "${value}": must be between 1 and 65535`);
  return { port, protocol: ((m[2] as "tcp" | "udp" | undefined) ?? (protocolFlag as "tcp" | "udp" | undefined) ?? "tcp") };
}

/**
 * The published binding: one container list through the library's `portBinding`; a project without
 * it (a test's fake) answers with `port` and the address from `ps`.
 */
async function portBinding(project: CliProject, service: string, port: number, protocol: "tcp" | "udp", index: number): Promise<PublishedBinding | undefined> {
  if (project.portBinding) return project.portBinding(service, port, protocol, index);
  const published = await project.port(service, port, protocol, index);
  if (published === undefined) return undefined;
  const rows = await project.ps({ services: [service], all: true });
  const row = rows.find((r) => r.Number === index) ?? rows[0];
  return { hostIp: row?.Publishers.find((p) => p.PublishedPort === published && p.TargetPort === port)?.URL || "0.0.0.0", port: published };
}

export const portCommand: CommandModule = {
  name: "port",
  register(program: Command, ctx: CliContext): Command {
    return program
      .command("port")
      .description("Print the public port for a port binding")
      .argument("<service>", "Service name")
      .argument("<private_port>", "Container port")
      .addOption(new Option("--protocol <protocol>", "tcp or udp").choices(["tcp", "udp"]).default("tcp"))
      .option("--index <n>", "Index of the container if service has multiple replicas", "1")
      .action(
        exitAction(ctx, async (service: string, privatePort: string, flags: { protocol: string; index: string }) => {
          const { port, protocol } = parsePrivatePort(privatePort, flags.protocol);
          const index = parseNonNegativeInt("--index", flags.index);
          const project = await ctx.project();
          const binding = await portBinding(project, service, port, protocol, index);
          if (binding === undefined) {
            throw new FlotillaError("NO_SUCH_SERVICE", `no port ${port}/${protocol} published for service "${service}" (container ${index})`, {
              service,
              hint: "check the service's ports: section and that the container is running",
            });
          }
          // The host address of the binding, as Compose prints it (127.0.0.1:49153).
          ctx.out(`${binding.hostIp.includes(":") ? `[${binding.hostIp}]` : binding.hostIp}:${binding.port}\n`);
          return 0;
        }),
      );
  },
};

/**
 * The read-only `flotilla stack` subcommands, with `docker stack`'s tables: `ls` (stacks and their
 * service counts), `services NAME` (mode, replicas, image, ports) and `ps NAME` (tasks, newest first
 * per slot). Each `add…` function adds its subcommand to the `stack` group (owned by stack.ts).
 */
import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { exitAction } from "./command.js";

/** What the library needs to reach the swarm: the CLI's environment (DOCKER_HOST, contexts). */
export function stackConnection(ctx: CliContext): { env: CliContext["io"]["env"] } {
  return { env: ctx.io.env };
}

async function table(headers: string[], rows: string[][]): Promise<string> {
  const { renderTable } = await import("../render/table.js");
  return renderTable(headers, rows);
}

export function addStackLs(group: Command, ctx: CliContext): void {
  group
    .command("ls")
    .alias("list")
    .description("List stacks")
    .option("--format <format>", "table or json", "table")
    .action(
      exitAction(ctx, async (flags: { format?: string }) => {
        const { Stack } = await import("../../api/swarm-stack.js");
        const rows = await Stack.ls(stackConnection(ctx));
        if (flags.format === "json") ctx.out(rows.map((r) => `${JSON.stringify({ Name: r.name, Services: String(r.services) })}\n`).join(""));
        else ctx.out(await table(["NAME", "SERVICES"], rows.map((r) => [r.name, String(r.services)])));
        return 0;
      }),
    );
}

export function addStackServices(group: Command, ctx: CliContext): void {
  group
    .command("services")
    .description("List the services in the stack")
    .argument("<name>", "Stack name")
    .option("-q, --quiet", "Only display IDs")
    .action(
      exitAction(ctx, async (name: string, flags: { quiet?: boolean }) => {
        const { Stack } = await import("../../api/swarm-stack.js");
        const rows = await Stack.named(name, stackConnection(ctx)).services();
        if (rows.length === 0) {
          ctx.err(`Nothing found in stack: ${name}\n`);
          return 0;
        }
        if (flags.quiet) ctx.out(rows.map((r) => `${r.id}\n`).join(""));
        else ctx.out(await table(["ID", "NAME", "MODE", "REPLICAS", "IMAGE", "PORTS"], rows.map((r) => [r.id, r.name, r.mode, r.replicas, r.image, r.ports])));
        return 0;
      }),
    );
}

export function addStackPs(group: Command, ctx: CliContext): void {
  group
    .command("ps")
    .description("List the tasks in the stack")
    .argument("<name>", "Stack name")
    .option("-q, --quiet", "Only display task IDs")
    .option("-a, --all", "Show every task, also those shut down")
    .action(
      exitAction(ctx, async (name: string, flags: { quiet?: boolean; all?: boolean }) => {
        const { Stack } = await import("../../api/swarm-stack.js");
        const rows = await Stack.named(name, stackConnection(ctx)).ps({ all: flags.all === true });
        if (rows.length === 0) {
          ctx.err(`nothing found in stack: ${name}\n`);
          return 1;
        }
        if (flags.quiet) ctx.out(rows.map((r) => `${r.id}\n`).join(""));
        else
          ctx.out(
            await table(
              ["ID", "NAME", "IMAGE", "NODE", "DESIRED STATE", "CURRENT STATE", "ERROR", "PORTS"],
              rows.map((r) => [r.id, r.name, r.image, r.node, r.desiredState, r.currentState, r.error, r.ports]),
            ),
          );
        return 0;
      }),
    );
}

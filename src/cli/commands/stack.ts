/**
 * `flotilla stack …`: deploy a compose project to Docker Swarm (DOCKER_HOST must be a manager).
 *   deploy -c FILE… NAME [--prune] [--dry-run] [--detach|--wait] [--ignore KEY]… [--resolve-image …] [--with-registry-auth] [--push]
 *   rm NAME… [--wait]
 *   ls | ps NAME | services NAME (stack-list.ts) | config (stack-config.ts)
 * Output follows `docker stack`'s. The library behind it is `src/api/swarm-stack.ts`.
 */
import { Option, type Command } from "commander";
import { UsageError, formatIssue } from "../../errors.js";
import type { CliContext } from "../context.js";
import { withReporter } from "../context.js";
import { collect } from "../usage.js";
import { exitAction, type CommandModule } from "./command.js";
import { addStackConfig, stackLoadOptions } from "./stack-config.js";
import { addStackLs, addStackPs, addStackServices, stackConnection } from "./stack-list.js";

export interface StackDeployFlags {
  composeFile?: string[];
  projectName?: string;
  prune?: boolean;
  dryRun?: boolean;
  detach?: boolean;
  wait?: boolean;
  ignore?: string[];
  resolveImage?: "always" | "changed" | "never";
  withRegistryAuth?: boolean;
  push?: boolean;
  timeout?: string;
}

export async function runStackDeploy(ctx: CliContext, name: string | undefined, flags: StackDeployFlags): Promise<number> {
  const { Stack } = await import("../../api/swarm-stack.js");
  const { renderPlan } = await import("../../cluster/swarm/render.js");
  if (flags.detach && flags.wait) throw new UsageError("--detach and --wait cannot be combined");
  const timeoutMs = flags.timeout !== undefined ? Number(flags.timeout) * 1000 : undefined;
  if (timeoutMs !== undefined && !(timeoutMs > 0)) throw new UsageError(`invalid --timeout "${flags.timeout}": expected seconds`);
  const options = await stackLoadOptions(ctx, flags);
  const stack = await Stack.load({ ...options, ...(name !== undefined ? { stack: name } : {}), ...stackConnection(ctx) });
  for (const w of stack.project?.warnings ?? []) ctx.warn(w);
  const deployOptions = {
    dryRun: flags.dryRun === true,
    prune: flags.prune === true,
    wait: flags.detach !== true,
    ignore: flags.ignore ?? [],
    push: flags.push === true,
    resolveImage: flags.resolveImage ?? "always",
    registryAuth: flags.withRegistryAuth === true,
    signal: ctx.signal,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  } as const;
  if (flags.dryRun) {
    const result = await stack.deploy(deployOptions);
    for (const w of result.warnings) ctx.warn(formatIssue(w).replace(/\n/g, "\n     "));
    ctx.out(`${renderPlan(result.plan, { dryRun: true }).join("\n")}\n`);
    return 0;
  }
  const result = await withReporter(ctx, "Deploying", (r) => stack.deploy({ ...deployOptions, onEvent: r.onEvent }));
  for (const w of result.warnings) ctx.warn(formatIssue(w).replace(/\n/g, "\n     "));
  for (const w of result.applied?.warnings ?? []) ctx.warn(w);
  const a = result.applied!;
  const counts = (k: string) => a.services.filter((s) => s.action === k).length;
  ctx.err(`stack ${stack.name}: ${counts("created")} created, ${counts("updated")} updated, ${counts("unchanged")} unchanged${counts("removed") ? `, ${counts("removed")} removed` : ""}${flags.detach ? " (not waiting for convergence: --detach)" : ""}\n`);
  if (a.services.some((s) => s.action !== "removed")) {
    ctx.err("note: depends_on orders this rollout only; Swarm does not honour it when it reschedules tasks later\n");
  }
  return 0;
}

function addStackDeploy(group: Command, ctx: CliContext): void {
  group
    .command("deploy")
    .description("Deploy a new stack or update an existing stack")
    .argument("[name]", "Stack name (default: the project name)")
    .option("-c, --compose-file <file>", "Path to a Compose file, or - for stdin (repeatable)", collect)
    .option("-p, --project-name <name>", "Project name (for discovery and interpolation)")
    .option("--prune", "Prune services that are no longer referenced")
    .option("--dry-run", "Print what would change and why; send nothing")
    .option("-d, --detach", "Exit immediately instead of waiting for the stack services to converge")
    .option("--wait", "Wait for every service to converge or roll back (the default)")
    .option("--ignore <key>", "Send without KEY instead of refusing it (repeatable)", collect)
    .addOption(new Option("--resolve-image <when>", "Pin images by digest: every image, only new services and changed image: values, or none").choices(["always", "changed", "never"]).default("always"))
    .option("--with-registry-auth", "Send registry authentication details to Swarm agents")
    .option("--push", "Build services with build: and push their images (pinned by digest)")
    .option("--timeout <seconds>", "How long a service may take to converge (default 300)")
    .action(exitAction(ctx, async (name: string | undefined, flags: StackDeployFlags) => runStackDeploy(ctx, name, flags)));
}

async function runStackRm(ctx: CliContext, names: string[], flags: { wait?: boolean }): Promise<number> {
  const { Stack } = await import("../../api/swarm-stack.js");
  let code = 0;
  for (const name of names) {
    const r = await Stack.named(name, stackConnection(ctx)).rm({ wait: flags.wait === true, signal: ctx.signal });
    if (r.services.length + r.networks.length + r.secrets.length + r.configs.length === 0 && r.left.length === 0) {
      ctx.err(`Nothing found in stack: ${name}\n`);
      continue;
    }
    for (const s of r.services.sort()) ctx.err(`Removing service ${s}\n`);
    for (const s of r.secrets.sort()) ctx.err(`Removing secret ${s}\n`);
    for (const s of r.configs.sort()) ctx.err(`Removing config ${s}\n`);
    for (const s of r.networks.sort()) ctx.err(`Removing network ${s}\n`);
    for (const l of r.left) {
      ctx.err(`Failed to remove ${l} (still in use; \`flotilla stack rm --wait\` waits for it)\n`);
      code = 1;
    }
  }
  return code;
}

function addStackRm(group: Command, ctx: CliContext): void {
  group
    .command("rm")
    .alias("remove")
    .alias("down")
    .description("Remove one or more stacks")
    .argument("<names...>", "Stack names")
    .option("--wait", "Return only when services, tasks, networks, secrets and configs are gone")
    .action(exitAction(ctx, async (names: string[], flags: { wait?: boolean }) => runStackRm(ctx, names, flags)));
}

export const stackCommand: CommandModule = {
  name: "stack",
  register(program: Command, ctx: CliContext): Command {
    const group = program.command("stack").description("Manage Swarm stacks (DOCKER_HOST must be a swarm manager)");
    addStackDeploy(group, ctx);
    addStackLs(group, ctx);
    addStackServices(group, ctx);
    addStackPs(group, ctx);
    addStackRm(group, ctx);
    addStackConfig(group, ctx);
    return group;
  },
};

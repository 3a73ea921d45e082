/**
 * `flotilla stack config [-c FILE]… [NAME]`: the exact Engine API specs `stack deploy` would send
 * (JSON: secrets, configs, networks, services, in that order), no engine needed. Warnings go to
 * stderr at file:line:col; refusals fail with all of them listed, as deploy would. Secret data is
 * redacted unless `--show-secrets`.
 *
 * `addStackConfig(group, ctx)` adds the subcommand to the `stack` group (owned by stack.ts);
 * `stackConfigCommand` registers a `stack` group holding only `config`, for use until that exists.
 */
import { Command } from "commander";
import { UsageError, formatIssue } from "../../errors.js";
import type { LoadOptions } from "../../spec/options.js";
import { collect } from "../usage.js";
import { toLoadOptions } from "../global-options.js";
import { defaultLoadConfig } from "../api.js";
import type { CliContext } from "../context.js";
import { exitAction, type CommandModule } from "./command.js";

export interface StackConfigFlags {
  composeFile?: string[];
  projectName?: string;
  ignore?: string[];
  push?: boolean;
  showSecrets?: boolean;
  output?: string;
}

/** The loader input: `-c` files replace `-f`/discovery, `-p` after the verb wins. */
export async function stackLoadOptions(ctx: CliContext, flags: { composeFile?: string[]; projectName?: string }): Promise<LoadOptions> {
  const options = await toLoadOptions(ctx.globals, ctx.io);
  if (flags.composeFile && flags.composeFile.length > 0) {
    options.files = flags.composeFile;
    if (flags.composeFile.includes("-") && options.stdin === undefined) options.stdin = await ctx.io.readStdin();
  }
  if (flags.projectName !== undefined) options.projectName = flags.projectName;
  return options;
}

export async function runStackConfig(ctx: CliContext, name: string | undefined, flags: StackConfigFlags): Promise<number> {
  const [{ prepareStack, STACK_NAME }, { stackSpecsJson }, { readFileSync }] = await Promise.all([
    import("../../cluster/swarm/prepare.js"),
    import("../../cluster/swarm/convert.js"),
    import("node:fs"),
  ]);
  if (name !== undefined && !STACK_NAME.test(name)) {
    throw new UsageError(`invalid stack name ${JSON.stringify(name)}`, "use letters, digits, '_', '.' and '-', starting with a letter or digit");
  }
  const options = await stackLoadOptions(ctx, flags);
  const project = ctx.deps.loadConfig ? await ctx.deps.loadConfig(options) : await defaultLoadConfig(options);
  for (const w of project.warnings) ctx.warn(w);
  const prepared = prepareStack(project, {
    ...(name !== undefined ? { stack: name } : {}),
    ignore: flags.ignore ?? [],
    push: flags.push === true,
    readFile: (p) => readFileSync(p),
  });
  for (const w of prepared.warnings) ctx.warn(formatIssue(w).replace(/\n/g, "\n     "));
  const text = `${JSON.stringify(stackSpecsJson(prepared.spec, { showSecrets: flags.showSecrets === true }), null, 2)}\n`;
  if (flags.output) {
    const [fsp, path] = await Promise.all([import("node:fs/promises"), import("node:path")]);
    await fsp.writeFile(path.resolve(ctx.io.cwd, flags.output), text);
  } else ctx.out(text);
  return 0;
}

/** Adds `config` to a `stack` command group. */
export function addStackConfig(group: Command, ctx: CliContext): Command {
  return group
    .command("config")
    .description("Print the Swarm specs stack deploy would send (JSON), without an engine")
    .argument("[name]", "Stack name (default: the project name)")
    .option("-c, --compose-file <file>", "Path to a Compose file, or - for stdin (repeatable)", collect)
    .option("-p, --project-name <name>", "Project name (for discovery and interpolation)")
    .option("--ignore <key>", "Send without KEY instead of refusing it (e.g. privileged, deploy.resources.reservations.devices, web.devices; repeatable)", collect)
    .option("--push", "Services with build: are built and pushed by deploy (no image: needed)")
    .option("--show-secrets", "Print secrets' data (base64) instead of redacting it")
    .option("-o, --output <file>", "Save to this file instead of stdout")
    .action(exitAction(ctx, async (name: string | undefined, flags: StackConfigFlags) => runStackConfig(ctx, name, flags)));
}

/** A `stack` group with only `config` (until the full `stack` command registers it). */
export const stackConfigCommand: CommandModule = {
  name: "stack",
  register(program: Command, ctx: CliContext): Command {
    const group = program.command("stack").description("Manage Swarm stacks");
    addStackConfig(group, ctx);
    return group;
  },
};

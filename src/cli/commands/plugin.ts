/**
 * `flotilla plugin install|uninstall|status`: Flotilla as the Docker CLI's `compose` plugin for the current user.
 *
 * The Docker CLI looks for `docker-compose` in $DOCKER_CONFIG/cli-plugins (else ~/.docker/cli-plugins)
 * before the system directories, so a file there makes `docker compose …` run Flotilla. Install writes a
 * small shell script that runs this Flotilla with this node; a plugin already there that is not ours
 * is moved aside to `.docker-compose.before-flotilla` (a name the CLI does not list as a plugin) and put
 * back by uninstall.
 */
import { chmodSync, lstatSync, readFileSync, realpathSync, renameSync, unlinkSync, writeFileSync, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import type { CliContext } from "../context.js";
import { exitAction, type CommandModule } from "./command.js";

const MARKER = "# flotilla-docker-cli-plugin";
const PLUGIN = "docker-compose";
const BACKUP = ".docker-compose.before-flotilla";

export function pluginDir(env: Readonly<Record<string, string | undefined>>, home = homedir()): string {
  const config = env["DOCKER_CONFIG"];
  return join(config !== undefined && config !== "" ? config : join(home, ".docker"), "cli-plugins");
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Whether the file at `path` is a plugin script written by `flotilla plugin install`. */
export function isOurs(path: string): boolean {
  try {
    return lstatSync(path).isFile() && readFileSync(path, "utf8").includes(MARKER);
  } catch {
    return false;
  }
}

const shQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export function pluginScript(node: string, entry: string, version: string): string {
  return [
    "#!/bin/sh",
    MARKER,
    `# Flotilla ${version} as \`docker compose\`. Remove with: flotilla plugin uninstall`,
    `exec ${shQuote(node)} ${shQuote(entry)} "$@"`,
    "",
  ].join("\n");
}

export interface InstallResult {
  path: string;
  /** Where a previous plugin was moved to. */
  movedAside?: string;
}

export function installPlugin(dir: string, script: string): InstallResult {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, PLUGIN);
  const result: InstallResult = { path };
  if (exists(path) && !isOurs(path)) {
    const backup = join(dir, BACKUP);
    if (exists(backup)) {
      throw new UsageError(
        `${path} is not Flotilla's and ${backup} already exists`,
        "move one of them away by hand, then run flotilla plugin install again",
      );
    }
    renameSync(path, backup);
    result.movedAside = backup;
  }
  // Written beside and renamed: a concurrent `docker compose` never runs half a file.
  const tmp = `${path}.flotilla-${process.pid}.tmp`;
  writeFileSync(tmp, script, { mode: 0o755 });
  chmodSync(tmp, 0o755);
  renameSync(tmp, path);
  return result;
}

export interface UninstallResult {
  removed: boolean;
  restored?: string;
}

export function uninstallPlugin(dir: string): UninstallResult {
  const path = join(dir, PLUGIN);
  if (exists(path) && !isOurs(path)) {
    throw new UsageError(`${path} is not Flotilla's plugin: left as it is`);
  }
  const removed = exists(path);
  if (removed) unlinkSync(path);
  const backup = join(dir, BACKUP);
  if (exists(backup)) {
    renameSync(backup, path);
    return { removed, restored: path };
  }
  return { removed };
}

export const pluginCommand: CommandModule = {
  name: "plugin",
  register(program: Command, ctx: CliContext): Command {
    const cmd = program.command("plugin").description("Install Flotilla as the Docker CLI plugin (`docker compose`) for the current user");
    cmd
      .command("install")
      .description("Make `docker compose` run Flotilla ($DOCKER_CONFIG/cli-plugins/docker-compose, else ~/.docker/cli-plugins)")
      .action(
        exitAction(ctx, async () => {
          const { flotillaVersion } = await import("../version-info.js");
          const entry = process.argv[1];
          if (entry === undefined) throw new UsageError("cannot tell where Flotilla's executable is");
          const dir = pluginDir(ctx.io.env);
          const r = installPlugin(dir, pluginScript(process.execPath, realpathSync(entry), flotillaVersion()));
          if (r.movedAside) ctx.out(`Moved the previous plugin to ${r.movedAside} (flotilla plugin uninstall puts it back)\n`);
          ctx.out(`Installed ${r.path}: \`docker compose\` now runs Flotilla ${flotillaVersion()}\n`);
          return 0;
        }),
      );
    cmd
      .command("uninstall")
      .description("Remove Flotilla's Docker CLI plugin, restoring the plugin it replaced")
      .action(
        exitAction(ctx, () => {
          const r = uninstallPlugin(pluginDir(ctx.io.env));
          if (r.restored) ctx.out(`Restored the previous plugin at ${r.restored}\n`);
          else if (r.removed) ctx.out("Removed Flotilla's plugin\n");
          else ctx.out("Flotilla's plugin was not installed\n");
          return Promise.resolve(0);
        }),
      );
    cmd
      .command("status")
      .description("Say whether `docker compose` runs Flotilla for the current user")
      .action(
        exitAction(ctx, () => {
          const path = join(pluginDir(ctx.io.env), PLUGIN);
          ctx.out(isOurs(path) ? `installed: ${path}\n` : exists(path) ? `another plugin is installed at ${path}\n` : `not installed (${path})\n`);
          return Promise.resolve(0);
        }),
      );
    return cmd;
  },
};

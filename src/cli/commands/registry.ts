/**
 * Every verb, in help order. Adding one = one file + one line here.
 * Only the verb being run is imported (its flags and action); the others appear in the help as
 * name + summary, so start-up does not pay for modules it will not use.
 */
import type { CommandModule } from "./command.js";

export interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<CommandModule>;
}

export const commands: readonly CommandEntry[] = [
  { name: "attach", summary: "Attach local standard input, output, and error streams to a service's running container", load: async () => (await import("./attach.js")).attachCommand },
  { name: "build", summary: "Build or rebuild services", load: async () => (await import("./build.js")).buildCommand },
  { name: "commit", summary: "Create a new image from a service container's changes", load: async () => (await import("./commit.js")).commitCommand },
  { name: "config", summary: "Parse, resolve and render the compose file in canonical format", load: async () => (await import("./config.js")).configCommand },
  { name: "convert", summary: "Convert the project to Kubernetes manifests, a kustomization or a Helm chart", load: async () => (await import("./convert.js")).convertCommand },
  { name: "cp", summary: "Copy files/folders between a service container and the local filesystem", load: async () => (await import("./cp.js")).cpCommand },
  { name: "create", summary: "Creates containers for a service", load: async () => (await import("./create.js")).createCommand },
  { name: "down", summary: "Stop and remove containers, networks", load: async () => (await import("./down.js")).downCommand },
  { name: "events", summary: "Receive real time events from containers", load: async () => (await import("./events.js")).eventsCommand },
  { name: "exec", summary: "Execute a command in a running container", load: async () => (await import("./exec.js")).execCommand },
  { name: "export", summary: "Export a service container's filesystem as a tar archive", load: async () => (await import("./export.js")).exportCommand },
  { name: "graph", summary: "Draw the service dependency graph (Mermaid, DOT or SVG) with live state", load: async () => (await import("./graph.js")).graphCommand },
  { name: "images", summary: "List images used by the created containers", load: async () => (await import("./images.js")).imagesCommand },
  { name: "kill", summary: "Force stop service containers", load: async () => (await import("./kill.js")).killCommand },
  { name: "logs", summary: "View output from containers", load: async () => (await import("./logs.js")).logsCommand },
  { name: "ls", summary: "List running compose projects", load: async () => (await import("./ls.js")).lsCommand },
  { name: "pause", summary: "Pause services", load: async () => (await import("./pause.js")).pauseCommand },
  { name: "plugin", summary: "Install or remove Flotilla as the Docker CLI plugin (`docker compose`)", load: async () => (await import("./plugin.js")).pluginCommand },
  { name: "port", summary: "Print the public port for a port binding", load: async () => (await import("./port.js")).portCommand },
  { name: "ps", summary: "List containers", load: async () => (await import("./ps.js")).psCommand },
  { name: "pull", summary: "Pull service images", load: async () => (await import("./pull.js")).pullCommand },
  { name: "push", summary: "Push service images", load: async () => (await import("./push.js")).pushCommand },
  { name: "restart", summary: "Restart service containers", load: async () => (await import("./restart.js")).restartCommand },
  { name: "rm", summary: "Removes stopped service containers", load: async () => (await import("./rm.js")).rmCommand },
  { name: "run", summary: "Run a one-off command on a service", load: async () => (await import("./run.js")).runCommand },
  { name: "scale", summary: "Scale services", load: async () => (await import("./scale.js")).scaleCommand },
  { name: "stack", summary: "Manage Swarm stacks", load: async () => (await import("./stack.js")).stackCommand },
  { name: "start", summary: "Start services", load: async () => (await import("./start.js")).startCommand },
  { name: "stats", summary: "Display a live stream of container(s) resource usage statistics", load: async () => (await import("./stats.js")).statsCommand },
  { name: "stop", summary: "Stop services", load: async () => (await import("./stop.js")).stopCommand },
  { name: "top", summary: "Display the running processes", load: async () => (await import("./top.js")).topCommand },
  { name: "unpause", summary: "Unpause services", load: async () => (await import("./pause.js")).unpauseCommand },
  { name: "up", summary: "Create and start containers", load: async () => (await import("./up.js")).upCommand },
  { name: "volumes", summary: "List volumes", load: async () => (await import("./volumes.js")).volumesCommand },
  { name: "wait", summary: "Block until containers of all (or specified) services stop.", load: async () => (await import("./wait.js")).waitCommand },
  { name: "watch", summary: "Watch build context for service and rebuild/refresh containers when files are updated", load: async () => (await import("./watch.js")).watchCommand },
  { name: "version", summary: "Show the Flotilla version information", load: async () => (await import("./version.js")).versionCommand },
];

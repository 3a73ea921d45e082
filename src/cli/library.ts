/**
 * The real library behind the CLI: `Project` from src/api, bound as a CliProject. Loaded lazily:
 * importing this file is what brings in the runtime.
 *
 * With `-p NAME` and no compose file to be found, the project is rebuilt from the engine's
 * container labels (`Project.loadOrFromLabels`), so `-p NAME down|ps|logs|stop|start|rm` work
 * from any directory, as in Compose.
 */
import { Project } from "../api/project.js";
import type { CliProject, OpenOptions } from "./api.js";

export async function openLibraryProject(options: OpenOptions): Promise<CliProject> {
  const { parallel: _parallel, ...load } = options;
  const project = await Project.loadOrFromLabels(load);
  // Project keeps #private state: delegate with `project` as the receiver.
  const cli: CliProject = {
    name: project.name,
    config: project.config,
    plan: (o) => project.plan(o),
    up: (o) => project.up(o),
    down: (o) => project.down(o),
    ps: (o) => project.ps(o),
    logs: (o) => project.logs(o),
    start: (s, o) => project.start(s, o),
    stop: (s, o) => project.stop(s, o),
    restart: (s, o) => project.restart(s, o),
    kill: (s, o) => project.kill(s, o),
    port: (s, p, proto, i) => project.port(s, p, proto, i),
    exec: (s, cmd, o) => project.exec(s, cmd, o),
    rm: (s, o) => project.rm(s, o),
    build: (s, o) => project.build(s, o),
    pull: (s, o) => project.pull(s, o),
    push: (s, o) => project.push(s, o),
    run: (s, o) => project.run(s, o),
    pause: (s, o) => project.pause(s, o),
    unpause: (s, o) => project.unpause(s, o),
    wait: (s, o) => project.wait(s, o),
    images: (s) => project.images(s),
    volumes: (s) => project.volumes(s),
    attach: (s, o) => project.attach(s, o),
    commit: (s, o) => project.commit(s, o),
    export: (s, o) => project.export(s, o),
    stats: (s, o) => project.stats(s, o),
    cp: (a, b, o) => project.cp(a, b, o),
    events: (s, o) => project.events(s, o),
    top: (s) => project.top(s),
  };
  return cli;
}

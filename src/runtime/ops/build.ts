/** `build`: the images of the services that have a `build:` section. */
import { ServiceGraph } from "../../graph/graph.js";
import type { LoadedProject, ServiceConfig } from "../../spec/model.js";
import { buildService } from "../images.js";
import type { OperationBase } from "../options.js";
import { resolveTargets } from "../plan.js";
import { checkServices, engineOf, needFiles, type EngineLike, type ProjectRef, type ServiceSelection } from "./project-ref.js";
import { pushServices } from "./push.js";

export interface BuildOptions extends OperationBase {
  /** Build without the engine's layer cache (overrides `build.no_cache`). */
  noCache?: boolean;
  /** Always pull the base images (overrides `build.pull`). */
  pull?: boolean;
  quiet?: boolean;
  /** Build arguments, over the file's `build.args`. */
  buildArgs?: Record<string, string>;
  /** Also build the services the named ones depend on (`--with-dependencies`). */
  withDependencies?: boolean;
  /** Push each built image (and its build.tags) afterwards (`--push`). */
  push?: boolean;
}

/** Returns the services built (with dryRun, those that would be). */
export async function buildServices(engine: EngineLike, project: ProjectRef, opts: BuildOptions & ServiceSelection = {}): Promise<string[]> {
  const { services } = opts;
  needFiles(project, "build");
  checkServices(project, services);
  const connected = await engineOf(engine);
  const model = project.config.model;
  let names = services && services.length > 0 ? services : Object.keys(model.services).sort();
  if (services && services.length > 0 && opts.withDependencies) {
    // dependencies first, so an image another one builds FROM is there
    const wanted = new Set(resolveTargets(project.config, { services }));
    names = ServiceGraph.fromServices(model.services).order().filter((s) => wanted.has(s));
  }
  const todo = names.filter((s) => model.services[s]?.build);
  if (opts.dryRun) return todo;
  const config = withBuildOverrides(project.config, opts);
  const built: string[] = [];
  for (const s of todo) {
    await buildService(connected, config, s, opts.onEvent, opts.signal);
    built.push(s);
  }
  if (opts.push && built.length > 0) {
    const pushable = built.filter((s) => model.services[s]?.image !== undefined);
    if (pushable.length > 0) await pushServices(connected, project, { services: pushable, ...(opts.onEvent ? { onEvent: opts.onEvent } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
  }
  return built;
}

/** A copy of the project whose build sections carry the CLI's --no-cache / --pull / --build-arg. */
function withBuildOverrides(config: LoadedProject, opts: BuildOptions): LoadedProject {
  if (!opts.noCache && !opts.pull && !opts.buildArgs) return config;
  const services: Record<string, ServiceConfig> = {};
  for (const [name, svc] of Object.entries(config.model.services)) {
    if (!svc.build) {
      services[name] = svc;
      continue;
    }
    const build = { ...svc.build };
    if (opts.noCache) build.no_cache = true;
    if (opts.pull) build.pull = true;
    if (opts.buildArgs) build.args = { ...(build.args ?? {}), ...opts.buildArgs };
    services[name] = { ...svc, build };
  }
  return { ...config, model: { ...config.model, services } };
}

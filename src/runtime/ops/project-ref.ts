/**
 * What an operation knows of the project it works on: its name and loaded config, and whether
 * that config was rebuilt from container labels (then no compose file was read, and the verbs
 * that converge refuse). The checks every operation shares live here too.
 */
import { FlotillaError } from "../../errors.js";
import type { LoadedProject } from "../../spec/model.js";
import type { ContainerSummary, Engine } from "../engine.js";
import { Label } from "../labels.js";
import type { LockSettings } from "../lock/project-lock.js";

export interface ProjectRef {
  readonly name: string;
  readonly config: LoadedProject;
  /** Set when the project was rebuilt from container labels: the error that loading the files gave. */
  readonly missingFiles?: FlotillaError | undefined;
  /** How the mutating operations lock the project (see runtime/lock); default: wait up to 600 s. */
  readonly lock?: LockSettings | undefined;
}

/**
 * The engine, or a function that connects to it: an operation checks its input (service names,
 * the compose file) before it connects, so bad input fails the same way with or without an engine.
 */
export type EngineLike = Engine | (() => Promise<Engine>);

export async function engineOf(engine: EngineLike): Promise<Engine> {
  return typeof engine === "function" ? engine() : engine;
}

/** The service names an operation is limited to (none or empty: all). */
export interface ServiceSelection {
  services?: string[] | undefined;
}

/** Runtime options naming the model, unless it was rebuilt from labels (then the runtime reads the labels itself). */
export function modelOption(project: ProjectRef): { project?: LoadedProject } {
  return project.missingFiles ? {} : { project: project.config };
}

/** Throws CONFIG_NOT_FOUND when the project was rebuilt from labels: `verb` needs the compose file. */
export function needFiles(project: ProjectRef, verb: string): void {
  const e = project.missingFiles;
  if (!e) return;
  throw new FlotillaError("CONFIG_NOT_FOUND", `${verb} needs a compose file: ${e.message}`, { hint: e.hint ?? "pass -f <file>", cause: e });
}

export function checkService(project: ProjectRef, service: string): void {
  if (!(service in project.config.model.services)) {
    throw new FlotillaError("NO_SUCH_SERVICE", `no such service: ${service}`, { service, hint: `services: ${Object.keys(project.config.model.services).sort().join(", ")}` });
  }
}

export function checkServices(project: ProjectRef, services: readonly string[] | undefined): void {
  for (const s of services ?? []) checkService(project, s);
}

/** The project's service containers (not one-offs) of the named services, or all; by name. `all`: stopped ones too. */
export async function serviceContainers(engine: Engine, project: ProjectRef, services: string[] | undefined, all: boolean): Promise<ContainerSummary[]> {
  const list = await engine.listContainers({ labels: { [Label.project]: project.name }, all });
  return list
    .filter((c) => c.labels[Label.oneoff] !== "True" && (!services?.length || services.includes(c.labels[Label.service] ?? "")))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The list entry of a service's container number `index` (default 1): one engine call. */
export async function serviceContainer(engine: EngineLike, project: ProjectRef, service: string, index = 1): Promise<ContainerSummary> {
  checkService(project, service);
  const list = await (await engineOf(engine)).listContainers({ labels: { [Label.project]: project.name, [Label.service]: service, [Label.containerNumber]: String(index) }, all: true });
  const c = list.find((x) => x.labels[Label.oneoff] !== "True");
  if (!c) throw new FlotillaError("NO_SUCH_SERVICE", `service "${service}" has no container number ${index}`, { service, hint: "run `up` first" });
  return c;
}

/** The id of a service's container number `index` (default 1). */
export async function containerId(engine: EngineLike, project: ProjectRef, service: string, index = 1): Promise<string> {
  return (await serviceContainer(engine, project, service, index)).id;
}

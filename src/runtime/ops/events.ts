/** `events`: the engine's container events for the project (of the named services, or all). */
import { Label } from "../labels.js";
import { toEngineTime } from "../logs.js";
import { checkServices, engineOf, type EngineLike, type ProjectRef } from "./project-ref.js";

export interface ProjectEvent {
  time: Date;
  type: string;
  action: string;
  id: string;
  service: string;
  attributes: Record<string, string>;
}

export interface EventsOptions {
  signal?: AbortSignal;
  /** Replay past events from then: unix seconds, RFC 3339, or a duration back from now such as "10m". */
  since?: string;
  /** End the stream then (same forms as since). */
  until?: string;
}

/** Until `signal` aborts (or `until` is reached). */
export async function* projectEvents(engine: EngineLike, project: ProjectRef, services?: string[], opts: EventsOptions = {}): AsyncIterable<ProjectEvent> {
  checkServices(project, services);
  const connected = await engineOf(engine);
  const filter: { labels: Record<string, string>; since?: number | string; until?: number | string } = { labels: { [Label.project]: project.name } };
  if (opts.since !== undefined) filter.since = toEngineTime(opts.since);
  if (opts.until !== undefined) filter.until = toEngineTime(opts.until);
  for await (const e of connected.events(filter, opts.signal)) {
    if (e.type !== "container") continue;
    const service = e.attributes[Label.service] ?? "";
    if (services?.length && !services.includes(service)) continue;
    yield { time: new Date(e.time * 1000), type: e.type, action: e.action, id: e.id, service, attributes: e.attributes };
  }
}

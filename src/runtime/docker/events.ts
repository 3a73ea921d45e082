/** The engine's event stream (JSON lines), as our EngineEvent. */
import type { Readable } from "node:stream";
import type { EngineEvent, LabelFilter } from "../engine.js";
import type { DockerContext } from "./context.js";
import { filtersParam, labelFilters, matchesLabels } from "./filters.js";
import { destroyOnAbort, jsonLines } from "./streams.js";
import type { EventDoc } from "./types.js";

export type EventFilter = { labels?: LabelFilter; since?: number | string; until?: number | string };

function toEvent(m: EventDoc): EngineEvent {
  const actor = m.Actor ?? {};
  const nano = Number(m.timeNano ?? 0);
  return {
    type: String(m.Type ?? m.type ?? ""),
    action: String(m.Action ?? m.status ?? ""),
    id: String(actor.ID ?? m.id ?? ""),
    attributes: actor.Attributes ?? {},
    time: nano > 0 ? nano / 1e9 : Number(m.time ?? 0),
  };
}

export function events(ctx: DockerContext, filter: EventFilter, signal?: AbortSignal): AsyncIterable<EngineEvent> {
  return {
    async *[Symbol.asyncIterator]() {
      if (signal?.aborted) return;
      // Podman (4.3) answers nothing at all to a filtered query with `until`: ask it unfiltered and
      // filter here, on the labels every container event carries as attributes.
      const here = filter.until !== undefined && filter.labels !== undefined && (await ctx.podman()) !== undefined;
      const opts: { filters: string; since?: string; until?: string; abortSignal?: AbortSignal } = { filters: filtersParam({ label: here ? [] : labelFilters(filter.labels) }) };
      if (filter.since !== undefined) opts.since = String(filter.since);
      if (filter.until !== undefined) opts.until = String(filter.until);
      if (signal) opts.abortSignal = signal;
      let stream: Readable;
      try {
        stream = (await ctx.docker.getEvents(opts as Parameters<typeof ctx.docker.getEvents>[0])) as Readable;
      } catch (e) {
        if (signal?.aborted) return;
        throw ctx.fail(e, "cannot read engine events");
      }
      const stopListening = destroyOnAbort(stream, signal);
      try {
        for await (const m of jsonLines<EventDoc>(stream as AsyncIterable<Buffer>, signal)) {
          const e = toEvent(m);
          if (!here || matchesLabels(e.attributes, filter.labels)) yield e;
        }
      } finally {
        stopListening();
        stream.destroy();
      }
    },
  };
}

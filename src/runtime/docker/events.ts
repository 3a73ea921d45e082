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

/** `until` (unix seconds, as a number or a string, or RFC 3339) in milliseconds; undefined when unreadable. */
export function untilMs(until: number | string): number | undefined {
  if (typeof until === "number") return until * 1000;
  const v = until.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

type Query = { filters: string; since?: string; until?: string; stream?: boolean; abortSignal?: AbortSignal };

/**
 * Podman (4.3) answers nothing to a query with `until` (streamed or not, filtered or not). Asked
 * without it, the stream is cut here: a past `until` reads the history once (`stream=false`), a
 * future one streams until then. Events after `until` are dropped, and the labels are matched
 * here too (on the attributes every container event carries).
 */
function podmanUntil(query: Query, until: number, signal: AbortSignal | undefined): { signal: AbortSignal; done(): void } {
  delete query.until;
  const stop = new AbortController();
  const timer = until > Date.now() ? setTimeout(() => stop.abort(), until - Date.now()) : undefined;
  if (timer === undefined) query.stream = false;
  const onAbort = (): void => stop.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  return {
    signal: stop.signal,
    done: () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    },
  };
}

export function events(ctx: DockerContext, filter: EventFilter, signal?: AbortSignal): AsyncIterable<EngineEvent> {
  return {
    async *[Symbol.asyncIterator]() {
      if (signal?.aborted) return;
      const opts: Query = { filters: filtersParam({ label: labelFilters(filter.labels) }) };
      if (filter.since !== undefined) opts.since = String(filter.since);
      if (filter.until !== undefined) opts.until = String(filter.until);
      const until = filter.until !== undefined && (await ctx.podman()) !== undefined ? untilMs(filter.until) : undefined;
      const cut = until !== undefined ? podmanUntil(opts, until, signal) : undefined;
      const stopSignal = cut?.signal ?? signal;
      if (stopSignal) opts.abortSignal = stopSignal;
      let stream: Readable;
      try {
        stream = (await ctx.docker.getEvents(opts as Parameters<typeof ctx.docker.getEvents>[0])) as Readable;
      } catch (e) {
        cut?.done();
        if (stopSignal?.aborted) return;
        throw ctx.fail(e, "cannot read engine events");
      }
      const stopListening = destroyOnAbort(stream, stopSignal);
      try {
        for await (const m of jsonLines<EventDoc>(stream as AsyncIterable<Buffer>, stopSignal)) {
          const e = toEvent(m);
          if (until === undefined || (e.time * 1000 <= until && matchesLabels(e.attributes, filter.labels))) yield e;
        }
      } finally {
        cut?.done();
        stopListening();
        stream.destroy();
      }
    },
  };
}

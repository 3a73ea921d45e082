/**
 * The fast YAML reader: js-yaml's flat event stream (offsets into the text, no node objects)
 * turned into plain values and positions in one pass. It reads what well-formed Compose files
 * hold — mappings, sequences, scalars, anchors and aliases, `<<` merge keys, `!reset` and
 * `!override` — exactly as the full reader in yaml.ts does, and gives up (returns undefined) on
 * anything else: a syntax error, a duplicate key, an unknown alias, another tag, a directive, a
 * collection or alias as a key, a top-level value that is not a mapping, the alias guard. The
 * full reader then reads the file again and reports the problem at its position.
 *
 * Why two readers: the `yaml` package builds a document of node objects before its values, which
 * costs about ten times the time and memory of the values themselves (issue 10: a 50 MB file).
 */
import type * as JsYaml from "js-yaml";
import type { Event, ScalarEvent } from "js-yaml";
import { createRequire } from "node:module";
import { formatLocation, type SourceLocation } from "../errors.js";
import { Locations, type PathSegment } from "./locations.js";
import { OverrideTag, ResetTag, type RawMap } from "./tags.js";
import { AliasBomb, coreScalar, defineKey, LEGACY_OCTAL, legacyOctal, NodeCounter, OVERRIDE_TAG, RESET_TAG } from "./yaml-values.js";

/**
 * js-yaml's CommonJS build, not its ES module: the ES build makes the parser's state with an object
 * spread whose map V8 keeps replacing, so its hot functions are deoptimized ("wrong map") again and
 * again and a 10 kB file costs ~2.3 times the instructions (issue 13: a no-op `up` of 60 services).
 * The CommonJS build (same version, same code, transpiled) makes the state with defineProperty.
 * The CLI bundle (scripts/bundle.mjs defines FLOTILLA_BUNDLE) follows the literal require and
 * inlines that build; the compiled sources load it from node_modules.
 */
declare const FLOTILLA_BUNDLE: boolean | undefined;
const { EVENT_ID, getScalarValue, parseEvents, SCALAR_STYLE, YAMLException } = (
  typeof FLOTILLA_BUNDLE !== "undefined" && FLOTILLA_BUNDLE === true
    ? // eslint-disable-next-line @typescript-eslint/no-require-imports -- the CLI bundle inlines js-yaml's CommonJS build
      require("js-yaml")
    : createRequire(import.meta.url)("js-yaml")
) as typeof JsYaml;

/** The result both readers give (see ParsedComposeYaml in yaml.ts). */
export interface EventReadResult {
  value: RawMap | null;
  documents: RawMap[];
  locations: Locations;
  warnings: string[];
  tagged: boolean;
}

/** The end of a block scalar's header line: the indicator, its modifiers, a comment. */
const BLOCK_HEADER = /[|>][-+0-9]*[ \t]*(?:#.*)?\r?$/;

/**
 * A problem this reader found and can place itself: a syntax error or a duplicate key. The full
 * reader reports it better (every problem of the file, not only the first), so it is used only
 * where the full reader would cost too much (see parseComposeYaml in yaml.ts).
 */
export interface QuickProblem {
  message: string;
  location: SourceLocation;
  hint: string;
}

/** The file holds something this reader leaves to the full one (with the problem, when it is one). */
class Unsupported extends Error {
  constructor(readonly problem?: QuickProblem) {
    super();
  }
}

/** Line starts of a text, for turning offsets into line:col. */
class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) this.starts.push(i + 1);
  }

  position(file: string, offset: number): SourceLocation {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { file, line: lo + 1, col: offset - starts[lo]! + 1 };
  }
}

class EventReader {
  private i = 0;
  private readonly anchors = new Map<string, number>();
  private readonly expanding = new Set<number>();
  private aliasDepth = 0;
  private readonly counter = new NodeCounter();
  private lines: LineIndex | undefined;
  /** Set when a `!reset` or `!override` tag was read. */
  tagged = false;

  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly events: readonly Event[],
    readonly locations: Locations,
    readonly warnings: string[],
  ) {}

  /** Every document of the stream; Unsupported when one is not a mapping (nor empty). */
  documents(): RawMap[] {
    const out: RawMap[] = [];
    const events = this.events;
    while (this.i < events.length) {
      const doc = events[this.i++]!;
      if (doc.type !== EVENT_ID.DOCUMENT || doc.directives.length > 0) throw new Unsupported();
      this.anchors.clear();
      const first = events[this.i];
      if (first === undefined) throw new Unsupported();
      if (first.type === EVENT_ID.SCALAR && first.tagStart < 0 && first.anchorStart < 0 && first.style === SCALAR_STYLE.PLAIN && this.scalarText(first) === "") {
        this.i++;
      } else {
        if (first.type !== EVENT_ID.MAPPING || first.tagStart >= 0) throw new Unsupported();
        out.push(this.node([]) as RawMap);
      }
      if (events[this.i++]?.type !== EVENT_ID.POP) throw new Unsupported();
    }
    return out;
  }

  private where(offset: number): SourceLocation {
    this.lines ??= new LineIndex(this.text);
    return this.lines.position(this.file, offset);
  }

  private scalarText(ev: ScalarEvent): string {
    if (ev.valueStart < 0) return "";
    return ev.fast ? this.text.slice(ev.valueStart, ev.valueEnd) : getScalarValue(this.text, ev);
  }

  /** Where a node starts, as the full reader places it (a quoted scalar at its opening quote, an alias at its `*`). */
  private offsetOf(ev: Event): number {
    switch (ev.type) {
      case EVENT_ID.SCALAR:
        if (ev.valueStart < 0) return -1;
        if (ev.style === SCALAR_STYLE.SINGLE_QUOTED || ev.style === SCALAR_STYLE.DOUBLE_QUOTED) return ev.valueStart - 1;
        if (ev.style === SCALAR_STYLE.LITERAL_BLOCK || ev.style === SCALAR_STYLE.FOLDED_BLOCK) return this.blockIndicator(ev.valueStart);
        return ev.valueStart;
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE:
        return ev.start;
      case EVENT_ID.ALIAS:
        return ev.anchorStart - 1;
      default:
        return -1;
    }
  }

  /** A block scalar's `|` or `>` (its content starts on the line after it). */
  private blockIndicator(contentStart: number): number {
    const end = this.text.lastIndexOf("\n", contentStart - 1);
    if (end < 0) return contentStart;
    const start = this.text.lastIndexOf("\n", end - 1) + 1;
    const m = BLOCK_HEADER.exec(this.text.slice(start, end));
    return m === null ? contentStart : start + m.index;
  }

  private tagOf(ev: Event): string | undefined {
    if (ev.type !== EVENT_ID.SCALAR && ev.type !== EVENT_ID.MAPPING && ev.type !== EVENT_ID.SEQUENCE) return undefined;
    if (ev.tagStart < 0) return undefined;
    const tag = this.text.slice(ev.tagStart, ev.tagEnd);
    if (tag !== RESET_TAG && tag !== OVERRIDE_TAG) throw new Unsupported();
    return tag;
  }

  /** Reads the node at the cursor (and everything in it), leaving the cursor after it. */
  private node(path: PathSegment[]): unknown {
    const ev = this.events[this.i]!;
    if (ev.type === EVENT_ID.ALIAS) {
      this.i++;
      return this.alias(this.text.slice(ev.anchorStart, ev.anchorEnd), path);
    }
    if (ev.type !== EVENT_ID.SCALAR && ev.type !== EVENT_ID.MAPPING && ev.type !== EVENT_ID.SEQUENCE) throw new Unsupported();
    this.counter.count(this.aliasDepth > 0);
    if (ev.anchorStart >= 0 && this.aliasDepth === 0) this.anchors.set(this.text.slice(ev.anchorStart, ev.anchorEnd), this.i);
    const tag = this.tagOf(ev);
    let value: unknown;
    if (ev.type === EVENT_ID.SCALAR) {
      this.i++;
      value = this.scalar(ev, tag, path);
    } else if (ev.type === EVENT_ID.MAPPING) {
      this.i++;
      value = this.mapping(path);
    } else {
      this.i++;
      value = this.sequence(path);
    }
    if (tag !== undefined) this.tagged = true;
    if (tag === RESET_TAG) return new ResetTag(value === "" ? null : value);
    if (tag === OVERRIDE_TAG) return new OverrideTag(value);
    return value;
  }

  private scalar(ev: ScalarEvent, tag: string | undefined, path: PathSegment[]): unknown {
    const text = this.scalarText(ev);
    // a tagged scalar is not resolved (the full reader reads an unknown tag's scalar as a string)
    if (tag !== undefined || ev.style !== SCALAR_STYLE.PLAIN) return text;
    const value = coreScalar(text);
    if (typeof value === "number" && LEGACY_OCTAL.test(text)) {
      const octal = legacyOctal(text, path, () => (ev.valueStart >= 0 ? `${formatLocation(this.where(ev.valueStart))}: ` : `${this.file}: `));
      if (octal.warning !== undefined && this.aliasDepth === 0) this.warnings.push(octal.warning);
      return octal.value;
    }
    return value;
  }

  private sequence(path: PathSegment[]): unknown[] {
    const out: unknown[] = [];
    const events = this.events;
    for (let n = 0; events[this.i]!.type !== EVENT_ID.POP; n++) {
      const itemPath = [...path, n];
      const off = this.offsetOf(events[this.i]!);
      if (off >= 0) this.locations.set(itemPath, this.where(off));
      out.push(this.node(itemPath));
    }
    this.i++;
    return out;
  }

  private mapping(path: PathSegment[]): RawMap {
    const out: RawMap = {};
    const events = this.events;
    const seen = this.aliasDepth === 0 ? new Set<string>() : undefined;
    while (events[this.i]!.type !== EVENT_ID.POP) {
      const keyEv = events[this.i++]!;
      if (keyEv.type !== EVENT_ID.SCALAR || keyEv.tagStart >= 0 || keyEv.anchorStart >= 0) throw new Unsupported();
      const text = this.scalarText(keyEv);
      if (keyEv.style === SCALAR_STYLE.PLAIN && text === "<<") {
        this.merge(out, path);
        continue;
      }
      const resolved = keyEv.style === SCALAR_STYLE.PLAIN ? coreScalar(text) : text;
      if (typeof resolved === "number" && LEGACY_OCTAL.test(text)) throw new Unsupported();
      const key = resolved === null ? "" : String(resolved);
      if (seen !== undefined) {
        if (seen.has(key)) {
          const at = this.offsetOf(keyEv);
          throw new Unsupported(
            at < 0 ? undefined : { message: `YAML error: duplicate key ${JSON.stringify(key)}: mapping keys must be unique`, location: this.where(at), hint: "remove or rename one of the two entries" },
          );
        }
        seen.add(key);
      }
      const keyPath = [...path, key];
      let off = this.offsetOf(keyEv);
      if (off < 0) off = this.offsetOf(events[this.i]!);
      if (off >= 0) this.locations.set(keyPath, this.where(off));
      defineKey(out, key, this.node(keyPath));
    }
    this.i++;
    return out;
  }

  /** `<<: *a`, `<<: {…}` or `<<: [*a, *b]`: shallow YAML 1.1 merge; existing keys and earlier sources win. */
  private merge(out: RawMap, path: PathSegment[]): void {
    const events = this.events;
    const value = events[this.i]!;
    const fromAlias: boolean[] = [];
    const resolved: unknown[] = [];
    if (value.type === EVENT_ID.SEQUENCE) {
      if (value.anchorStart >= 0 || value.tagStart >= 0) throw new Unsupported();
      this.i++;
      while (events[this.i]!.type !== EVENT_ID.POP) {
        fromAlias.push(events[this.i]!.type === EVENT_ID.ALIAS);
        resolved.push(this.node(path));
      }
      this.i++;
    } else {
      fromAlias.push(value.type === EVENT_ID.ALIAS);
      resolved.push(this.node(path));
    }
    resolved.forEach((r, n) => {
      if (r === null) return;
      const parts: unknown[] = fromAlias[n] === true && Array.isArray(r) ? r : [r];
      for (const part of parts) {
        if (typeof part !== "object" || part === null || Array.isArray(part) || part instanceof ResetTag || part instanceof OverrideTag) throw new Unsupported();
        const map = part as RawMap;
        for (const k of Object.keys(map)) {
          if (!Object.prototype.hasOwnProperty.call(out, k)) defineKey(out, k, map[k]);
        }
      }
    });
  }

  private alias(name: string, path: PathSegment[]): unknown {
    const target = this.anchors.get(name);
    if (target === undefined || this.expanding.has(target)) throw new Unsupported();
    const resume = this.i;
    this.expanding.add(target);
    this.aliasDepth++;
    this.i = target;
    try {
      return this.node(path);
    } finally {
      this.i = resume;
      this.aliasDepth--;
      this.expanding.delete(target);
    }
  }
}

/** Counts of the files each reader took, for tests that check the fast reader keeps its share. */
export const readerCounts = { events: 0, full: 0 };

/** What the event reader makes of a file: its values, or what it left to the full reader (and why, when it knows). */
export type EventRead = { ok: true; result: EventReadResult } | { ok: false; problem: QuickProblem | undefined };

/** The hint of a YAML syntax error, whichever reader found it. */
export const SYNTAX_HINT = "check the YAML syntax (indentation, quotes, colons) around this position";

/**
 * Reads a Compose file through the event stream; when the full reader must read it instead (see
 * the module comment), says so, with the problem if it is one this reader can place. Never
 * reports issues itself.
 */
export function readEvents(text: string, file: string): EventRead {
  let events: Event[];
  try {
    events = parseEvents(text, { filename: file });
  } catch (e) {
    // Too deep a nesting is left to the full reader, which says how deep and where the deepest point is.
    const mark = e instanceof YAMLException && !/maxDepth/.test(e.reason) ? e.mark : undefined;
    if (mark === undefined) return { ok: false, problem: undefined };
    return { ok: false, problem: { message: `YAML error: ${(e as JsYaml.YAMLException).reason}`, location: { file, line: mark.line + 1, col: mark.column + 1 }, hint: SYNTAX_HINT } };
  }
  const reader = new EventReader(text, file, events, new Locations(), []);
  let documents: RawMap[];
  try {
    documents = reader.documents();
  } catch (e) {
    if (e instanceof Unsupported) return { ok: false, problem: e.problem };
    if (e instanceof AliasBomb || e instanceof RangeError) return { ok: false, problem: undefined };
    throw e;
  }
  readerCounts.events++;
  return { ok: true, result: { value: documents[0] ?? null, documents, locations: reader.locations, warnings: reader.warnings, tagged: reader.tagged } };
}

/** readEvents' values, or undefined when the full reader must read the file. */
export function readComposeYamlEvents(text: string, file: string): EventReadResult | undefined {
  const read = readEvents(text, file);
  return read.ok ? read.result : undefined;
}

/**
 * Compose YAML → plain JS values, with the source position of every mapping key and
 * sequence item. Pure: takes the text and the file name, reports problems into an
 * IssueCollector (never throws for bad input), reads nothing from the process.
 *
 * Two readers give the same result: the event reader (yaml-events.ts) takes well-formed files
 * fast; the full reader here takes the rest and reports what is wrong with them.
 *
 * The `yaml` package parses and composes the AST (YAML 1.2 core schema, `<<` merge keys on,
 * duplicate keys flagged); this module walks that AST once, converting values, expanding
 * aliases with a resource-exhaustion guard, honouring `!reset` / `!override` and recording
 * locations.
 */
import {
  parseAllDocuments,
  LineCounter,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type Document,
  type Node as YamlNode,
  type Pair,
} from "yaml";
import { formatLocation, type IssueCollector, type SourceLocation } from "../errors.js";
import { Locations, formatPath, type PathSegment } from "./locations.js";
import { OverrideTag, ResetTag, type RawMap } from "./tags.js";
import { readerCounts, readEvents, SYNTAX_HINT } from "./yaml-events.js";
import { AliasBomb, defineKey, LEGACY_OCTAL, legacyOctal, NodeCounter, OVERRIDE_TAG, RESET_TAG } from "./yaml-values.js";

export interface ParsedComposeYaml {
  /** The first mapping document of the file, or null when the file holds no document. */
  value: RawMap | null;
  /** Every mapping document of the file, in order (Compose merges them in this order). */
  documents: RawMap[];
  /** Positions of every mapping key and sequence item (later documents overwrite earlier ones). */
  locations: Locations;
  /** Non-fatal remarks with their position (e.g. a leading-zero number read as octal). */
  warnings: string[];
  /** Whether a `!reset` or `!override` tag occurs in the file. */
  tagged: boolean;
}



interface WalkState {
  file: string;
  lc: LineCounter;
  issues: IssueCollector;
  locations: Locations;
  anchors: Map<string, YamlNode>;
  /** >0 while expanding an alias: anchors seen there are not (re)registered. */
  aliasDepth: number;
  /** Anchored nodes currently being expanded (recursive aliases). */
  expanding: Set<YamlNode>;
  counter: NodeCounter;
  /** Where the most recent alias expansion started (reported when the guard trips). */
  lastAlias: number | undefined;
  /** Warnings for the loader to print (a leading-zero number read as octal outside a `mode`). */
  warnings: string[];
  /** Set when a `!reset` or `!override` tag was read. */
  tagged: boolean;
}

function loc(state: WalkState, offset: number): SourceLocation {
  const { line, col } = state.lc.linePos(offset);
  return { file: state.file, line, col };
}

function nodeOffset(node: YamlNode | null | undefined): number | undefined {
  return node?.range ? node.range[0] : undefined;
}

function yamlIssue(state: WalkState, offset: number | undefined, message: string, path?: readonly PathSegment[], hint?: string): void {
  state.issues.add({
    code: "CONFIG_YAML",
    message,
    ...(path && path.length > 0 ? { path: formatPath(path) } : {}),
    location: offset !== undefined ? loc(state, offset) : { file: state.file, line: 1, col: 1 },
    ...(hint !== undefined ? { hint } : {}),
  });
}

function count(state: WalkState): void {
  state.counter.count(state.aliasDepth > 0);
}

function keyString(state: WalkState, key: unknown, path: readonly PathSegment[]): string {
  if (key === null || key === undefined) return "";
  if (isScalar(key)) {
    const v = key.value;
    return v === null || v === undefined ? "" : String(v);
  }
  if (isAlias(key)) {
    const target = state.anchors.get(key.source);
    if (target && isScalar(target)) return String(target.value ?? "");
  }
  yamlIssue(state, nodeOffset(key as YamlNode), "mapping keys must be plain strings, not collections", path);
  return String(key);
}

/** A plain `<<` key (the parser runs with `merge: false`: merge keys are resolved here, in one pass). */
function isMergeKey(key: unknown): boolean {
  return isScalar(key) && key.value === "<<" && key.type === "PLAIN" && !key.tag;
}

function convert(state: WalkState, node: unknown, path: PathSegment[]): unknown {
  if (node === null || node === undefined) return null;
  if (isAlias(node)) return expandAlias(state, node.source, nodeOffset(node), path);
  const n = node as YamlNode;
  count(state);
  if (n.anchor && state.aliasDepth === 0) state.anchors.set(n.anchor, n);
  let value: unknown;
  if (isMap(n)) {
    value = convertMap(state, n.items, path);
  } else if (isSeq(n)) {
    const out: unknown[] = [];
    n.items.forEach((item, i) => {
      const itemPath = [...path, i];
      const off = isPair(item) ? nodeOffset(item.key as YamlNode) : nodeOffset(item as YamlNode);
      if (off !== undefined) state.locations.set(itemPath, loc(state, off));
      if (isPair(item)) {
        // A `key: value` pair directly inside a flow sequence: a one-entry mapping.
        out.push(convertMap(state, [item], itemPath));
      } else {
        out.push(convert(state, item, itemPath));
      }
    });
    value = out;
  } else if (isScalar(n)) {
    const v = n.value;
    value = typeof v === "symbol" ? v.description ?? "" : v === undefined ? null : v;
    if (typeof v === "number" && n.type === "PLAIN" && n.source !== undefined && LEGACY_OCTAL.test(n.source)) {
      const offset = nodeOffset(n);
      const octal = legacyOctal(n.source, path, () => (offset !== undefined ? `${formatLocation(loc(state, offset))}: ` : `${state.file}: `));
      value = octal.value;
      if (octal.warning !== undefined && state.aliasDepth === 0) state.warnings.push(octal.warning);
    }
  } else {
    value = null;
  }
  const tag = n.tag;
  if (tag === RESET_TAG || tag === OVERRIDE_TAG) state.tagged = true;
  if (tag === RESET_TAG) return new ResetTag(value === "" ? null : value);
  if (tag === OVERRIDE_TAG) return new OverrideTag(value);
  return value;
}

function expandAlias(state: WalkState, name: string, offset: number | undefined, path: PathSegment[]): unknown {
  const target = state.anchors.get(name);
  if (!target) {
    yamlIssue(state, offset, `unknown alias *${name}: the anchor &${name} must be defined before it is used`, path);
    return null;
  }
  if (state.expanding.has(target)) {
    yamlIssue(state, offset, `alias *${name} refers to itself`, path);
    return null;
  }
  if (state.aliasDepth === 0) state.lastAlias = offset;
  state.expanding.add(target);
  state.aliasDepth++;
  try {
    return convert(state, target, path);
  } finally {
    state.aliasDepth--;
    state.expanding.delete(target);
  }
}

function convertMap(state: WalkState, items: readonly Pair[], path: PathSegment[]): RawMap {
  const out: RawMap = {};
  // duplicate keys are found here in one pass (the parser's own check is quadratic in a mapping's size)
  const seen = state.aliasDepth === 0 && items.length > 1 ? new Set<string>() : undefined;
  for (const pair of items) {
    if (isMergeKey(pair.key)) {
      mergeInto(state, out, pair.value, path, nodeOffset(pair.key as YamlNode));
      continue;
    }
    const key = keyString(state, pair.key, path);
    if (seen !== undefined) {
      if (seen.has(key)) {
        yamlIssue(state, nodeOffset(pair.key as YamlNode), `YAML error: duplicate key ${JSON.stringify(key)}: mapping keys must be unique`, undefined, "remove or rename one of the two entries");
      } else seen.add(key);
    }
    const keyPath = [...path, key];
    const off = nodeOffset(pair.key as YamlNode) ?? nodeOffset(pair.value as YamlNode);
    if (off !== undefined) state.locations.set(keyPath, loc(state, off));
    defineKey(out, key, convert(state, pair.value, keyPath));
  }
  return out;
}

/** `<<: *a` or `<<: [*a, *b]`: shallow YAML 1.1 merge; existing keys and earlier sources win. */
function mergeInto(state: WalkState, out: RawMap, value: unknown, path: PathSegment[], offset: number | undefined): void {
  const sources: unknown[] = isSeq(value) ? value.items : [value];
  for (const src of sources) {
    const resolved = isAlias(src) ? expandAlias(state, src.source, nodeOffset(src), path) : convert(state, src, path);
    if (resolved === null) continue;
    // an alias to a sequence of mappings merges each of them, as Compose (compose-go) accepts
    const parts = isAlias(src) && Array.isArray(resolved) ? resolved : [resolved];
    for (const part of parts) {
      if (typeof part !== "object" || part === null || Array.isArray(part) || part instanceof ResetTag || part instanceof OverrideTag) {
        yamlIssue(state, nodeOffset(src as YamlNode) ?? offset, "merge key << expects a mapping or a list of mappings", path, "use `<<: *anchor` where the anchor is a mapping");
        continue;
      }
      for (const [k, v] of Object.entries(part as RawMap)) {
        if (!Object.prototype.hasOwnProperty.call(out, k)) defineKey(out, k, v);
      }
    }
  }
}


const MESSAGES: Record<string, string> = {
  DUPLICATE_KEY: "duplicate key",
  BAD_INDENT: "bad indentation",
  MISSING_CHAR: "missing character",
  BLOCK_AS_IMPLICIT_KEY: "a block value cannot be used as an implicit key",
  MULTILINE_IMPLICIT_KEY: "implicit keys must be on a single line",
};

function reportParserProblems(state: WalkState, text: string, doc: Document.Parsed): void {
  for (const err of doc.errors) {
    const [start, end] = err.pos;
    let message = err.message;
    let hint: string | undefined;
    if (err.code === "DUPLICATE_KEY") {
      const m = /^("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^:#\n]*?)\s*:(?:\s|$)/.exec(text.slice(start));
      const key = (m ? m[1]! : text.slice(start, end)).trim();
      message = `duplicate key ${JSON.stringify(key)}: mapping keys must be unique`;
      hint = "remove or rename one of the two entries";
    } else {
      const prefix = MESSAGES[err.code];
      message = prefix && !err.message.toLowerCase().startsWith(prefix) ? `${prefix}: ${err.message}` : err.message;
      hint = SYNTAX_HINT;
    }
    yamlIssue(state, start, `YAML error: ${message}`, undefined, hint);
  }
  for (const warn of doc.warnings) {
    if (warn.code === "TAG_RESOLVE_FAILED") {
      const m = /Unresolved tag: (.*)$/.exec(warn.message);
      const tag = m?.[1];
      if (tag === RESET_TAG || tag === OVERRIDE_TAG) continue;
      if (tag !== undefined) {
        yamlIssue(state, warn.pos[0], `unknown YAML tag ${tag}`, undefined, "Compose supports only the !reset and !override tags");
        continue;
      }
    }
    yamlIssue(state, warn.pos[0], `YAML warning: ${warn.message}`);
  }
}

/** Where a document nests deepest: the position (0-based offset) and the number of levels there. */
export interface DeepestPoint {
  offset: number;
  depth: number;
}

const STACK_OVERFLOW = /Maximum call stack size exceeded/;

/**
 * One linear pass over YAML text finding its deepest nesting (block indentation levels, `- `
 * entries and flow brackets; quoted scalars, comments and block scalars are skipped). It is
 * an estimate for locating the problem when the parser runs out of stack, not a YAML parser.
 */
export function deepestPoint(text: string): DeepestPoint {
  let best: DeepestPoint = { offset: 0, depth: 0 };
  const indents: number[] = [];
  let flow = 0;
  let quote: string | undefined;
  let blockScalarIndent = -1; // > -1: inside a block scalar whose parent is indented this much
  let i = 0;
  const n = text.length;
  const note = (offset: number, depth: number): void => {
    if (depth > best.depth) best = { offset, depth };
  };
  while (i < n) {
    // start of a line
    let eol = text.indexOf("\n", i);
    if (eol < 0) eol = n;
    let j = i;
    while (j < eol && text[j] === " ") j++;
    const indent = j - i;
    const blank = j >= eol || text[j] === "#" || text[j] === "\r";
    if (blockScalarIndent >= 0) {
      if (blank || indent > blockScalarIndent) {
        i = eol + 1;
        continue;
      }
      blockScalarIndent = -1;
    }
    if (quote === undefined && flow === 0 && !blank) {
      while (indents.length > 0 && indents[indents.length - 1]! >= indent) indents.pop();
      indents.push(indent);
      // `- - - x`: each dash opens one more level
      while (j + 1 < eol && text[j] === "-" && (text[j + 1] === " " || text[j + 1] === "\t")) {
        j += 2;
        while (j < eol && text[j] === " ") j++;
        indents.push(j - i);
      }
      note(j, indents.length);
    }
    let last = "";
    for (; j < eol; j++) {
      const c = text[j]!;
      if (quote !== undefined) {
        if (quote === "'" && c === "'") {
          if (text[j + 1] === "'") j++;
          else quote = undefined;
        } else if (quote === '"' && c === "\\") j++;
        else if (quote === '"' && c === '"') quote = undefined;
        continue;
      }
      if (c === "#" && (j === i || text[j - 1] === " " || text[j - 1] === "\t")) break;
      if ((c === "'" || c === '"') && (j === i || /[\s[{,:-]/.test(text[j - 1]!))) quote = c;
      else if (c === "[" || c === "{") {
        flow++;
        note(j, indents.length + flow);
      } else if ((c === "]" || c === "}") && flow > 0) flow--;
      if (c !== " " && c !== "\t" && c !== "\r") last = c;
    }
    if (quote === undefined && flow === 0 && /[|>][-+0-9]*$/.test(text.slice(i, eol).replace(/\s+#.*$/, "").trimEnd()) && (last === "|" || last === ">" || /[-+0-9]/.test(last))) {
      blockScalarIndent = indent;
    }
    i = eol + 1;
  }
  return best;
}

/** The issue for a document nested beyond what the parser can hold. */
function nestingIssue(text: string, file: string, lc: LineCounter, issues: IssueCollector): void {
  const deepest = deepestPoint(text);
  const { line, col } = lc.linePos(deepest.offset);
  issues.add({
    code: "CONFIG_YAML",
    message: `YAML error: the document is nested too deeply (about ${deepest.depth} levels here)`,
    location: { file, line, col },
    hint: "a Compose file needs a few levels of nesting; this looks generated or corrupt — flatten it",
  });
}

/**
 * From this size on, a syntax error or a duplicate key the event reader can place is reported as
 * it found it, without the full reader (about 0.6 s and 50 MB of memory per MB of file here).
 */
export const LARGE_FILE = 1 << 20;

/**
 * Parse one Compose file. Problems become CONFIG_YAML issues with file:line:col; the
 * returned value is still as complete as the parser could make it. A well-formed file is read
 * by the event reader (yaml-events.ts); anything it leaves, by the full reader below, which
 * finds and reports the problems — except in a large file, where the first problem, placed by
 * the event reader, is reported alone.
 */
export function parseComposeYaml(
  text: string,
  file: string,
  issues: IssueCollector,
): ParsedComposeYaml {
  const fast = readEvents(text, file);
  if (fast.ok) return fast.result;
  if (fast.problem !== undefined && text.length >= LARGE_FILE) {
    issues.add({ code: "CONFIG_YAML", ...fast.problem });
    return { value: null, documents: [], locations: new Locations(), warnings: [], tagged: false };
  }
  return readComposeYamlFull(text, file, issues);
}

/** The full reader (the `yaml` package's document), for files the event reader leaves to it. */
export function readComposeYamlFull(text: string, file: string, issues: IssueCollector): ParsedComposeYaml {
  readerCounts.full++;
  const lc = new LineCounter();
  const locations = new Locations();
  const warnings: string[] = [];
  let docs: Document.Parsed[] | Document.Parsed;
  try {
    docs = parseAllDocuments(text, {
      lineCounter: lc,
      merge: false,
      uniqueKeys: false,
      prettyErrors: false,
      keepSourceTokens: false,
    });
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    nestingIssue(text, file, lc, issues);
    return { value: null, documents: [], locations, warnings, tagged: false };
  }
  const documents: RawMap[] = [];
  let tagged = false;
  const list = Array.isArray(docs) ? docs : [docs];
  if (list.some((d) => d.errors.some((err) => STACK_OVERFLOW.test(err.message)))) {
    nestingIssue(text, file, lc, issues);
    return { value: null, documents: [], locations, warnings, tagged: false };
  }
  for (const doc of list) {
    const state: WalkState = {
      file,
      lc,
      issues,
      locations,
      anchors: new Map(),
      aliasDepth: 0,
      expanding: new Set(),
      counter: new NodeCounter(),
      lastAlias: undefined,
      warnings,
      tagged: false,
    };
    reportParserProblems(state, text, doc);
    const contents = doc.contents;
    if (contents === null) continue;
    if (isScalar(contents) && (contents.value === null || contents.value === undefined) && !contents.tag) continue;
    let value: unknown;
    try {
      value = convert(state, contents, []);
    } catch (e) {
      if (e instanceof RangeError) {
        nestingIssue(text, file, lc, issues);
        continue;
      }
      if (e instanceof AliasBomb) {
        yamlIssue(
          state,
          state.lastAlias ?? nodeOffset(contents),
          "YAML error: excessive aliasing (anchors expanding to a huge document); refusing to expand it",
          undefined,
          "this looks like a \"billion laughs\" document; reduce nested aliases",
        );
        continue;
      }
      throw e;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value) || value instanceof ResetTag || value instanceof OverrideTag) {
      const kind = Array.isArray(value) ? "a sequence" : value instanceof ResetTag || value instanceof OverrideTag ? "a tagged value" : `a ${typeof value}`;
      yamlIssue(state, nodeOffset(contents), `top-level element must be a mapping, found ${kind}`, undefined, "a Compose file starts with keys such as `services:`");
      continue;
    }
    tagged ||= state.tagged;
    documents.push(value as RawMap);
  }
  return { value: documents[0] ?? null, documents, locations, warnings, tagged };
}

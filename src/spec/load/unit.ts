/**
 * One compose source (a file, stdin or an inline document) read, parsed and interpolated into a
 * unit: its document, where each key came from, and whether it holds !reset / !override tags.
 */
import { badTextIssue, BadTextError } from "../discover.js";
import type { ExtendsUnit } from "../extends.js";
import { cloneRaw } from "../include.js";
import { envLookup, interpolateTree } from "../interpolate.js";
import { Locations } from "../locations.js";
import { mergeDocuments } from "../merge.js";
import { OverrideTag, ResetTag, isRawMap, type RawMap } from "../tags.js";
import { parseComposeYaml } from "../yaml.js";
import type { LoadState } from "./state.js";

/** A compose source: a file on disk, stdin, or an inline document. */
export interface Source {
  /** Name used in messages and locations. */
  file: string;
  /** Directory relative `extends.file` values resolve against. */
  dir: string;
  text?: string;
  object?: Record<string, unknown>;
}

/** Removes `!reset` / `!override` markers: a reset value is absent, an override is its value. */
export function stripTags(v: unknown): unknown {
  if (v instanceof OverrideTag) return stripTags(v.value);
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const x of v) if (!(x instanceof ResetTag)) out.push(stripTags(x));
    return out;
  }
  if (isRawMap(v)) {
    const out: RawMap = {};
    for (const k of Object.keys(v)) {
      const x = v[k];
      if (x instanceof ResetTag) continue;
      out[k] = stripTags(x);
    }
    return out;
  }
  return v;
}

export function hasTags(v: unknown): boolean {
  if (v instanceof OverrideTag || v instanceof ResetTag) return true;
  if (Array.isArray(v)) return v.some(hasTags);
  if (isRawMap(v)) {
    for (const k in v) if (hasTags(v[k])) return true;
  }
  return false;
}

/** Parses one source into a document (several YAML documents are merged in order). */
function parseSource(src: Source, state: LoadState): { doc: RawMap | null; locations: Locations; tagged: boolean } {
  if (src.object !== undefined) {
    const doc = cloneRaw(src.object as RawMap);
    return { doc, locations: new Locations(), tagged: hasTags(doc) };
  }
  let text = src.text;
  if (text === undefined) {
    try {
      text = state.fs.readFile(src.file);
    } catch (e) {
      if (e instanceof BadTextError) {
        state.issues.add(badTextIssue(e));
        return { doc: null, locations: new Locations(), tagged: false };
      }
      state.issues.add({
        code: "CONFIG_READ",
        message: `cannot read ${src.file}: ${(e as Error).message}`,
        hint: "check that the file exists and is readable",
      });
      return { doc: null, locations: new Locations(), tagged: false };
    }
  }
  const parsed = parseComposeYaml(text, src.file, state.issues);
  state.warnings.push(...parsed.warnings);
  const docs = parsed.documents;
  if (docs.length > 1) {
    let acc = docs[0]!;
    for (const d of docs.slice(1)) acc = mergeDocuments(acc, d);
    return { doc: acc, locations: parsed.locations, tagged: parsed.tagged };
  }
  return { doc: parsed.value, locations: parsed.locations, tagged: parsed.tagged };
}

/** Parse → interpolate → validate one source. `tagged` says whether it holds !reset / !override. */
export function loadUnit(src: Source, env: Record<string, string>, state: LoadState): (ExtendsUnit & { tagged: boolean }) | undefined {
  const parsed = parseSource(src, state);
  // An empty file adds nothing (Compose merges it as nothing); only a project with no content at all is an error.
  if (parsed.doc === null) return undefined;
  const locations = parsed.locations;
  let doc = parsed.doc;
  if (state.interpolate) {
    doc = interpolateTree(doc, envLookup(env), {
      locations,
      path: [],
      issues: state.issues,
      warnings: state.interpolationWarnings,
    }) as RawMap;
  }
  omitEmptyDns(doc);
  // interpolation makes no tags: those the parser read are all there are
  const tagged = parsed.tagged;
  // validated once merged (Compose validates the merged model: an override may be valid only over its base)
  if ("version" in doc) {
    state.warnings.push(`${src.file}: the attribute \`version\` is obsolete, it will be ignored, please remove it to avoid potential confusion`);
    const { version: _v, ...rest } = doc;
    doc = rest;
  }
  return { file: src.file, dir: src.dir, doc, locations, tagged };
}

/**
 * compose-go drops empty `dns` entries (its OmitEmpty step, after reading `dns: x` as `[x]`):
 * `dns: ${UNSET}` is no DNS server at all, not one empty one.
 */
function omitEmptyDns(doc: RawMap): void {
  const services = doc["services"];
  if (!isRawMap(services)) return;
  for (const name of Object.keys(services)) {
    const svc = services[name];
    if (!isRawMap(svc)) continue;
    const dns = svc["dns"];
    if (dns === "") svc["dns"] = [];
    else if (Array.isArray(dns) && dns.some((d) => d === "" || d === null)) svc["dns"] = dns.filter((d) => d !== "" && d !== null);
  }
}


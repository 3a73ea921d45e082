/**
 * Finding the schema node an error belongs to (for its `x-message`, its properties, its union).
 *
 * ajv's schemaPath is relative to the innermost `$ref` target (e.g. `#/properties/restart/pattern`
 * inside definitions/service), so the node is found by walking the schema along the instance
 * path and matching that relative pointer.
 */
import type { PathSegment } from "../locations.js";
import { schemaRoot, type RawError, type SchemaNode } from "./schema.js";

export interface Candidate {
  node: SchemaNode;
  /** JSON pointer of `node` relative to the innermost $ref target, as ajv writes it ("#/properties/x"). */
  rel: string;
}

export function nodeFor(l: { err: RawError; path: readonly PathSegment[] }): SchemaNode | undefined {
  const candidates = schemaAt(l.path);
  const parentRel = l.err.schemaPath.slice(0, l.err.schemaPath.lastIndexOf("/"));
  const exact = candidates.find((c) => c.rel === parentRel && keywordOf(c.node, l.err.keyword));
  if (exact) return exact.node;
  return candidates.find((c) => keywordOf(c.node, l.err.keyword))?.node ?? candidates[0]?.node;
}

export function keywordOf(node: SchemaNode, keyword: string): boolean {
  return keyword in node;
}

/** Every schema node that applies at `path` (following $ref, unions, allOf and then/else). */
export function schemaAt(path: readonly PathSegment[]): Candidate[] {
  let current = expand({ node: schemaRoot(), rel: "#" });
  for (const seg of path) {
    const next: Candidate[] = [];
    for (const c of current) next.push(...children(c, seg));
    current = next.flatMap(expand);
    if (current.length === 0) break;
  }
  return current;
}

function expand(c: Candidate, depth = 0): Candidate[] {
  if (depth > 20) return [c];
  const out: Candidate[] = [c];
  const n = c.node;
  if (typeof n.$ref === "string") {
    const target = resolveRef(n.$ref);
    if (target) out.push(...expand({ node: target, rel: "#" }, depth + 1));
  }
  for (const kw of ["anyOf", "oneOf", "allOf"] as const) {
    n[kw]?.forEach((b, i) => out.push(...expand({ node: b, rel: `${c.rel}/${kw}/${i}` }, depth + 1)));
  }
  if (n.then) out.push(...expand({ node: n.then, rel: `${c.rel}/then` }, depth + 1));
  if (n.else) out.push(...expand({ node: n.else, rel: `${c.rel}/else` }, depth + 1));
  return out;
}

function children(c: Candidate, seg: PathSegment): Candidate[] {
  const n = c.node;
  if (typeof seg === "number") {
    return n.items && typeof n.items === "object" ? [{ node: n.items, rel: `${c.rel}/items` }] : [];
  }
  const prop = n.properties?.[seg];
  if (prop) return [{ node: prop, rel: `${c.rel}/properties/${pointerToken(seg)}` }];
  const out: Candidate[] = [];
  for (const [pattern, sub] of Object.entries(n.patternProperties ?? {})) {
    if (patternMatches(pattern, seg)) out.push({ node: sub, rel: `${c.rel}/patternProperties/${pointerToken(pattern)}` });
  }
  if (out.length === 0 && typeof n.additionalProperties === "object") {
    out.push({ node: n.additionalProperties, rel: `${c.rel}/additionalProperties` });
  }
  return out;
}

function resolveRef(ref: string): SchemaNode | undefined {
  if (!ref.startsWith("#/")) return undefined;
  let node: unknown = schemaRoot();
  for (const token of ref.slice(2).split("/")) {
    const key = decodeURIComponent(token).replace(/~1/g, "/").replace(/~0/g, "~");
    node = node !== null && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined;
  }
  return node as SchemaNode | undefined;
}

/** A JSON pointer token the way ajv writes it in schemaPath (escaped, then URI-encoded). */
function pointerToken(s: string): string {
  return encodeURIComponent(s.replace(/~/g, "~0").replace(/\//g, "~1"));
}

const patternCache = new Map<string, RegExp>();
function patternMatches(pattern: string, s: string): boolean {
  let re = patternCache.get(pattern);
  if (!re) {
    re = new RegExp(pattern, "u");
    patternCache.set(pattern, re);
  }
  return re.test(s);
}

/**
 * Validates one (interpolated, tag-free) Compose document against schemas/compose-spec.json
 * and reports every problem as a CONFIG_SCHEMA issue with a dotted model path and the
 * source position of the offending key.
 *
 * The schema is compiled at build time (scripts/compile-schema.mjs) into
 * schemas/compose-validator.cjs, loaded once on first use: a few milliseconds instead of
 * ajv's import + compile (~350 ms). ajv's raw errors are turned into one readable message per
 * place: union (anyOf/oneOf) cascades collapse to the branch that fits the value's type,
 * unknown keys get a did-you-mean, and `x-message` annotations in the schema supply the
 * wording for values that do not match.
 */
import type { ConfigIssue, IssueCollector, SourceLocation } from "../errors.js";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { formatPath, type Locations, type PathSegment } from "./locations.js";

/** The fields of an ajv error that the standalone validator produces (messages are off). */
interface RawError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
}

type CompiledValidator = ((data: unknown) => boolean) & {
  errors?: RawError[] | null;
  /** sha256 of the schema file it was generated from. */
  schemaSha256: string;
};

/** A JSON-schema node as written in schemas/compose-spec.json. */
interface SchemaNode {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  patternProperties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  allOf?: SchemaNode[];
  then?: SchemaNode;
  else?: SchemaNode;
  not?: SchemaNode;
  required?: string[];
  enum?: unknown[];
  pattern?: string;
  "x-message"?: string;
  "x-not-message"?: string;
}

/**
 * Where the schema and its generated validator come from. Both live in `<package>/schemas/`
 * and ship with the package. Two builds load this module:
 *  - tsc's output (dist/src/spec/validate.js): the files are read from the package root, found
 *    by walking up from this module to the directory that holds package.json and schemas/;
 *  - the CLI bundle (scripts/bundle.mjs): esbuild defines FLOTILLA_BUNDLE and follows the two
 *    literal `require` calls below, so both files are inlined into the bundle (and its V8 code
 *    cache) instead of being read and compiled on every run. The paths are relative to
 *    dist/src/spec/, the input the bundle is built from.
 */
declare const FLOTILLA_BUNDLE: boolean | undefined;
const BUNDLED = typeof FLOTILLA_BUNDLE !== "undefined" && FLOTILLA_BUNDLE === true;
const SCHEMA_FILE = "schemas/compose-spec.json";
const VALIDATOR_MODULE = "schemas/compose-validator.cjs";

let packageRequire: NodeJS.Require | undefined;
/** A `require` rooted at the package directory (the nearest ancestor with package.json and schemas/). */
function fromPackage(file: string): unknown {
  if (!packageRequire) {
    const here = dirname(fileURLToPath(import.meta.url));
    let dir = here;
    while (!(existsSync(join(dir, "package.json")) && existsSync(join(dir, SCHEMA_FILE)))) {
      const parent = dirname(dir);
      if (parent === dir) {
        throw new Error(`flotilla: ${SCHEMA_FILE} not found above ${here}: the installation is incomplete (reinstall the package, or run npm run build in a checkout)`);
      }
      dir = parent;
    }
    packageRequire = createRequire(join(dir, "package.json"));
  }
  return packageRequire(`./${file}`);
}

let cachedValidator: CompiledValidator | undefined;
let cachedSchema: (SchemaNode & { definitions: Record<string, SchemaNode> }) | undefined;

/** The precompiled validator, loaded on first use and kept for the life of the process. */
export function compiledValidator(): CompiledValidator {
  if (!cachedValidator) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the CLI bundle inlines the generated CommonJS validator; loading it stays synchronous
    cachedValidator = (BUNDLED ? require("../../../schemas/compose-validator.cjs") : fromPackage(VALIDATOR_MODULE)) as CompiledValidator;
  }
  return cachedValidator;
}

/** The schema (used to explain errors), parsed once. */
function schemaRoot(): SchemaNode & { definitions: Record<string, SchemaNode> } {
  if (!cachedSchema) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- as above: the bundle inlines the schema JSON
    cachedSchema = (BUNDLED ? require("../../../schemas/compose-spec.json") : fromPackage(SCHEMA_FILE)) as SchemaNode & {
      definitions: Record<string, SchemaNode>;
    };
  }
  return cachedSchema;
}

/** Every attribute a service may have, in schema order (for code that warns about unsupported ones). */
export const SERVICE_ATTRIBUTES: readonly string[] = Object.freeze(
  Object.keys(schemaRoot().definitions["service"]?.properties ?? {}),
);

/** The top-level elements of a Compose file. */
export const TOP_LEVEL_ELEMENTS: readonly string[] = Object.freeze(Object.keys(schemaRoot().properties ?? {}));

export interface ValidateOptions {
  /** The file the document came from: used as the location when the path has no recorded position. */
  file?: string;
}

/**
 * Validate `doc` against the Compose schema. Every problem is added to `issues` as a
 * `CONFIG_SCHEMA` issue; nothing is thrown. `locations` maps model paths to source positions.
 */
export function validateDocument(
  doc: unknown,
  locations: Locations,
  issues: IssueCollector,
  options: ValidateOptions = {},
): void {
  const validator = compiledValidator();
  if (validator(doc)) return;
  const raw = validator.errors ?? [];
  const found = explain(doc, raw);
  const seen = new Set<string>();
  const out: { issue: ConfigIssue; order: number }[] = [];
  for (const f of found) {
    const path = formatPath(f.path);
    const dedupe = `${path}\u0000${f.message}`;
    if (seen.has(dedupe)) continue;
    seen.add(dedupe);
    const location: SourceLocation | undefined =
      locations.find(f.at) ?? (options.file !== undefined ? { file: options.file, line: 1, col: 1 } : undefined);
    const issue: ConfigIssue = { code: "CONFIG_SCHEMA", message: f.message };
    if (path) issue.path = path;
    if (location) issue.location = location;
    if (f.hint) issue.hint = f.hint;
    out.push({ issue, order: out.length });
  }
  // Report in document order (files in order of first appearance, then line and column)
  // so the output reads like the file; issues without a position come last.
  const fileRank = new Map<string, number>();
  for (const o of out) if (o.issue.location && !fileRank.has(o.issue.location.file)) fileRank.set(o.issue.location.file, fileRank.size);
  const rank = (l: SourceLocation | undefined): [number, number, number] =>
    l ? [fileRank.get(l.file) ?? 0, l.line, l.col] : [Infinity, 0, 0];
  out.sort((a, b) => {
    const ra = rank(a.issue.location);
    const rb = rank(b.issue.location);
    return ra[0] - rb[0] || ra[1] - rb[1] || ra[2] - rb[2] || a.order - b.order;
  });
  for (const o of out) issues.add(o.issue);
}

// ---------------------------------------------------------------------------------------
// From raw ajv errors to findings

interface Finding {
  /** Model path the message is about (printed). */
  path: PathSegment[];
  /** Model path whose source position is reported (the offending key where there is one). */
  at: PathSegment[];
  message: string;
  hint?: string;
}

/** A raw error with its decoded instance path and the value found there. */
interface Located {
  err: RawError;
  path: PathSegment[];
  value: unknown;
  /** Set on errors synthesized from a failed union: the union's schema node. */
  union?: SchemaNode;
}

const UNINTERPOLATED = /\$(\{|[A-Za-z_])/;

function explain(doc: unknown, raw: readonly RawError[]): Finding[] {
  // 1. Collapse unions. ajv reports a union's branch errors before the union error itself,
  //    so each anyOf/oneOf error absorbs the pending errors under its instance path.
  let pending: Located[] = [];
  const uninterpolated = new Set<string>();
  for (const err of raw) {
    if (err.keyword === "if") continue; // the `then` errors say what is wrong
    const located = locate(doc, err);
    // A value that still holds a `${VAR}` / `$VAR` expression was not interpolated
    // (`config --no-interpolate`): its final form is unknown, so its format is not judged.
    if (err.keyword === "pattern" && typeof located.value === "string" && UNINTERPOLATED.test(located.value)) {
      uninterpolated.add(JSON.stringify(located.path));
      continue;
    }
    if (err.keyword === "anyOf" || err.keyword === "oneOf") {
      const inside: Located[] = [];
      const rest: Located[] = [];
      for (const p of pending) (isUnder(p.path, located.path) ? inside : rest).push(p);
      // A branch only failed on an uninterpolated format: give the union the benefit of the doubt.
      pending = uninterpolated.has(JSON.stringify(located.path)) ? rest : [...rest, ...collapseUnion(located, inside)];
    } else {
      pending.push(located);
    }
  }

  // 2. One value message per path: an enum or pattern says more than a type mismatch.
  const valueRank: Record<string, number> = { enum: 0, const: 0, pattern: 1, minimum: 2, maximum: 2, type: 3 };
  const bestValue = new Map<string, Located>();
  const structural: Located[] = [];
  for (const l of pending) {
    const rank = valueRank[l.err.keyword];
    if (rank === undefined) {
      structural.push(l);
      continue;
    }
    const k = JSON.stringify(l.path);
    const prev = bestValue.get(k);
    if (!prev || rank < (valueRank[prev.err.keyword] ?? 9)) bestValue.set(k, l);
  }
  const keep = new Set<Located>([...structural, ...bestValue.values()]);
  const kept = pending.filter((l) => keep.has(l));
  return kept.map((l) => describe(l));
}

function collapseUnion(union: Located, inside: Located[]): Located[] {
  const vtype = jsonType(union.value);
  // Errors that only say "this branch wants another type" carry no information about
  // what the user meant; whatever remains comes from the branch(es) that fit the value.
  const specific = inside.filter((l) => {
    if (!samePath(l.path, union.path)) return true;
    if (l.err.keyword === "type") return false;
    if (l.err.keyword === "enum" || l.err.keyword === "const") {
      const allowed = (l.err.params["allowedValues"] as unknown[] | undefined) ?? [l.err.params["allowedValue"]];
      return allowed.some((a) => jsonType(a) === vtype || (vtype === "integer" && jsonType(a) === "number"));
    }
    return true;
  });
  if (specific.length > 0) return specific;
  const types = new Set<string>();
  for (const l of inside) {
    if (l.err.keyword !== "type" || !samePath(l.path, union.path)) continue;
    for (const t of asArray(l.err.params["type"])) types.add(String(t));
  }
  const unionRel = union.err.schemaPath.slice(0, union.err.schemaPath.lastIndexOf("/"));
  const unionNode = schemaAt(union.path).find((c) => c.rel === unionRel && keywordOf(c.node, union.err.keyword));
  return [
    {
      err: { ...union.err, keyword: "type", params: { type: [...types] } },
      path: union.path,
      value: union.value,
      ...(unionNode ? { union: unionNode.node } : {}),
    },
  ];
}

function describe(l: Located): Finding {
  const { err, path, value } = l;
  const p = err.params;
  const node = (): SchemaNode | undefined => l.union ?? nodeFor(l);
  switch (err.keyword) {
    case "additionalProperties": {
      const key = String(p["additionalProperty"]);
      return unknownKey(path, key, node());
    }
    case "required":
      return { path, at: path, message: `missing required attribute "${String(p["missingProperty"])}"` };
    case "type": {
      const custom = node()?.["x-message"];
      const types = asArray(p["type"]).map(String);
      return { path, at: path, message: `${custom ?? `must be ${describeTypes(types)}`} (got ${describeValue(value)})` };
    }
    case "pattern": {
      const custom = node()?.["x-message"];
      return { path, at: path, message: custom ? `${custom} (got ${describeValue(value)})` : `${describeValue(value)} does not match ${String(p["pattern"])}` };
    }
    case "enum": {
      const allowed = (p["allowedValues"] as unknown[] | undefined) ?? [];
      return { path, at: path, message: `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")} (got ${describeValue(value)})` };
    }
    case "const":
      return { path, at: path, message: `must be ${JSON.stringify(p["allowedValue"])}` };
    case "minimum":
    case "maximum": {
      const custom = node()?.["x-message"];
      const op = err.keyword === "minimum" ? ">=" : "<=";
      return { path, at: path, message: custom ?? `must be ${op} ${String(p["limit"])} (got ${describeValue(value)})` };
    }
    case "uniqueItems": {
      // ajv scans backwards: report the later occurrence, which is the one to remove.
      const first = Math.min(Number(p["i"]), Number(p["j"]));
      const dup = Math.max(Number(p["i"]), Number(p["j"]));
      const item: unknown = Array.isArray(value) ? (value as unknown[])[dup] : undefined;
      return {
        path,
        at: [...path, dup],
        message: `${describeValue(item)} is listed more than once (items ${first} and ${dup})`,
        hint: "remove the duplicate entry",
      };
    }
    case "not": {
      // Mutually exclusive attributes: point at the last of them in the mapping.
      const n = node();
      const exclusive = n?.not?.required ?? [];
      const present = isObject(value) ? Object.keys(value).filter((k) => exclusive.includes(k)) : [];
      const last = present.length > 1 ? present[present.length - 1] : undefined;
      const at = last !== undefined ? [...path, last] : path;
      return { path, at, message: n?.["x-not-message"] ?? "this combination of attributes is not allowed" };
    }
    case "oneOf":
      return { path, at: path, message: "matches more than one of the allowed forms" };
    default:
      return { path, at: path, message: `is invalid (${err.keyword})` };
  }
}

const NAME_PATTERN = "^[a-zA-Z0-9._-]+$";

function unknownKey(path: PathSegment[], key: string, node: SchemaNode | undefined): Finding {
  const at = [...path, key];
  const known = Object.keys(node?.properties ?? {});
  const patterns = Object.keys(node?.patternProperties ?? {}).filter((k) => k !== "^x-");
  if (known.length === 0 && patterns.length > 0) {
    // A map of user-chosen names (services, networks, environment...): the name is malformed.
    if (key === "") return { path, at, message: "empty keys are not allowed" };
    if (patterns.includes(NAME_PATTERN)) {
      return { path, at, message: `invalid name "${key}": only letters, digits, ".", "_" and "-" are allowed` };
    }
    return { path, at, message: `invalid key "${key}": must match ${patterns.join(" or ")}` };
  }
  const suggestion = closest(key, known);
  const message = `unknown attribute "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ""}`;
  if (suggestion) return { path, at, message };
  const allowsExtensions = node?.patternProperties?.["^x-"] !== undefined;
  const hint =
    path.length === 0
      ? `top-level elements are ${known.map((k) => `"${k}"`).join(", ")}${allowsExtensions ? ' and "x-*" extensions' : ""}`
      : allowsExtensions
        ? 'remove it, or rename it with an "x-" prefix to keep it as an extension'
        : `allowed attributes here: ${known.join(", ")}`;
  return { path, at, message, hint };
}

// ---------------------------------------------------------------------------------------
// Did-you-mean

/** Closest candidate by edit distance (at most a third of the key's length, at least 1). */
export function closest(key: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(key.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = key.toLowerCase().replace(/-/g, "_");
  for (const c of candidates) {
    // The length difference is a lower bound of the distance: skip hopeless candidates cheaply.
    if (Math.abs(c.length - lower.length) > limit) continue;
    const d = lower === c ? 0.5 : editDistance(lower, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  if (best !== undefined && bestDistance <= limit) return best;
  // A key that contains or is contained in exactly one candidate ("port" → "ports", "env" → "env_file").
  const containing = candidates.filter((c) => lower.length >= 4 && (c.includes(lower) || lower.includes(c)));
  return containing.length === 1 ? containing[0] : undefined;
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions), three rolling rows. */
function editDistance(a: string, b: string): number {
  const n = b.length;
  let prev2 = new Int32Array(n + 1);
  let prev = new Int32Array(n + 1);
  let row = new Int32Array(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) {
        v = Math.min(v, prev2[j - 2]! + 1);
      }
      row[j] = v;
    }
    [prev2, prev, row] = [prev, row, prev2];
  }
  return prev[n]!;
}

// ---------------------------------------------------------------------------------------
// Instance paths and values

function locate(doc: unknown, err: RawError): Located {
  const path: PathSegment[] = [];
  let value: unknown = doc;
  if (err.instancePath !== "") {
    for (const token of err.instancePath.slice(1).split("/")) {
      const seg = token.replace(/~1/g, "/").replace(/~0/g, "~");
      if (Array.isArray(value)) {
        const n = Number(seg);
        path.push(n);
        value = value[n];
      } else {
        path.push(seg);
        value = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[seg] : undefined;
      }
    }
  }
  return { err, path, value };
}

function isUnder(path: readonly PathSegment[], prefix: readonly PathSegment[]): boolean {
  return path.length >= prefix.length && prefix.every((s, i) => path[i] === s);
}

function samePath(a: readonly PathSegment[], b: readonly PathSegment[]): boolean {
  return a.length === b.length && isUnder(a, b);
}

function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined ? [] : [v];
}

const TYPE_WORDS: Record<string, [string, string]> = {
  string: ["a", "string"],
  number: ["a", "number"],
  integer: ["an", "integer"],
  boolean: ["a", "boolean"],
  array: ["a", "list"],
  object: ["a", "mapping"],
  null: ["", "null"],
};

/** ["string", "number"] → "a string or number". */
function describeTypes(types: readonly string[]): string {
  const uniq = [...new Set(types.includes("number") ? types.filter((t) => t !== "integer") : types)];
  const words = uniq.map((t) => TYPE_WORDS[t] ?? ["", t]);
  if (words.length === 0) return "valid";
  const [first, ...rest] = words;
  const head = `${first![0] ? `${first![0]} ` : ""}${first![1]}`;
  if (rest.length === 0) return head;
  const tail = rest.map((w) => w[1]);
  const last = tail.pop()!;
  return [head, ...tail].join(", ") + ` or ${last}`;
}

function describeValue(v: unknown): string {
  switch (jsonType(v)) {
    case "string": {
      const s = v as string;
      return JSON.stringify(s.length > 60 ? `${s.slice(0, 57)}...` : s);
    }
    case "array":
      return "a list";
    case "object":
      return "a mapping";
    case "undefined":
      return "nothing";
    default:
      return String(v);
  }
}

// ---------------------------------------------------------------------------------------
// Finding the schema node an error belongs to
//
// ajv's schemaPath is relative to the innermost `$ref` target (e.g. `#/properties/restart/pattern`
// inside definitions/service), so the node is found by walking the schema along the
// instance path and matching that relative pointer.

interface Candidate {
  node: SchemaNode;
  /** JSON pointer of `node` relative to the innermost $ref target, as ajv writes it ("#/properties/x"). */
  rel: string;
}

function nodeFor(l: Located): SchemaNode | undefined {
  const candidates = schemaAt(l.path);
  const parentRel = l.err.schemaPath.slice(0, l.err.schemaPath.lastIndexOf("/"));
  const exact = candidates.find((c) => c.rel === parentRel && keywordOf(c.node, l.err.keyword));
  if (exact) return exact.node;
  return candidates.find((c) => keywordOf(c.node, l.err.keyword))?.node ?? candidates[0]?.node;
}

function keywordOf(node: SchemaNode, keyword: string): boolean {
  return keyword in node;
}

/** Every schema node that applies at `path` (following $ref, unions, allOf and then/else). */
function schemaAt(path: readonly PathSegment[]): Candidate[] {
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

/**
 * Top-level `include`: each entry is loaded as its own project (relative paths against its own
 * directory, its own `.env` under the parent's environment), recursively with cycle detection,
 * and its services, networks, volumes, secrets and configs are added to the including document.
 *
 * Loading a sub-project needs the whole per-file pipeline, which lives in load.ts: it is passed
 * in as `loadSubProject`, so this module stays free of I/O policy.
 */
import { dirname, isAbsolute, resolve } from "node:path";
import { type IssueCollector, type SourceLocation } from "../errors.js";
import { Locations, type PathSegment } from "./locations.js";
import { mergeDocuments } from "./merge.js";
import { OverrideTag, ResetTag, isRawMap, type RawMap } from "./tags.js";

export const RESOURCE_KINDS = ["services", "networks", "volumes", "secrets", "configs"] as const;

/** One `include` entry with every path made absolute. */
export interface IncludeEntry {
  /** Compose files of the included project (merged in order). */
  paths: string[];
  projectDirectory: string;
  /** Env files for the included project (explicit ones, else `<project_directory>/.env` if present). */
  envFiles: string[];
  /** True when `env_file` was given explicitly (then the files must exist). */
  explicitEnvFiles: boolean;
  /** Path of the entry in the including document, e.g. `["include", 0]`. */
  path: PathSegment[];
  /** The first path that is a remote reference (oci://, a git URL), as written: not supported. */
  remote?: string;
}

/** What the loader returns for one included project. */
export interface IncludedProject {
  /** Merged, tag-free document whose relative paths are already absolute. */
  doc: RawMap;
  locations: Locations;
}

export interface IncludeContext {
  /** The including file (for messages and cycle reports). */
  file: string;
  /** Working directory of the including project: relative include paths resolve against it. */
  baseDir: string;
  /** Files currently being included, outermost first (cycle detection). */
  chain: readonly string[];
  issues: IssueCollector;
  /** Loads an included project (the whole per-file pipeline); undefined when it failed (issues already added). */
  loadSubProject(entry: IncludeEntry, chain: readonly string[], where: SourceLocation | undefined): IncludedProject | undefined;
}

function toList(v: unknown): string[] {
  if (typeof v === "string") return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === "string");
  return [];
}

/** Reads the `include` list (short or long syntax) into absolute entries. Malformed entries are skipped (validation reports them). */
export function parseIncludeEntries(include: unknown, baseDir: string): IncludeEntry[] {
  if (!Array.isArray(include)) return [];
  const out: IncludeEntry[] = [];
  include.forEach((item, i) => {
    let paths: string[];
    let projectDirectory: string | undefined;
    let envFiles: string[] = [];
    if (typeof item === "string") {
      paths = [item];
    } else if (isRawMap(item)) {
      paths = toList(item["path"]);
      if (typeof item["project_directory"] === "string") projectDirectory = item["project_directory"];
      envFiles = toList(item["env_file"]);
    } else {
      return;
    }
    if (paths.length === 0) return;
    const abs = paths.map((p) => resolve(baseDir, p));
    const dir = projectDirectory !== undefined ? resolve(baseDir, projectDirectory) : dirname(abs[0]!);
    const entry: IncludeEntry = {
      paths: abs,
      projectDirectory: dir,
      envFiles: envFiles.map((f) => resolve(baseDir, f)),
      explicitEnvFiles: envFiles.length > 0,
      path: ["include", i],
    };
    const remote = paths.find((p) => URL_LIKE.test(p));
    if (remote !== undefined) entry.remote = remote;
    out.push(entry);
  });
  return out;
}

/**
 * Loads every `include` entry of `doc` and copies its resources in. Returns a new document
 * without `include`; `locations` gains the positions of the imported resources.
 * Conflicts (a service defined on both sides; another resource defined differently) are
 * CONFIG_INCLUDE issues naming both files.
 */
export function applyIncludes(doc: RawMap, locations: Locations, ctx: IncludeContext): RawMap {
  const { include, ...rest } = doc;
  if (include === undefined) return doc;
  const out: RawMap = { ...rest };
  const origin = new Map<string, string>();
  for (const kind of RESOURCE_KINDS) {
    const section = out[kind];
    if (isRawMap(section)) {
      out[kind] = { ...section };
      for (const key of Object.keys(section)) origin.set(`${kind}.${key}`, ctx.file);
    }
  }

  for (const entry of parseIncludeEntries(include, ctx.baseDir)) {
    const where = locations.find(entry.path);
    if (entry.remote !== undefined) {
      ctx.issues.add({
        code: "CONFIG_INCLUDE",
        message: `remote include "${entry.remote}" is not supported`,
        path: "include",
        location: where,
        hint: "download the compose file (docker compose can fetch it) and include it by its local path",
      });
      continue;
    }
    const cycleAt = entry.paths.find((p) => ctx.chain.includes(p));
    if (cycleAt !== undefined) {
      const start = ctx.chain.indexOf(cycleAt);
      const loop = [...ctx.chain.slice(start), cycleAt];
      ctx.issues.add({
        code: "CONFIG_INCLUDE",
        message: `include cycle detected: ${loop.join(" -> ")}`,
        path: "include",
        location: where,
        hint: "remove one of the include entries that form the loop",
      });
      continue;
    }
    const sub = ctx.loadSubProject(entry, [...ctx.chain, ...entry.paths], where);
    if (sub === undefined) continue;
    const subFile = entry.paths.join(", ");
    for (const kind of RESOURCE_KINDS) {
      const section = sub.doc[kind];
      if (!isRawMap(section)) continue;
      const existing = out[kind];
      const target: RawMap = isRawMap(existing) ? existing : {};
      out[kind] = target;
      for (const [key, value] of Object.entries(section)) {
        const id = `${kind}.${key}`;
        const prev = origin.get(id);
        if (prev !== undefined && key in target) {
          // Compose (compose-go ≥ 2.5) merges a resource defined again by the including side (or
          // by an earlier include) over the included definition instead of refusing it: the same
          // file included twice, or a local override of an included service, both load.
          const merged = mergeDocuments({ [kind]: { [key]: value } }, { [kind]: { [key]: target[key] } });
          target[key] = (merged[kind] as RawMap)[key];
          continue;
        }
        target[key] = value;
        origin.set(id, subFile);
        locations.copySubtree([kind, key], [kind, key], sub.locations);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Relative paths

const URL_LIKE = /^([a-z][a-z0-9+.-]*:\/\/|git@|github\.com\/)/i;

function absPath(baseDir: string, p: string): string {
  if (p === "" || isAbsolute(p) || p.startsWith("~")) return p;
  return resolve(baseDir, p);
}

function isRelativeVolumeSource(s: string): boolean {
  return s === "." || s === ".." || s.startsWith("./") || s.startsWith("../");
}

function mapTagged(v: unknown, f: (inner: unknown) => unknown): unknown {
  if (v instanceof OverrideTag) return new OverrideTag(f(v.value));
  if (v instanceof ResetTag) return v;
  return f(v);
}

function resolveBuild(build: unknown, baseDir: string): unknown {
  if (typeof build === "string") return URL_LIKE.test(build) ? build : absPath(baseDir, build);
  if (!isRawMap(build)) return build;
  const out: RawMap = { ...build };
  const ctxDir = build["context"];
  if (typeof ctxDir === "string" && !URL_LIKE.test(ctxDir)) out["context"] = absPath(baseDir, ctxDir);
  if (ctxDir === undefined) out["context"] = resolve(baseDir);
  const extra = build["additional_contexts"];
  if (isRawMap(extra)) {
    const m: RawMap = {};
    for (const [k, v] of Object.entries(extra)) m[k] = typeof v === "string" && !v.includes(":") ? absPath(baseDir, v) : v;
    out["additional_contexts"] = m;
  } else if (Array.isArray(extra)) {
    out["additional_contexts"] = (extra as unknown[]).map((e) => {
      if (typeof e !== "string") return e;
      const eq = e.indexOf("=");
      if (eq < 0) return e;
      const v = e.slice(eq + 1);
      return v.includes(":") ? e : `${e.slice(0, eq)}=${absPath(baseDir, v)}`;
    });
  }
  return out;
}

function resolveEnvFile(v: unknown, baseDir: string): unknown {
  const one = (e: unknown): unknown => {
    if (typeof e === "string") return absPath(baseDir, e);
    if (isRawMap(e) && typeof e["path"] === "string") return { ...e, path: absPath(baseDir, e["path"]) };
    return e;
  };
  return Array.isArray(v) ? v.map(one) : one(v);
}

function resolveVolume(v: unknown, baseDir: string): unknown {
  if (typeof v === "string") {
    const colon = v.indexOf(":");
    if (colon <= 0) return v;
    const src = v.slice(0, colon);
    return isRelativeVolumeSource(src) ? `${resolve(baseDir, src)}${v.slice(colon)}` : v;
  }
  if (isRawMap(v) && v["type"] === "bind" && typeof v["source"] === "string") {
    return { ...v, source: absPath(baseDir, v["source"]) };
  }
  return v;
}

/** Rebases the relative paths of one service definition onto `baseDir` (returns a new object). */
export function resolveServicePaths(service: RawMap, baseDir: string): RawMap {
  const out: RawMap = { ...service };
  if (out["build"] !== undefined) out["build"] = mapTagged(out["build"], (b) => resolveBuild(b, baseDir));
  if (out["env_file"] !== undefined) out["env_file"] = mapTagged(out["env_file"], (e) => resolveEnvFile(e, baseDir));
  if (out["label_file"] !== undefined) out["label_file"] = mapTagged(out["label_file"], (e) => resolveEnvFile(e, baseDir));
  if (Array.isArray(out["volumes"])) out["volumes"] = out["volumes"].map((v) => resolveVolume(v, baseDir));
  else if (out["volumes"] instanceof OverrideTag) {
    out["volumes"] = mapTagged(out["volumes"], (vs) => (Array.isArray(vs) ? vs.map((v) => resolveVolume(v, baseDir)) : vs));
  }
  const ext = out["extends"];
  if (isRawMap(ext) && typeof ext["file"] === "string") out["extends"] = { ...ext, file: absPath(baseDir, ext["file"]) };
  const develop = out["develop"];
  if (isRawMap(develop) && Array.isArray(develop["watch"])) {
    out["develop"] = {
      ...develop,
      watch: (develop["watch"] as unknown[]).map((w) =>
        isRawMap(w) && typeof w["path"] === "string" ? { ...w, path: absPath(baseDir, w["path"]) } : w,
      ),
    };
  }
  return out;
}

/**
 * Makes every relative path of a document absolute against `baseDir`: build contexts,
 * additional contexts, env_file, label_file, bind volume sources, extends.file,
 * develop.watch paths, secrets/configs `file`, and local volume `driver_opts.device` with `o=bind`.
 * `~` paths are left for normalization. Returns a new document.
 */
export function resolveRelativePaths(raw: RawMap, baseDir: string): RawMap {
  const out: RawMap = { ...raw };
  const services = raw["services"];
  if (isRawMap(services)) {
    const s: RawMap = {};
    for (const [name, svc] of Object.entries(services)) s[name] = isRawMap(svc) ? resolveServicePaths(svc, baseDir) : svc;
    out["services"] = s;
  }
  for (const kind of ["secrets", "configs"] as const) {
    const section = raw[kind];
    if (!isRawMap(section)) continue;
    const s: RawMap = {};
    for (const [name, def] of Object.entries(section)) {
      s[name] = isRawMap(def) && typeof def["file"] === "string" ? { ...def, file: absPath(baseDir, def["file"]) } : def;
    }
    out[kind] = s;
  }
  const volumes = raw["volumes"];
  if (isRawMap(volumes)) {
    const s: RawMap = {};
    for (const [name, def] of Object.entries(volumes)) {
      const opts = isRawMap(def) ? def["driver_opts"] : undefined;
      if (
        isRawMap(def) &&
        isRawMap(opts) &&
        typeof opts["device"] === "string" &&
        typeof opts["o"] === "string" &&
        opts["o"].split(",").includes("bind")
      ) {
        s[name] = { ...def, driver_opts: { ...opts, device: absPath(baseDir, opts["device"]) } };
      } else {
        s[name] = def;
      }
    }
    out["volumes"] = s;
  }
  return out;
}

/** Deep copy of a raw tree that keeps `!reset` / `!override` markers. */
export function cloneRaw<T>(v: T): T {
  if (Array.isArray(v)) return (v as unknown[]).map((x) => cloneRaw(x)) as T;
  if (v instanceof ResetTag) return new ResetTag(cloneRaw(v.value)) as T;
  if (v instanceof OverrideTag) return new OverrideTag(cloneRaw(v.value)) as T;
  if (typeof v === "object" && v !== null) {
    const out: RawMap = {};
    for (const [k, x] of Object.entries(v as RawMap)) out[k] = cloneRaw(x);
    return out as T;
  }
  return v;
}

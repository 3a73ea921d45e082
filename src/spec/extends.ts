/**
 * Service `extends`: `extends: base` or `extends: {service, file}` (file relative to the file
 * that holds the `extends`). Resolved recursively with cycle detection; the base is
 * deep-cloned and the local definition merged over it with the multi-file rules
 * (`mergeService`). A base from another file has its relative paths rebased onto that
 * file's directory. Networks and volumes referenced by the base are not imported.
 */
import { basename, dirname, resolve } from "node:path";
import type { IssueCollector, SourceLocation } from "../errors.js";
import { closestName } from "./checks/references.js";
import { cloneRaw, resolveServicePaths } from "./include.js";
import { Locations } from "./locations.js";
import { mergeService } from "./merge.js";
import { isRawMap, type RawMap } from "./tags.js";

/** A parsed (and interpolated) compose file. */
export interface ExtendsUnit {
  /** Absolute path (or a pseudo name such as `<inline-0>`). */
  file: string;
  /** Directory that relative `extends.file` values resolve against. */
  dir: string;
  doc: RawMap;
  locations: Locations;
}

export interface ExtendsContext {
  issues: IssueCollector;
  /** Loads another compose file (parsed, interpolated; cached by the caller); undefined if it failed (issue added). */
  loadFile(absPath: string, where: SourceLocation | undefined): ExtendsUnit | undefined;
}

interface Ref {
  service: string;
  file?: string;
}

function readRef(v: unknown): Ref | undefined {
  if (typeof v === "string") return { service: v };
  if (isRawMap(v) && typeof v["service"] === "string") {
    return typeof v["file"] === "string" ? { service: v["service"], file: v["file"] } : { service: v["service"] };
  }
  return undefined;
}

/**
 * Resolves every `extends` in `unit.doc`. Returns a new document (services without `extends`
 * are kept as they are); `unit.locations` gets the base's positions for inherited keys.
 */
export function applyExtends(unit: ExtendsUnit, ctx: ExtendsContext): RawMap {
  const services = unit.doc["services"];
  if (!isRawMap(services)) return unit.doc;
  const hasExtends = Object.values(services).some((s) => isRawMap(s) && s["extends"] !== undefined);
  if (!hasExtends) return unit.doc;
  const resolver = new ExtendsResolver(unit, ctx);
  const out: RawMap = {};
  for (const name of Object.keys(services)) {
    const svc = services[name];
    if (isRawMap(svc) && svc["extends"] !== undefined) {
      const r = resolver.resolve(unit, name, []);
      out[name] = r === null ? svc : r;
    } else {
      out[name] = svc;
    }
  }
  return { ...unit.doc, services: out };
}

const key = (u: ExtendsUnit, name: string): string => `${u.file}\u0000${name}`;

/** The services of one document resolved so far (null: failed, issue reported), across the files extends reaches. */
class ExtendsResolver {
  private readonly memo = new Map<string, RawMap | null>();

  constructor(
    private readonly unit: ExtendsUnit,
    private readonly ctx: ExtendsContext,
  ) {}

  /** `name` in `u` with its `extends` chain applied; `chain` holds the keys being resolved (cycle detection). */
  resolve(u: ExtendsUnit, name: string, chain: readonly string[]): RawMap | null {
    const k = key(u, name);
    const cached = this.memo.get(k);
    if (cached !== undefined) return cached;
    const svcs = u.doc["services"];
    const svc = isRawMap(svcs) ? svcs[name] : undefined;
    if (!isRawMap(svc)) return null;
    const ref = readRef(svc["extends"]);
    const result = ref === undefined ? svc : this.extend(u, name, svc, ref, chain);
    this.memo.set(k, result);
    return result;
  }

  private extend(u: ExtendsUnit, name: string, svc: RawMap, ref: Ref, chain: readonly string[]): RawMap | null {
    const k = key(u, name);
    const where = u.locations.find(["services", name, "extends"]);
    let baseUnit: ExtendsUnit | undefined = u;
    if (ref.file !== undefined) {
      const abs = resolve(u.dir, ref.file);
      baseUnit = abs === u.file ? u : this.ctx.loadFile(abs, where);
      if (baseUnit === undefined) return null;
    }
    const baseKey = key(baseUnit, ref.service);
    if (chain.includes(baseKey) || baseKey === k) {
      const full = [...chain, k];
      const loop = [...full.slice(full.indexOf(baseKey)), baseKey];
      this.report(name, where, `extends cycle detected: ${loop.map((x) => this.label(x)).join(" -> ")}`, "a service cannot extend itself, directly or through other services");
      return null;
    }
    const baseSvcs = baseUnit.doc["services"];
    if (!isRawMap(baseSvcs) || !isRawMap(baseSvcs[ref.service])) {
      const near = closestName(ref.service, isRawMap(baseSvcs) ? Object.keys(baseSvcs) : [], false);
      this.report(
        name,
        where,
        `service "${name}" extends undefined service "${ref.service}"${baseUnit !== u ? ` in ${baseUnit.file}` : ""}`,
        near !== undefined ? `did you mean "${near}"?` : `define "${ref.service}" or fix the extends reference`,
      );
      return null;
    }
    const base = this.resolve(baseUnit, ref.service, [...chain, k]);
    if (base === null) return null;
    const { extends: _drop, ...local } = svc;
    const merged = mergeService(rebased(base, baseUnit, u), local);
    if (u === this.unit) {
      // Inherited keys point at the base's definition; the service's own keys keep their positions.
      const moved = new Locations();
      moved.copySubtree(["services", ref.service], ["services", name], baseUnit.locations);
      moved.copySubtree(["services", name], ["services", name], this.unit.locations);
      this.unit.locations.absorb(moved);
    }
    return merged;
  }

  private report(name: string, where: SourceLocation | undefined, message: string, hint: string): void {
    this.ctx.issues.add({ code: "CONFIG_EXTENDS", message, path: `services.${name}.extends`, location: where, hint });
  }

  /** A memo key as a message names it: the service, and its file's name when it is another file. */
  private label(k: string): string {
    const [file, name] = k.split("\u0000") as [string, string];
    return file === this.unit.file ? name : `${name} (${basename(file)})`;
  }
}

/** A copy of the base; from another file, its relative paths rebased onto that file's directory. */
function rebased(base: RawMap, baseUnit: ExtendsUnit, u: ExtendsUnit): RawMap {
  const copy = cloneRaw(base);
  if (baseUnit === u) return copy;
  // As compose-go: a base without a build context gets none here; it defaults to "." (the project directory) later.
  const noContext = isRawMap(copy["build"]) && copy["build"]["context"] === undefined;
  const out = resolveServicePaths(copy, baseUnit.dir);
  if (noContext && isRawMap(out["build"])) delete out["build"]["context"];
  return out;
}

/** Directory of a compose file (pseudo files like `<inline-0>` use `fallback`). */
export function fileDir(file: string, fallback: string): string {
  return file.startsWith("<") || file === "-" ? fallback : dirname(file);
}

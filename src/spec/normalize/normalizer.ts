/**
 * The normalizer's toolbox: the context (environment, working directory, file reading, where
 * issues and warnings go) and the casts every attribute uses (interpolation leaves strings where
 * the schema wants other types). Problems are collected as issues with their source location,
 * never thrown.
 */
import * as posix from "node:path/posix";
import type { ErrorCode, IssueCollector } from "../../errors.js";
import { formatPath, type Locations, type PathSegment } from "../locations.js";
import { isRawMap } from "../tags.js";
import { splitShellWords, ShellWordsError } from "../shell-words.js";
import { parseBytes } from "../units.js";

export interface NormalizeContext {
  projectName: string;
  /** Absolute project directory: relative paths resolve against it. */
  workingDir: string;
  /** The interpolation environment: used to resolve `environment` / `build.args` entries without a value. */
  environment: Readonly<Record<string, string>>;
  locations: Locations;
  issues: IssueCollector;
  /** Reads a file (env_file); throws if it cannot (e.g. ENOENT). */
  readFile: (absPath: string) => string;
  /** false = keep `env_file` but do not merge its content into `environment` (`--no-env-resolution`). */
  resolveEnvFiles?: boolean;
  /** Expansion of `~` in bind sources; without it `~` paths are kept as written. */
  homeDir?: string;
  /** Where warnings go (deprecated spellings, YAML 1.1 booleans); none are kept without it. */
  warnings?: string[];
}

export type Path = PathSegment[];

export class Normalizer {
  constructor(readonly ctx: NormalizeContext) {}

  issue(code: ErrorCode, path: Path, message: string, hint?: string): void {
    const loc = this.ctx.locations.find(path);
    this.ctx.issues.add({
      code,
      message,
      path: formatPath(path),
      ...(loc ? { location: loc } : {}),
      ...(hint !== undefined ? { hint } : {}),
    });
  }

  warn(path: Path, message: string): void {
    const loc = this.ctx.locations.find(path);
    this.ctx.warnings?.push(`${loc ? `${loc.file}:${loc.line}:${loc.col}: ` : ""}${formatPath(path)}: ${message}`);
  }

  // ---- scalar casts ----

  bool(v: unknown, path: Path): boolean | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === "boolean") return v;
    if (typeof v === "string") {
      const lower = v.toLowerCase();
      if (lower === "true") return true;
      if (lower === "false") return false;
      const yaml11 = { y: true, yes: true, on: true, n: false, no: false, off: false }[lower];
      if (yaml11 !== undefined) {
        // accepted as Compose does, with its warning: YAML 1.2 has only true and false
        this.warn(path, `${JSON.stringify(v)} is a YAML 1.1 boolean, read as ${String(yaml11)}: write ${String(yaml11)}`);
        return yaml11;
      }
    }
    this.issue("CONFIG_INVALID", path, `invalid boolean ${JSON.stringify(v)}`, "use true or false");
    return undefined;
  }

  int(v: unknown, path: Path): number | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === "number" && Number.isInteger(v)) return v;
    if (typeof v === "string" && /^\s*[-+]?\d+\s*$/.test(v)) return Number.parseInt(v, 10);
    this.issue("CONFIG_INVALID", path, `invalid integer ${JSON.stringify(v)}`, "use a whole number");
    return undefined;
  }

  num(v: unknown, path: Path): number | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === "number") return v;
    if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
    this.issue("CONFIG_INVALID", path, `invalid number ${JSON.stringify(v)}`);
    return undefined;
  }

  /**
   * A byte size (`64m`, `"1g"`, 1024, -1) as a number of bytes, as compose-go's UnitBytes holds it:
   * `config` prints it as a string of digits, which reads back to the same number.
   */
  bytes(v: unknown, path: Path): number | string | undefined {
    if (v === undefined || v === null) return undefined;
    // Still a `${VAR}` (`config --no-interpolate`; interpolated, a `$` left fails the schema first): kept as written.
    if (typeof v === "string" && v.includes("$")) return v;
    if (typeof v === "number" || typeof v === "string") {
      try {
        return parseBytes(v);
      } catch {
        // reported below
      }
    }
    this.issue("CONFIG_INVALID", path, `invalid byte size ${JSON.stringify(v)}`, 'use a number of bytes or a size such as "512k", "64m", "2g" (-1: unlimited)');
    return undefined;
  }

  /** File modes: a number as written, or an octal string ("0440"). */
  mode(v: unknown, path: Path): number | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === "number") return v;
    if (typeof v === "string" && /^[0-7]+$/.test(v)) return Number.parseInt(v, 8);
    this.issue("CONFIG_INVALID", path, `invalid file mode ${JSON.stringify(v)}`, 'use an octal string like "0440"');
    return undefined;
  }

  // ---- paths and the environment ----

  abs(p: string): string {
    let out = p;
    if (out === "~" || out.startsWith("~/")) {
      if (this.ctx.homeDir === undefined) return out;
      out = posix.join(this.ctx.homeDir, out.slice(1));
    }
    return cleanPath(posix.isAbsolute(out) ? out : posix.join(this.ctx.workingDir, out));
  }

  lookup(name: string): string | null {
    const v = this.ctx.environment[name];
    return v === undefined ? null : v;
  }

  // ---- generic shapes ----

  /** Map or `KEY=VAL` list → map of strings. `missing` decides the value of a bare `KEY`. */
  mapping(v: unknown, path: Path, missing: (key: string) => string | null): Record<string, string | null> {
    const out: Record<string, string | null> = {};
    if (Array.isArray(v)) {
      for (const item of v) {
        if (item === null || item === undefined) continue;
        const s = String(item);
        const eq = s.indexOf("=");
        if (eq < 0) out[s] = missing(s);
        else out[s.slice(0, eq)] = s.slice(eq + 1);
      }
    } else if (isRawMap(v)) {
      for (const [k, val] of Object.entries(v)) {
        out[k] = val === null || val === undefined ? missing(k) : scalarString(val);
      }
    } else if (v !== null && v !== undefined) {
      this.issue("CONFIG_INVALID", path, "must be a mapping or a list of KEY=VALUE strings");
    }
    return out;
  }

  /** Like `mapping` but every value a string (labels: a bare key means ""). */
  stringMap(v: unknown, path: Path): Record<string, string> {
    const m = this.mapping(v, path, () => "");
    const out: Record<string, string> = {};
    for (const [k, val] of Object.entries(m)) out[k] = val ?? "";
    return out;
  }

  stringList(v: unknown): string[] {
    if (v === null || v === undefined) return [];
    if (Array.isArray(v)) return v.filter((x) => x !== null && x !== undefined).map((x) => scalarString(x));
    return [scalarString(v)];
  }

  command(v: unknown, path: Path): string[] | undefined {
    if (v === null || v === undefined) return undefined;
    if (Array.isArray(v)) return v.map((x) => scalarString(x));
    try {
      return splitShellWords(String(v));
    } catch (e) {
      if (e instanceof ShellWordsError) {
        this.issue("CONFIG_INVALID", path, `cannot split command: ${e.message}`, "close the quote, or write the command as a list");
        return undefined;
      }
      throw e;
    }
  }
}

// ---- pure helpers ----

/** `path.Clean` for POSIX paths: no trailing slash (except "/"), no `.`/`..` segments. */
export function cleanPath(p: string): string {
  if (p === "") return ".";
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith("/") ? n.slice(0, -1) : n;
}

export function scalarString(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  return JSON.stringify(v);
}

export function clone<T>(v: T): T {
  return v === undefined ? v : (structuredClone(v));
}

/** Put the listed keys first, in that order; the rest keep their order. */
export function reorder<T extends object>(o: T, first: readonly string[]): T {
  const out: Record<string, unknown> = {};
  const src = o as Record<string, unknown>;
  for (const k of first) if (k in src && src[k] !== undefined) out[k] = src[k];
  for (const [k, v] of Object.entries(src)) if (!(k in out) && v !== undefined) out[k] = v;
  return out as T;
}

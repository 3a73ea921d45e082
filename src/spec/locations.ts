import type { SourceLocation } from "../errors.js";

export type PathSegment = string | number;

/** Dotted path used in messages: `services.web.ports[0]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out;
}

function key(path: readonly PathSegment[]): string {
  return JSON.stringify(path);
}

/**
 * Where each value of the model came from. Filled while parsing (every mapping key and
 * sequence item of every file); later files overwrite earlier ones, as the merge does.
 * `find` falls back to the nearest ancestor that has a position.
 */
export class Locations {
  private readonly map = new Map<string, SourceLocation>();

  set(path: readonly PathSegment[], loc: SourceLocation): void {
    this.map.set(key(path), loc);
  }

  get(path: readonly PathSegment[]): SourceLocation | undefined {
    return this.map.get(key(path));
  }

  find(path: readonly PathSegment[]): SourceLocation | undefined {
    for (let n = path.length; n >= 0; n--) {
      const loc = this.map.get(key(path.slice(0, n)));
      if (loc) return loc;
    }
    return undefined;
  }

  /** Copy every location under `from` to sit under `to` (used by extends/include). */
  copySubtree(from: readonly PathSegment[], to: readonly PathSegment[], source: Locations = this): void {
    const prefix = key(from).slice(0, -1);
    for (const [k, loc] of source.map) {
      if (k === key(from) || k.startsWith(prefix + ",")) {
        const rest = (JSON.parse(k) as PathSegment[]).slice(from.length);
        this.set([...to, ...rest], loc);
      }
    }
  }

  /** Add all of `other`'s entries, overwriting ours. */
  absorb(other: Locations): void {
    for (const [k, v] of other.map) this.map.set(k, v);
  }

  get size(): number {
    return this.map.size;
  }
}

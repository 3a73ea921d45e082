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

interface LocationNode {
  loc: SourceLocation | undefined;
  kids: Map<PathSegment, LocationNode> | undefined;
}

/**
 * Where each value of the model came from. Filled while parsing (every mapping key and
 * sequence item of every file); later files overwrite earlier ones, as the merge does.
 * `find` falls back to the nearest ancestor that has a position.
 *
 * Kept as a tree keyed by path segment (`1` and `"1"` are different segments), so that setting
 * and finding cost the depth of the path and copying a subtree costs the size of that subtree,
 * not the size of the whole file.
 */
export class Locations {
  private readonly root: LocationNode = { loc: undefined, kids: undefined };
  private count = 0;

  private node(path: readonly PathSegment[]): LocationNode | undefined {
    let n: LocationNode | undefined = this.root;
    for (let i = 0; i < path.length && n !== undefined; i++) n = n.kids?.get(path[i]!);
    return n;
  }

  private ensure(path: readonly PathSegment[]): LocationNode {
    return this.ensureUnder(this.root, path);
  }

  private put(n: LocationNode, loc: SourceLocation): void {
    if (n.loc === undefined) this.count++;
    n.loc = loc;
  }

  set(path: readonly PathSegment[], loc: SourceLocation): void {
    this.put(this.ensure(path), loc);
  }

  get(path: readonly PathSegment[]): SourceLocation | undefined {
    return this.node(path)?.loc;
  }

  find(path: readonly PathSegment[]): SourceLocation | undefined {
    let n: LocationNode | undefined = this.root;
    let best = n.loc;
    for (let i = 0; i < path.length; i++) {
      n = n.kids?.get(path[i]!);
      if (n === undefined) break;
      if (n.loc !== undefined) best = n.loc;
    }
    return best;
  }

  /** Copy every location under `from` to sit under `to` (used by extends/include). */
  copySubtree(from: readonly PathSegment[], to: readonly PathSegment[], source: Locations = this): void {
    const src = source.node(from);
    if (src === undefined) return;
    // collected first: `to` may lie inside `from` when both are in this tree
    const entries: [PathSegment[], SourceLocation][] = [];
    collect(src, [], entries);
    const dst = this.ensure(to);
    for (const [rest, loc] of entries) this.put(rest.length === 0 ? dst : this.ensureUnder(dst, rest), loc);
  }

  private ensureUnder(start: LocationNode, rest: readonly PathSegment[]): LocationNode {
    let n = start;
    for (const seg of rest) {
      n.kids ??= new Map();
      let next = n.kids.get(seg);
      if (next === undefined) {
        next = { loc: undefined, kids: undefined };
        n.kids.set(seg, next);
      }
      n = next;
    }
    return n;
  }

  /** Add all of `other`'s entries, overwriting ours. */
  absorb(other: Locations): void {
    if (other === this) return;
    for (const [path, loc] of other.entries()) this.put(this.ensureUnder(this.root, path), loc);
  }

  get size(): number {
    return this.count;
  }

  /** Every path that has a position, with it (depth first, in the order the paths were first set). */
  entries(): [PathSegment[], SourceLocation][] {
    const out: [PathSegment[], SourceLocation][] = [];
    collect(this.root, [], out);
    return out;
  }
}

function collect(n: LocationNode, path: PathSegment[], out: [PathSegment[], SourceLocation][]): void {
  if (n.loc !== undefined) out.push([path, n.loc]);
  if (n.kids === undefined) return;
  for (const [seg, kid] of n.kids) collect(kid, [...path, seg], out);
}

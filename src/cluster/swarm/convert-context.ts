/**
 * What every part of the Swarm conversion shares: its input, the problems it collects (reported
 * together as one ConfigError at file:line:col), the Swarm names given to the file's secrets and
 * configs, and the unit parsers that report a bad value at its position instead of throwing. Pure.
 */
import type { ConfigIssue } from "../../errors.js";
import { formatPath, type Locations, type PathSegment } from "../../spec/locations.js";
import type { ComposeModel } from "../../spec/model.js";
import { durationToNs, parseBytes } from "../../spec/units.js";
import type { Labels } from "../../runtime/engine.js";
import { LABEL_NAMESPACE } from "./names.js";

export interface ConvertInput {
  model: ComposeModel;
  /** The stack's name (NAME of `stack deploy`). */
  stack: string;
  /** The interpolation environment (secrets and configs with `environment:` read it). */
  environment: Readonly<Record<string, string | undefined>>;
  /** Reads a secret's or config's `file:` (absolute path). */
  readFile: (path: string) => Uint8Array | string;
  /** Image to send per service instead of `image:` (e.g. pinned by digest, or built and pushed). */
  images?: Readonly<Record<string, string>>;
  /** For file:line:col in conversion errors. */
  locations?: Locations;
}

export const sortedBy = <T>(items: T[], key: (t: T) => string): T[] => [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));

/** `{k: v}` with the stack label added; never empty. */
export const withStack = (stack: string, labels: Labels | undefined): Labels => ({ ...(labels ?? {}), [LABEL_NAMESPACE]: stack });

/** Drops the keys whose value is undefined (the engine stores what is sent, and the hash covers it). */
export function prune<T extends object>(o: T): T {
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) delete (o as Record<string, unknown>)[k];
  }
  return o;
}

export class ConvertContext {
  readonly issues: ConfigIssue[] = [];
  /** Secret key in the file → its Swarm name (`<stack>_<key>_<sha8>`, or the external name). */
  readonly secretNames = new Map<string, string>();
  readonly configNames = new Map<string, string>();

  constructor(readonly input: ConvertInput) {}

  get stack(): string {
    return this.input.stack;
  }

  get model(): ComposeModel {
    return this.input.model;
  }

  issue(path: PathSegment[], message: string, hint?: string): void {
    const loc = this.input.locations?.find(path);
    this.issues.push({ code: "CONFIG_INVALID", message, path: formatPath(path), ...(loc ? { location: loc } : {}), ...(hint ? { hint } : {}) });
  }

  ns(v: string | number | undefined, path: PathSegment[]): number | undefined {
    if (v === undefined) return undefined;
    try {
      return durationToNs(v);
    } catch (e) {
      this.issue(path, (e as Error).message, "use a duration such as 10s or 1m30s");
      return undefined;
    }
  }

  bytes(v: string | number | undefined, path: PathSegment[]): number | undefined {
    if (v === undefined) return undefined;
    try {
      return parseBytes(v);
    } catch (e) {
      this.issue(path, (e as Error).message);
      return undefined;
    }
  }

  cpus(v: string | number | undefined, path: PathSegment[]): number | undefined {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) {
      this.issue(path, `invalid cpus ${JSON.stringify(v)}`, "use a number such as 0.5 or 2");
      return undefined;
    }
    return Math.round(n * 1e9);
  }
}

/**
 * The service dependency graph. Pure: built from the normalized model's services, it answers
 * "what does X need", "what needs X", gives a topological order and names a cycle's path.
 *
 * Edges come from `depends_on` (the normalizer already folds links, `service:` namespaces and
 * `volumes_from` into it), and are also derived here from those attributes in case a model
 * lacks them. Dependencies on services that are not in the map are ignored: they are disabled
 * or optional, and the loader reports the required ones.
 */
import type { DependsOnCondition, ServiceConfig } from "../spec/model.js";
import { ConfigError } from "../errors.js";

export interface DependencyEdge {
  service: string;
  condition: DependsOnCondition;
  required: boolean;
  restart: boolean;
}

const SERVICE_PREFIX = "service:";
const CONTAINER_PREFIX = "container:";

/** Every edge a service declares, explicit first, implicit ones only when not already declared. */
function edgesOf(config: ServiceConfig): DependencyEdge[] {
  const edges = new Map<string, DependencyEdge>();
  for (const [service, entry] of Object.entries(config.depends_on ?? {})) {
    edges.set(service, {
      service,
      condition: entry?.condition ?? "service_started",
      required: entry?.required ?? true,
      restart: entry?.restart ?? false,
    });
  }
  const addImplicit = (service: string, restart: boolean): void => {
    if (service === "" || edges.has(service)) return;
    edges.set(service, { service, condition: "service_started", required: true, restart });
  };
  for (const link of config.links ?? []) {
    if (typeof link === "string") addImplicit(link.split(":")[0] ?? "", true);
  }
  for (const ns of [config.network_mode, config.ipc, config.pid, config.uts, config.cgroup]) {
    if (typeof ns === "string" && ns.startsWith(SERVICE_PREFIX)) addImplicit(ns.slice(SERVICE_PREFIX.length), true);
  }
  for (const from of config.volumes_from ?? []) {
    if (typeof from !== "string" || from.startsWith(CONTAINER_PREFIX)) continue;
    addImplicit(from.split(":")[0] ?? "", false);
  }
  return [...edges.values()];
}

export class ServiceGraph {
  /** Service names, in the order of the input map. */
  readonly services: readonly string[];
  readonly #deps: ReadonlyMap<string, readonly DependencyEdge[]>;
  readonly #dependents: ReadonlyMap<string, readonly string[]>;

  private constructor(services: string[], deps: Map<string, DependencyEdge[]>) {
    this.services = Object.freeze([...services]);
    this.#deps = deps;
    const dependents = new Map<string, string[]>(services.map((s) => [s, []]));
    for (const s of services) {
      for (const edge of deps.get(s) ?? []) dependents.get(edge.service)?.push(s);
    }
    this.#dependents = dependents;
  }

  static fromServices(services: Record<string, ServiceConfig>): ServiceGraph {
    const names = Object.keys(services);
    const known = new Set(names);
    const deps = new Map<string, DependencyEdge[]>();
    for (const name of names) {
      const config = services[name] ?? {};
      deps.set(
        name,
        edgesOf(config).filter((e) => known.has(e.service)),
      );
    }
    return new ServiceGraph(names, deps);
  }

  has(service: string): boolean {
    return this.#deps.has(service);
  }

  /** The services `s` depends on (only those present in the graph). */
  dependencies(s: string): DependencyEdge[] {
    return (this.#deps.get(s) ?? []).map((e) => ({ ...e }));
  }

  /** The services that depend on `s`. */
  dependents(s: string): string[] {
    return [...(this.#dependents.get(s) ?? [])];
  }

  /** The named services and everything they need, transitively. Unknown names are ignored. */
  closure(names: Iterable<string>): Set<string> {
    return this.#reach(names, (s) => (this.#deps.get(s) ?? []).map((e) => e.service));
  }

  /**
   * The named services plus, transitively, the services that depend on one of them with
   * `restart: true` (what `restart SERVICE` also restarts, as in Compose). Unknown names are ignored.
   */
  restartClosure(names: Iterable<string>): Set<string> {
    return this.#reach(names, (s) => (this.#dependents.get(s) ?? []).filter((d) => (this.#deps.get(d) ?? []).some((e) => e.service === s && e.restart)));
  }

  /** The named services and everything that needs them, transitively. Unknown names are ignored. */
  dependentClosure(names: Iterable<string>): Set<string> {
    return this.#reach(names, (s) => this.#dependents.get(s) ?? []);
  }

  #reach(names: Iterable<string>, next: (s: string) => readonly string[]): Set<string> {
    const seen = new Set<string>();
    const stack = [...names].filter((n) => this.has(n));
    while (stack.length > 0) {
      const s = stack.pop() as string;
      if (seen.has(s)) continue;
      seen.add(s);
      for (const n of next(s)) if (!seen.has(n)) stack.push(n);
    }
    return seen;
  }

  /** A dependency cycle as a closed path (e.g. `["alpha","beta","gamma","alpha"]`), or undefined. */
  findCycle(): string[] | undefined {
    // Iterative DFS with colours: 0 = unvisited, 1 = on the stack, 2 = done.
    const colour = new Map<string, 0 | 1 | 2>();
    for (const root of this.services) {
      if (colour.get(root)) continue;
      const path: string[] = [root];
      const iters: number[] = [0];
      colour.set(root, 1);
      while (path.length > 0) {
        const top = path[path.length - 1] as string;
        const edges = this.#deps.get(top) ?? [];
        const i = iters[iters.length - 1] as number;
        if (i >= edges.length) {
          colour.set(top, 2);
          path.pop();
          iters.pop();
          continue;
        }
        iters[iters.length - 1] = i + 1;
        const next = (edges[i] as DependencyEdge).service;
        const c = colour.get(next) ?? 0;
        if (c === 1) return [...path.slice(path.indexOf(next)), next];
        if (c === 0) {
          colour.set(next, 1);
          path.push(next);
          iters.push(0);
        }
      }
    }
    return undefined;
  }

  /**
   * A topological order, dependencies first; ties keep the input order.
   * @throws ConfigError DEPENDENCY_CYCLE naming the cycle's path.
   */
  order(): string[] {
    const cycle = this.findCycle();
    if (cycle) {
      throw ConfigError.of("DEPENDENCY_CYCLE", `dependency cycle between services: ${cycle.join(" -> ")}`, {
        path: `services.${cycle[0]}.depends_on`,
        hint: "remove one of these depends_on (or links / network_mode: service: / volumes_from) references",
      });
    }
    const remaining = new Map(this.services.map((s) => [s, (this.#deps.get(s) ?? []).length]));
    const out: string[] = [];
    const ready = this.services.filter((s) => remaining.get(s) === 0);
    while (ready.length > 0) {
      const s = ready.shift() as string;
      out.push(s);
      for (const d of this.#dependents.get(s) ?? []) {
        const left = (remaining.get(d) as number) - 1;
        remaining.set(d, left);
        if (left === 0) ready.push(d);
      }
    }
    return out;
  }
}

/**
 * `stack rm`: every service, secret, config and network labelled with the stack's namespace; with
 * `wait`, only once the services' tasks and containers are gone too, and until the networks are
 * (the engine removes them after it returned). Also the retries the apply's pruning shares.
 */
import { EngineError, FlotillaError } from "../../errors.js";
import type { EventListener, FlotillaEvent } from "../../events.js";
import type { Engine } from "../../runtime/engine.js";
import type { SwarmEngine } from "../../runtime/engine-swarm.js";
import { LABEL_NAMESPACE } from "./names.js";
import { aborted, defaultSleep, type Sleep, type Waiter } from "./pacing.js";

/** The engine calls for a stack's networks (and, for `rm --wait`, its containers). */
export type StackNetworkEngine = Pick<Engine, "listNetworks" | "createNetwork" | "removeNetwork"> & Partial<Pick<Engine, "listContainers">>;

/** The engine refuses because something still uses the object (retry later). */
const inUse = (e: unknown): boolean => e instanceof Error && /in use|active endpoints|has active|is being used/i.test(e.message);

/** Remove a network, retrying while the engine still sees endpoints; false when it stayed in use. */
export async function removeNetworkRetrying(engine: StackNetworkEngine, name: string, w: Waiter, attempts = 40): Promise<boolean> {
  for (let i = 0; ; i++) {
    try {
      await engine.removeNetwork(name);
      return true;
    } catch (e) {
      if (e instanceof EngineError && e.statusCode === 404) return true;
      if (!inUse(e) || i >= attempts) {
        if (inUse(e)) return false;
        throw e;
      }
    }
    await w.sleep(w.pollMs, w.signal);
  }
}

/** Remove a secret or config, retrying while a task still uses it; false when it stayed in use. */
export async function removeObjectRetrying(swarm: SwarmEngine, kind: "secret" | "config", id: string, w: Waiter, attempts = 20): Promise<boolean> {
  for (let i = 0; ; i++) {
    try {
      if (kind === "secret") await swarm.removeSecret(id);
      else await swarm.removeConfig(id);
      return true;
    } catch (e) {
      if (!inUse(e) || i >= attempts) {
        if (inUse(e)) return false;
        throw e;
      }
    }
    await w.sleep(w.pollMs, w.signal);
  }
}

export interface RemoveStackOptions {
  swarm: SwarmEngine;
  engine: StackNetworkEngine;
  /** Return only when services, tasks, containers, networks, secrets and configs are gone. */
  wait?: boolean;
  onEvent?: EventListener;
  signal?: AbortSignal;
  timeoutMs?: number;
  pollMs?: number;
  sleep?: Sleep;
}

export interface RemoveStackResult {
  services: string[];
  networks: string[];
  secrets: string[];
  configs: string[];
  /** What could not be removed (yet): without `wait`, networks still in use. */
  left: string[];
}

/** `stack rm`: everything labelled with the stack's namespace. */
export async function removeStack(stack: string, options: RemoveStackOptions): Promise<RemoveStackResult> {
  const { swarm, engine, signal } = options;
  const emit = (e: FlotillaEvent): void => options.onEvent?.(e);
  const sleep = options.sleep ?? defaultSleep;
  const pollMs = options.pollMs ?? 250;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const labels = { [LABEL_NAMESPACE]: stack };
  const w: Waiter = { sleep, pollMs, ...(signal ? { signal } : {}) };
  const out: RemoveStackResult = { services: [], networks: [], secrets: [], configs: [], left: [] };
  const start = Date.now();
  const until = async (what: string, done: () => Promise<boolean>): Promise<void> => {
    for (;;) {
      if (signal?.aborted) throw aborted(signal);
      if (await done()) return;
      if (Date.now() - start > timeoutMs) throw new FlotillaError("WAIT_TIMEOUT", `stack ${stack}: ${what} not gone within ${Math.round(timeoutMs / 1000)} s`);
      await sleep(pollMs, signal);
    }
  };

  const services = await swarm.listServices({ labels });
  await Promise.all(
    services.map(async (s) => {
      emit({ type: "resource", kind: "service", name: s.spec.Name, status: "Removing" });
      await swarm.removeService(s.id);
      out.services.push(s.spec.Name);
      emit({ type: "resource", kind: "service", name: s.spec.Name, status: "Removed" });
    }),
  );
  if (options.wait) {
    // A job's completed task outlives its removed service in Swarm (with its exited container, it
    // holds nothing): those are the only tasks and containers rm --wait does not wait for.
    await until("tasks", async () => (await swarm.listTasks({ labels })).every((t) => t.state === "complete"));
    if (engine.listContainers) {
      const list = engine.listContainers.bind(engine);
      await until("containers", async () => {
        const kept = new Set((await swarm.listTasks({ labels })).map((t) => t.containerId).filter((id): id is string => id !== undefined));
        return (await list({ labels, all: true })).every((c) => kept.has(c.id));
      });
    }
  }
  const [secrets, configs] = await Promise.all([swarm.listSecrets({ labels }), swarm.listConfigs({ labels })]);
  for (const s of secrets) {
    if (await removeObjectRetrying(swarm, "secret", s.id, w, options.wait ? 40 : 0)) out.secrets.push(s.name);
    else out.left.push(`secret ${s.name}`);
  }
  for (const c of configs) {
    if (await removeObjectRetrying(swarm, "config", c.id, w, options.wait ? 40 : 0)) out.configs.push(c.name);
    else out.left.push(`config ${c.name}`);
  }
  for (const n of await engine.listNetworks({ labels })) {
    emit({ type: "resource", kind: "network", name: n.name, status: "Removing" });
    if (await removeNetworkRetrying(engine, n.id, w, options.wait ? 200 : 0)) {
      out.networks.push(n.name);
      emit({ type: "resource", kind: "network", name: n.name, status: "Removed" });
    } else out.left.push(`network ${n.name}`);
  }
  if (options.wait) {
    await until("networks", async () => (await engine.listNetworks({ labels })).length === 0);
    if (out.left.length > 0) throw new FlotillaError("WAIT_TIMEOUT", `stack ${stack}: could not remove ${out.left.join(", ")}`);
  }
  return out;
}

/**
 * The contract every wait strategy implements. A strategy waits for ONE container of a service
 * (the stack runs it for every replica) and is cancelled through `ctx.signal`, which fires on the
 * stack's overall deadline or the caller's AbortSignal. It resolves when ready and throws
 * `WaitFailure` when readiness can no longer happen (exited container, unhealthy, port not
 * published…); the stack turns both failures and deadlines into a `WaitError` with the service,
 * the strategy's description, the time spent and the container's last log lines.
 */
import type { ContainerDetails, Engine, PortBinding } from "../../runtime/engine.js";
import { sleep } from "../../runtime/conditions.js";

export interface WaitTarget {
  service: string;
  /** Container number (com.docker.compose.container-number). */
  number: number;
  id: string;
  name: string;
}

export interface WaitContext {
  engine: Engine;
  /** Host to dial for published ports (`stack.host`). */
  host: string;
  target: WaitTarget;
  /** Aborted on the overall deadline or by the caller. */
  signal: AbortSignal;
  /** Record what was last observed ("status 503", "2 of 3 lines"): shown when the deadline hits. */
  note(observation: string): void;
}

export interface WaitStrategy {
  /** e.g. `http GET :8080/health expecting 200` — used in error messages and events. */
  readonly description: string;
  wait(ctx: WaitContext): Promise<void>;
}

/** Thrown by a strategy when it can never succeed; carries only the reason. */
export class WaitFailure extends Error {
  readonly exitCode?: number;
  constructor(reason: string, exitCode?: number) {
    super(reason);
    this.name = "WaitFailure";
    if (exitCode !== undefined) this.exitCode = exitCode;
  }
}

/** Inspect the target container, failing when it is gone. */
export async function inspectTarget(ctx: WaitContext): Promise<ContainerDetails> {
  const d = await ctx.engine.inspectContainer(ctx.target.id);
  if (!d) throw new WaitFailure(`container ${ctx.target.name} no longer exists`);
  return d;
}

/** Fail when the container stopped (for strategies that need it running). */
export function requireRunning(ctx: WaitContext, d: ContainerDetails): void {
  const st = d.state;
  if (st.running || st.status === "created" || st.status === "restarting") return;
  throw new WaitFailure(`container ${ctx.target.name} exited with code ${st.exitCode}${st.oomKilled ? " (OOM killed)" : ""}`, st.exitCode);
}

/**
 * Poll `probe` until it returns true, backing off from 100 ms to 500 ms. Before each probe the
 * container must still be running. Returns on success; throws WaitFailure or the abort error.
 */
export async function poll(ctx: WaitContext, probe: (d: ContainerDetails) => boolean | Promise<boolean>, opts: { requireRunning?: boolean } = {}): Promise<void> {
  let interval = 100;
  for (;;) {
    ctx.signal.throwIfAborted();
    const d = await inspectTarget(ctx);
    if (opts.requireRunning !== false) requireRunning(ctx, d);
    if (await probe(d)) return;
    await sleep(interval, ctx.signal);
    interval = Math.min(500, Math.round(interval * 1.5));
  }
}

/** The published host port of a container port, preferring an IPv4 binding. */
export function publishedPort(d: { ports: readonly PortBinding[] }, privatePort: number, protocol: "tcp" | "udp" | "sctp" = "tcp"): number | undefined {
  const bindings = d.ports.filter((p) => p.privatePort === privatePort && p.protocol === protocol && p.publicPort);
  const v4 = bindings.find((b) => !b.hostIp || !b.hostIp.includes(":"));
  return (v4 ?? bindings[0])?.publicPort;
}

/** One attempt must not outlive the deadline: a signal that fires on either. */
export function attemptSignal(signal: AbortSignal, ms: number): AbortSignal {
  return AbortSignal.any([signal, AbortSignal.timeout(ms)]);
}

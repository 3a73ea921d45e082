/** `wait.port(p)`: a TCP connection from the host to the port published for container port `p` succeeds. */
import { connect } from "node:net";
import { attemptSignal, poll, publishedPort, WaitFailure, type WaitStrategy } from "./strategy.js";

export type TcpProbe = "open" | "refused" | "closed";

/**
 * Connect to host:port and tell whether something answers. A connection that the peer closes
 * within `graceMs` without sending a byte counts as "closed", not "open": Docker's userland proxy
 * (docker-proxy, and Desktop's port forwarders) accept on the host side whether or not anything
 * listens in the container, then hang up when their own dial fails. A server that sends a greeting
 * or keeps the connection open through the grace period is listening.
 */
export function tcpProbe(host: string, port: number, signal: AbortSignal, graceMs = 250): Promise<TcpProbe> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve("refused");
    const socket = connect({ host, port });
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const done = (r: TcpProbe): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      socket.destroy();
      resolve(r);
    };
    const onAbort = (): void => done("refused");
    signal.addEventListener("abort", onAbort, { once: true });
    socket.once("connect", () => {
      timer = setTimeout(() => done("open"), graceMs);
    });
    socket.once("data", () => done("open"));
    socket.once("end", () => done("closed"));
    socket.once("close", () => done(timer ? "closed" : "refused"));
    socket.once("error", () => done(timer ? "closed" : "refused"));
  });
}

/** true when `tcpProbe` finds the port open. */
export async function tcpConnect(host: string, port: number, signal: AbortSignal): Promise<boolean> {
  return (await tcpProbe(host, port, signal)) === "open";
}

export function port(containerPort: number): WaitStrategy {
  if (!Number.isInteger(containerPort) || containerPort <= 0 || containerPort > 65535) throw new RangeError(`wait.port: invalid port ${containerPort}`);
  return {
    description: `port ${containerPort}/tcp listening`,
    async wait(ctx) {
      await poll(ctx, async (d) => {
        const hostPort = publishedPort(d, containerPort, "tcp");
        if (hostPort === undefined) {
          throw new WaitFailure(`port ${containerPort}/tcp of ${ctx.target.name} is not published (add it under \`ports:\`, e.g. "127.0.0.1::${containerPort}")`);
        }
        const r = await tcpProbe(ctx.host, hostPort, attemptSignal(ctx.signal, 2000));
        ctx.note(
          r === "open"
            ? "connected"
            : r === "refused"
              ? `connection to ${ctx.host}:${hostPort} refused`
              : `connection to ${ctx.host}:${hostPort} closed at once: nothing listening in the container yet`,
        );
        return r === "open";
      });
    },
  };
}

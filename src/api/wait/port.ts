/** `wait.port(p)`: a TCP connection from the host to the port published for container port `p` succeeds. */
import { connect } from "node:net";
import { attemptSignal, poll, publishedPort, WaitFailure, type WaitStrategy } from "./strategy.js";

export function tcpConnect(host: string, port: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      signal.removeEventListener("abort", onAbort);
      socket.destroy();
      resolve(ok);
    };
    const onAbort = (): void => done(false);
    signal.addEventListener("abort", onAbort, { once: true });
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
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
        const ok = await tcpConnect(ctx.host, hostPort, attemptSignal(ctx.signal, 2000));
        ctx.note(ok ? "connected" : `connection to ${ctx.host}:${hostPort} refused`);
        return ok;
      });
    },
  };
}

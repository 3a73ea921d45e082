/** `wait.http({port, path, status, body, method})`: an HTTP request to the published port answers as expected. */
import { attemptSignal, poll, publishedPort, WaitFailure, type WaitStrategy } from "./strategy.js";

export interface HttpWaitOptions {
  /** Container port (the published host port is looked up). */
  port: number;
  path?: string;
  /** Expected status, or a predicate; default 200. */
  status?: number | ((status: number) => boolean);
  /** The body must contain this text or match this pattern. */
  body?: string | RegExp;
  method?: string;
  headers?: Record<string, string>;
  /** "https" to use TLS (certificates are verified by Node's defaults). */
  protocol?: "http" | "https";
  /** Per-request timeout in ms (default 2000). */
  requestTimeout?: number;
}

export function http(opts: HttpWaitOptions): WaitStrategy {
  const path = opts.path === undefined ? "/" : opts.path.startsWith("/") ? opts.path : `/${opts.path}`;
  const method = (opts.method ?? "GET").toUpperCase();
  const status = opts.status ?? 200;
  const statusOk = typeof status === "function" ? status : (s: number) => s === status;
  const expect =
    (typeof status === "function" ? "expecting a matching status" : `expecting ${status}`) +
    (opts.body === undefined ? "" : typeof opts.body === "string" ? ` with body containing ${JSON.stringify(opts.body)}` : ` with body matching ${String(opts.body)}`);
  return {
    description: `http ${method} :${opts.port}${path} ${expect}`,
    async wait(ctx) {
      await poll(ctx, async (d) => {
        const hostPort = publishedPort(d, opts.port, "tcp");
        if (hostPort === undefined) {
          throw new WaitFailure(`port ${opts.port}/tcp of ${ctx.target.name} is not published (add it under \`ports:\`, e.g. "127.0.0.1::${opts.port}")`);
        }
        const host = ctx.host.includes(":") ? `[${ctx.host}]` : ctx.host;
        const url = `${opts.protocol ?? "http"}://${host}:${hostPort}${path}`;
        try {
          const res = await fetch(url, { method, ...(opts.headers ? { headers: opts.headers } : {}), signal: attemptSignal(ctx.signal, opts.requestTimeout ?? 2000) });
          const text = opts.body === undefined ? (await res.body?.cancel(), "") : await res.text();
          if (!statusOk(res.status)) {
            ctx.note(`last answer: status ${res.status}`);
            return false;
          }
          if (opts.body !== undefined) {
            const ok = typeof opts.body === "string" ? text.includes(opts.body) : opts.body.test(text);
            if (!ok) {
              ctx.note(`last answer: status ${res.status}, body ${JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text)}`);
              return false;
            }
          }
          return true;
        } catch (e) {
          ctx.signal.throwIfAborted();
          const cause = (e as { cause?: { code?: string; message?: string } }).cause;
          ctx.note(`last attempt: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
          return false;
        }
      });
    },
  };
}

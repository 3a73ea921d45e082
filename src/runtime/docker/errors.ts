/**
 * Engine error mapping, done once here: whatever dockerode throws becomes an EngineError whose
 * code comes from the HTTP status (404 → NOT_FOUND, 409 → CONFLICT) or, where the caller names the
 * resource's own meaning of a status (a network with endpoints, a volume in use → IN_USE; a missing
 * image → IMAGE_NOT_FOUND), from that. Callers check codes, never the engine's message text.
 */
import { EngineError, FlotillaError, type ErrorCode } from "../../errors.js";
import type { EndpointConfig } from "../connect.js";
import { isPodmanConflictMessage, isPodmanNotFoundMessage } from "./podman.js";
import type { DockerodeError } from "./types.js";

/** Names a status's meaning for one call (undefined: the default mapping). */
export type CodeFor = (status: number | undefined, message: string) => ErrorCode | undefined;

const CONNECTION_CODES = new Set(["ECONNREFUSED", "ENOENT", "EACCES", "ECONNRESET", "EHOSTUNREACH", "ETIMEDOUT", "ENOTFOUND", "EPIPE"]);

/** The engine's own message, without dockerode's "(HTTP code 404) no such container - " prefix. */
export function engineMessage(e: DockerodeError): string {
  const json = e.json;
  if (Buffer.isBuffer(json)) {
    if (json.length > 0) return json.toString("utf8").trim();
  } else if (json && typeof json === "object" && typeof (json as { message?: unknown }).message === "string") {
    return (json as { message: string }).message.trim();
  }
  return String(e.message ?? e)
    .replace(/^\(HTTP code \d+\)\s*[^-]*-\s*/, "")
    .trim();
}

export function isAbort(e: unknown): boolean {
  return e instanceof Error && (e.name === "AbortError" || (e as DockerodeError).code === "ABORT_ERR");
}

export function abortedError(cause?: unknown): FlotillaError {
  return new FlotillaError("ABORTED", "the operation was cancelled", cause !== undefined ? { cause } : {});
}

export function statusOf(e: unknown): number | undefined {
  const s = (e as DockerodeError | undefined)?.statusCode;
  return typeof s === "number" ? s : undefined;
}

/**
 * Not found. Podman answers 500 `… does not exist in database: no such container` for a container
 * removed while it was looking it up (Docker: 404).
 */
export function is404(e: unknown): boolean {
  const status = statusOf(e);
  return status === 404 || (status === 500 && isPodmanNotFoundMessage(messageOf(e)));
}

export function messageOf(e: unknown): string {
  return e instanceof Error ? engineMessage(e) : String(e);
}

export function unreachable(endpoint: EndpointConfig, cause: unknown): EngineError {
  return new EngineError("ENGINE_UNREACHABLE", `cannot reach the Docker engine at ${endpoint.url}: is dockerd running?`, {
    hint: "start it (e.g. `sudo systemctl start docker`, or scripts/engine.sh here) or set DOCKER_HOST",
    cause,
  });
}

/** How long ping and version may take: a well engine answers them in milliseconds. Long calls (logs, wait, events, attach) are not bounded. */
export const ANSWER_TIMEOUT_MS = 5_000;

/** An engine that accepted the connection but did not answer a short call in time (hung dockerd, a black-holed host). */
export function notAnswering(endpoint: EndpointConfig, cause: unknown, timeoutMs = ANSWER_TIMEOUT_MS): EngineError {
  return new EngineError("ENGINE_UNREACHABLE", `the Docker engine at ${endpoint.url} accepted the connection but did not answer within ${timeoutMs / 1000} s`, {
    hint: "dockerd may be hung or overloaded: check it (`docker info`, its log) or restart it, or set DOCKER_HOST to another engine",
    cause,
  });
}

/** The code of a failed call: the caller's meaning first, then the message's, then the status's. */
function codeOf(status: number | undefined, message: string, codeFor?: CodeFor): ErrorCode {
  const named = codeFor?.(status, message);
  if (named !== undefined) return named;
  if (/port is already allocated|address already in use/i.test(message)) return "PORT_ALLOCATED";
  if (status === 404 || (status === 500 && isPodmanNotFoundMessage(message))) return "NOT_FOUND";
  if (status === 409) return "CONFLICT";
  // Podman answers 500 for what Docker calls a conflict (409): a stopped container killed, a name taken.
  if (status === 500 && isPodmanConflictMessage(message)) return "CONFLICT";
  return "ENGINE";
}

function hintFor(code: ErrorCode, message: string): string | undefined {
  if (code === "PORT_ALLOCATED") return "another container or process uses this host port: stop it or publish a different port";
  if (code !== "IMAGE_NOT_FOUND") return undefined;
  return /does not match the specified platform/i.test(message)
    ? "the local image is for another platform: pull or build it for the service's platform, or remove platform:"
    : "pull or build the image first (flotilla pull / flotilla build)";
}

/** Turn whatever dockerode threw into an EngineError (our own errors pass through). */
export function toEngineError(endpoint: EndpointConfig, e: unknown, what: string, codeFor?: CodeFor): FlotillaError {
  if (e instanceof FlotillaError) return e;
  if (isAbort(e)) return abortedError(e);
  const err = e as DockerodeError | undefined;
  if (err && typeof err.code === "string" && CONNECTION_CODES.has(err.code) && err.statusCode === undefined) {
    return unreachable(endpoint, e);
  }
  const status = statusOf(e);
  const message = messageOf(e);
  const code = codeOf(status, message, codeFor);
  const hint = hintFor(code, message);
  return new EngineError(code, `${what}: ${message}`, {
    ...(status !== undefined ? { statusCode: status } : {}),
    ...(hint !== undefined ? { hint } : {}),
    cause: e,
  });
}

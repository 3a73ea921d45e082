/**
 * Where the Docker engine is: `DOCKER_HOST` (+ `DOCKER_TLS_VERIFY` / `DOCKER_CERT_PATH`), else the
 * Docker CLI context (`DOCKER_CONTEXT` or `currentContext` in ~/.docker/config.json), else the
 * default local socket. Inputs are explicit (env, home dir, a file reader) so this is testable.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { EngineError } from "../errors.js";

export interface EndpointConfig {
  kind: "unix" | "tcp" | "npipe";
  socketPath?: string;
  host?: string;
  port?: number;
  tls?: { ca?: string; cert?: string; key?: string };
  /** As printed in messages, e.g. "unix:///var/run/docker.sock". */
  url: string;
}

export const DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";

type Env = Readonly<Record<string, string | undefined>>;
type ReadFile = (path: string) => string | undefined;

function truthy(v: string | undefined): boolean {
  return v !== undefined && v !== "" && v !== "0" && v.toLowerCase() !== "false";
}

function readTls(certPath: string, readFile: ReadFile): NonNullable<EndpointConfig["tls"]> {
  const tls: NonNullable<EndpointConfig["tls"]> = {};
  const ca = readFile(join(certPath, "ca.pem"));
  const cert = readFile(join(certPath, "cert.pem"));
  const key = readFile(join(certPath, "key.pem"));
  if (ca !== undefined) tls.ca = ca;
  if (cert !== undefined) tls.cert = cert;
  if (key !== undefined) tls.key = key;
  return tls;
}

/**
 * Parse a Docker host URL (`unix:///path`, `tcp://host:port`, `npipe:////./pipe/name`,
 * `http(s)://host:port`). `source` names where it came from, for the error message.
 */
export function parseDockerHost(
  value: string,
  source: string,
  tls?: EndpointConfig["tls"],
): EndpointConfig {
  const bad = (why: string): EngineError =>
    new EngineError("ENGINE_UNREACHABLE", `invalid Docker host "${value}" (from ${source}): ${why}`, {
      hint: "use unix:///path/to/docker.sock or tcp://host:port",
    });
  const m = /^([a-z]+):\/\/(.*)$/i.exec(value.trim());
  if (!m) {
    // A bare path is a socket path, as the Docker CLI accepts.
    if (value.startsWith("/")) return { kind: "unix", socketPath: value, url: `unix://${value}` };
    throw bad("missing scheme");
  }
  const scheme = (m[1] as string).toLowerCase();
  const rest = m[2] as string;
  switch (scheme) {
    case "unix": {
      if (!rest.startsWith("/")) throw bad("the socket path must be absolute");
      return { kind: "unix", socketPath: rest, url: `unix://${rest}` };
    }
    case "npipe": {
      const pipe = rest.replace(/\//g, "\\");
      if (pipe === "") throw bad("missing pipe name");
      return { kind: "npipe", socketPath: pipe, url: value };
    }
    case "tcp":
    case "http":
    case "https": {
      const hostPort = rest.replace(/\/.*$/, "");
      let host: string;
      let portText: string | undefined;
      const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(hostPort);
      if (v6) {
        host = v6[1] as string;
        portText = v6[2];
      } else {
        const i = hostPort.lastIndexOf(":");
        host = i >= 0 ? hostPort.slice(0, i) : hostPort;
        portText = i >= 0 ? hostPort.slice(i + 1) : undefined;
      }
      if (host === "") throw bad("missing host");
      const secure = scheme === "https" || tls !== undefined;
      const port = portText !== undefined && portText !== "" ? Number(portText) : secure ? 2376 : 2375;
      if (!Number.isInteger(port) || port <= 0 || port > 65535) throw bad(`invalid port "${portText}"`);
      const endpoint: EndpointConfig = { kind: "tcp", host, port, url: `tcp://${hostPort.includes(":") ? hostPort : `${hostPort}:${port}`}` };
      if (tls !== undefined) endpoint.tls = tls;
      else if (scheme === "https") endpoint.tls = {};
      return endpoint;
    }
    default:
      throw bad(`unsupported scheme "${scheme}"`);
  }
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new EngineError("ENGINE_UNREACHABLE", `cannot parse ${file}: ${(e as Error).message}`, {
      hint: "fix or remove the file, or set DOCKER_HOST",
      cause: e,
    });
  }
}

function get(obj: unknown, ...keys: string[]): unknown {
  let cur = obj;
  for (const k of keys) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** Resolve the engine endpoint the way the Docker CLI does. */
export function resolveEndpoint(env: Env, homeDir: string, readFile: ReadFile): EndpointConfig {
  const dockerHost = env["DOCKER_HOST"];
  if (dockerHost !== undefined && dockerHost !== "") {
    let tls: EndpointConfig["tls"];
    if (truthy(env["DOCKER_TLS_VERIFY"]) || (env["DOCKER_CERT_PATH"] ?? "") !== "") {
      const certPath = env["DOCKER_CERT_PATH"] || join(homeDir, ".docker");
      tls = readTls(certPath, readFile);
    }
    return parseDockerHost(dockerHost, "DOCKER_HOST", dockerHost.startsWith("unix:") ? undefined : tls);
  }

  const dockerConfigDir = env["DOCKER_CONFIG"] || join(homeDir, ".docker");
  let context = env["DOCKER_CONTEXT"];
  if (context === undefined || context === "") {
    const configFile = join(dockerConfigDir, "config.json");
    const text = readFile(configFile);
    if (text !== undefined && text.trim() !== "") {
      const current = get(parseJson(text, configFile), "currentContext");
      if (typeof current === "string") context = current;
    }
  }
  if (context !== undefined && context !== "" && context !== "default") {
    const digest = createHash("sha256").update(context).digest("hex");
    const contextDir = join(dockerConfigDir, "contexts");
    const metaFile = join(contextDir, "meta", digest, "meta.json");
    const text = readFile(metaFile);
    if (text === undefined) {
      throw new EngineError("ENGINE_UNREACHABLE", `Docker context "${context}" not found (no ${metaFile})`, {
        hint: "run `docker context ls` to list contexts, or set DOCKER_HOST / DOCKER_CONTEXT",
      });
    }
    const meta = parseJson(text, metaFile);
    const host = get(meta, "Endpoints", "docker", "Host");
    if (typeof host !== "string" || host === "") {
      throw new EngineError("ENGINE_UNREACHABLE", `Docker context "${context}" has no docker endpoint (${metaFile})`, {
        hint: "run `docker context inspect` to check it, or set DOCKER_HOST",
      });
    }
    let tls: EndpointConfig["tls"];
    const skipVerify = get(meta, "Endpoints", "docker", "SkipTLSVerify");
    const tlsDir = join(contextDir, "tls", digest, "docker");
    const ca = readFile(join(tlsDir, "ca.pem"));
    const cert = readFile(join(tlsDir, "cert.pem"));
    const key = readFile(join(tlsDir, "key.pem"));
    if (ca !== undefined || cert !== undefined || key !== undefined) {
      tls = {};
      if (ca !== undefined && skipVerify !== true) tls.ca = ca;
      if (cert !== undefined) tls.cert = cert;
      if (key !== undefined) tls.key = key;
    }
    return parseDockerHost(host, `Docker context "${context}"`, host.startsWith("unix:") ? undefined : tls);
  }

  return parseDockerHost(DEFAULT_DOCKER_HOST, "the default");
}

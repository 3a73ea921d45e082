/**
 * Connecting to an engine: `connectEngine(env)` is the one factory the CLI, the library and the
 * reaper use. It finds the endpoint (DOCKER_HOST, the Docker context, the default socket), the
 * registry credentials of the same Docker config, makes the dockerode client — the only place in
 * Flotilla that does — and checks once that the engine answers.
 */
import type Docker from "dockerode";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { resolveEndpoint, type EndpointConfig } from "../connect.js";
import { dockerRegistryAuth, type RegistryAuth } from "../registry-auth.js";
import { DockerEngine, type DockerEngineOptions } from "./docker-engine.js";

/**
 * Load dockerode without its heaviest dependencies. At require time dockerode pulls in gRPC and
 * protobuf (only for BuildKit sessions, which Flotilla does not use) and docker-modem pulls in ssh2
 * (only for ssh:// hosts): together most of its ~0.3 s load. Both are reached through one small
 * internal module each (`dockerode/lib/session.js`, `docker-modem/lib/ssh.js`) whose export is a
 * function, so we pre-seed the require cache with functions that load the real module on first call.
 */
let dockerodeCtor: typeof Docker | undefined;
/**
 * The CLI bundle (scripts/bundle.mjs) defines FLOTILLA_BUNDLE and follows the literal `require`
 * below, so dockerode is inlined into the bundle and its V8 code cache instead of being resolved,
 * read and compiled file by file on every run (the bundle keeps the same two parts lazy).
 */
declare const FLOTILLA_BUNDLE: boolean | undefined;
const BUNDLED = typeof FLOTILLA_BUNDLE !== "undefined" && FLOTILLA_BUNDLE === true;
function loadDockerode(): typeof Docker {
  if (dockerodeCtor) return dockerodeCtor;
  if (BUNDLED) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the CLI bundle inlines dockerode; loading it stays synchronous
    dockerodeCtor = require("dockerode") as typeof Docker;
    return dockerodeCtor;
  }
  const req = createRequire(import.meta.url);
  const dockerodeMain = req.resolve("dockerode");
  const modemMain = createRequire(dockerodeMain).resolve("docker-modem");
  for (const file of [join(dirname(dockerodeMain), "session.js"), join(dirname(modemMain), "ssh.js")]) {
    if (req.cache[file]) continue;
    const lazy = function (this: unknown, ...args: unknown[]): unknown {
      delete req.cache[file];
      const real = req(file) as (...a: unknown[]) => unknown;
      return real.apply(this, args);
    };
    const entry: Pick<NodeJS.Module, "id" | "filename" | "loaded" | "exports" | "children" | "paths"> = { id: file, filename: file, loaded: true, exports: lazy, children: [], paths: [] };
    req.cache[file] = entry as NodeJS.Module;
  }
  dockerodeCtor = req("dockerode") as typeof Docker;
  return dockerodeCtor;
}

/** dockerode's options for an endpoint. */
export function dockerodeOptions(endpoint: EndpointConfig): Docker.DockerOptions {
  const options: Docker.DockerOptions = {};
  if (endpoint.kind === "unix" || endpoint.kind === "npipe") {
    options.socketPath = endpoint.socketPath ?? "/var/run/docker.sock";
    return options;
  }
  options.host = endpoint.host ?? "localhost";
  options.port = endpoint.port ?? 2375;
  if (!endpoint.tls) {
    options.protocol = "http";
    return options;
  }
  options.protocol = "https";
  if (endpoint.tls.ca !== undefined) options.ca = endpoint.tls.ca;
  if (endpoint.tls.cert !== undefined) options.cert = endpoint.tls.cert;
  if (endpoint.tls.key !== undefined) options.key = endpoint.tls.key;
  return options;
}

/** An adapter for `endpoint`, without pinging it. */
export function openEngine(endpoint: EndpointConfig, options: DockerEngineOptions = {}): DockerEngine {
  const Dockerode = loadDockerode();
  return new DockerEngine(new Dockerode(dockerodeOptions(endpoint)), endpoint, options);
}

type Env = Readonly<Record<string, string | undefined>>;

export interface ConnectOptions {
  /** The engine to talk to (default: the one `env` names: DOCKER_HOST, the Docker context, the default socket). */
  endpoint?: EndpointConfig;
  /** Registry credentials for pulls and pushes (default: the Docker config of `env`, as `docker login` left it). */
  registryAuth?: RegistryAuth;
  /** Home directory holding `.docker/` (default: the user's). */
  homeDir?: string;
  /** How files (Docker config, contexts, TLS keys) are read (default: from disk; undefined when missing). */
  readFile?: (path: string) => string | undefined;
}

function readFileOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * Connect to the engine `env` names and check once that it answers (its /_ping, whose headers are
 * kept for later: see DockerEngine.handshake); ENGINE_UNREACHABLE when it does not.
 */
export async function connectEngine(env: Env, options: ConnectOptions = {}): Promise<DockerEngine> {
  const home = options.homeDir ?? homedir();
  const readFile = options.readFile ?? readFileOrUndefined;
  const endpoint = options.endpoint ?? resolveEndpoint(env, home, readFile);
  const registryAuth = options.registryAuth ?? dockerRegistryAuth(env, home, readFile);
  const engine = openEngine(endpoint, { registryAuth });
  await engine.handshake();
  return engine;
}

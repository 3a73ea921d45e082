/**
 * What every resource module of the adapter shares: the dockerode client, the endpoint it talks
 * to, registry credentials, the error mapping, and what the engine is (Docker or Podman: from the
 * headers of its /_ping; its /version document only when asked for).
 */
import type Docker from "dockerode";
import type { IncomingMessage } from "node:http";
import type { FlotillaError } from "../../errors.js";
import type { EndpointConfig } from "../connect.js";
import type { RegistryAuth } from "../registry-auth.js";
import { ANSWER_TIMEOUT_MS, notAnswering, toEngineError, type CodeFor } from "./errors.js";
import { podmanApiVersionFromHeaders } from "./podman.js";
import type { VersionDoc } from "./types.js";

export class DockerContext {
  readonly docker: Docker;
  readonly endpoint: EndpointConfig;
  /** Registry credentials for pulls and pushes (none: anonymous). */
  readonly auth: RegistryAuth | undefined;
  /** Podman healthchecks the adapter is running, by container id (one at a time each). */
  readonly healthRuns = new Map<string, Promise<void>>();
  /** The engine's /version document, read once (for `info`). */
  #version: Promise<VersionDoc> | undefined;
  /** The libpod API version from the engine's /_ping headers (undefined: Docker), read once. */
  #podman: Promise<string | undefined> | undefined;

  constructor(docker: Docker, endpoint: EndpointConfig, auth: RegistryAuth | undefined) {
    this.docker = docker;
    this.endpoint = endpoint;
    this.auth = auth;
  }

  /** Whatever dockerode threw, as an EngineError with a code (see errors.ts). */
  fail(e: unknown, what: string, codeFor?: CodeFor): FlotillaError {
    return toEngineError(this.endpoint, e, what, codeFor);
  }

  readVersion(): Promise<VersionDoc> {
    this.#version ??= this.#once(
      (signal) => (this.docker.version.bind(this.docker) as (options: { abortSignal: AbortSignal }) => Promise<VersionDoc>)({ abortSignal: signal }),
      () => (this.#version = undefined),
    );
    return this.#version;
  }

  /**
   * GET /_ping, once per connection: the first call on it (see DockerEngine.handshake). Its headers
   * say whether the engine is Podman, which the adapter asks before it maps a container list. Not
   * /version for this: Docker's runs `runc --version` and `docker-init --version` on every call
   * (15–80 ms here) where /_ping answers in well under a millisecond.
   */
  pingIdentity(): Promise<string | undefined> {
    this.#podman ??= this.#once(
      (signal) =>
        new Promise<string | undefined>((resolve, reject) => {
          this.docker.modem.dial({ path: "/_ping", method: "GET", isStream: true, abortSignal: signal, statusCodes: { 200: true, 500: "server error" } }, (err, res) => {
            if (err) return reject(err);
            const reply = res as IncomingMessage;
            reply.resume(); // the body is "OK"
            resolve(podmanApiVersionFromHeaders(reply.headers));
          });
        }),
      () => (this.#podman = undefined),
    );
    return this.#podman;
  }

  /** A short call, bounded (an engine that accepts but never answers fails, naming its socket); `forget` on failure, so the next call tries again. */
  #once<T>(call: (signal: AbortSignal) => Promise<T>, forget: () => void): Promise<T> {
    const signal = AbortSignal.timeout(ANSWER_TIMEOUT_MS);
    const p = call(signal).catch((e: unknown) => {
      throw signal.aborted ? notAnswering(this.endpoint, e) : e;
    });
    p.catch(forget);
    return p;
  }

  /** The libpod API version when the engine is Podman; undefined for Docker (or when unknown). */
  async podman(): Promise<string | undefined> {
    try {
      return await this.pingIdentity();
    } catch {
      return undefined;
    }
  }
}

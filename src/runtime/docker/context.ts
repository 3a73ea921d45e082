/**
 * What every resource module of the adapter shares: the dockerode client, the endpoint it talks
 * to, registry credentials, the error mapping and the engine's /version (Docker or Podman).
 */
import type Docker from "dockerode";
import type { IncomingMessage } from "node:http";
import type { FlotillaError } from "../../errors.js";
import type { EndpointConfig } from "../connect.js";
import type { RegistryAuth } from "../registry-auth.js";
import { ANSWER_TIMEOUT_MS, notAnswering, toEngineError, type CodeFor } from "./errors.js";
import { libpodApiVersion } from "./podman.js";
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
  /** The engine's answer to /_ping, read once: Podman's names its libpod API version (a header). */
  #probe: Promise<{ libpod: string | undefined }> | undefined;

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
    if (this.#version === undefined) {
      // A short call, bounded like ping: an engine that accepts but never answers fails, naming its socket.
      const signal = AbortSignal.timeout(ANSWER_TIMEOUT_MS);
      const version = this.docker.version.bind(this.docker) as (options: { abortSignal: AbortSignal }) => Promise<VersionDoc>;
      const p: Promise<VersionDoc> = version({ abortSignal: signal }).catch((e: unknown) => {
        throw signal.aborted ? notAnswering(this.endpoint, e) : e;
      });
      this.#version = p;
      p.catch(() => {
        if (this.#version === p) this.#version = undefined; // try again next time
      });
    }
    return this.#version;
  }

  /**
   * GET /_ping once, bounded like a ping: it proves the engine answers, and its `Libpod-Api-Version`
   * header tells Podman from Docker. (Podman's /version gathers host information: 0.3-0.7 s here
   * when idle, over 5 s under load, where Docker answers both in milliseconds.)
   */
  probe(): Promise<{ libpod: string | undefined }> {
    if (this.#probe === undefined) {
      const signal = AbortSignal.timeout(ANSWER_TIMEOUT_MS);
      const p = new Promise<{ libpod: string | undefined }>((resolve, reject) => {
        this.docker.modem.dial({ path: "/_ping", method: "GET", isStream: true, abortSignal: signal, statusCodes: { 200: true, 500: "server error" } }, (err, res) => {
          if (err) return reject(signal.aborted ? notAnswering(this.endpoint, err) : err);
          const reply = res as IncomingMessage;
          reply.resume();
          resolve({ libpod: libpodApiVersion(reply.headers) });
        });
      });
      this.#probe = p;
      p.catch(() => {
        if (this.#probe === p) this.#probe = undefined; // try again next time
      });
    }
    return this.#probe;
  }

  /** The libpod API version when the engine is Podman; undefined for Docker (or when unknown). */
  async podman(): Promise<string | undefined> {
    try {
      return (await this.probe()).libpod;
    } catch {
      return undefined;
    }
  }
}

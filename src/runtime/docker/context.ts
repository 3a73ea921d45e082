/**
 * What every resource module of the adapter shares: the dockerode client, the endpoint it talks
 * to, registry credentials, the error mapping and the engine's /version (Docker or Podman).
 */
import type Docker from "dockerode";
import type { FlotillaError } from "../../errors.js";
import type { EndpointConfig } from "../connect.js";
import type { RegistryAuth } from "../registry-auth.js";
import { toEngineError, type CodeFor } from "./errors.js";
import { podmanApiVersion } from "./podman.js";
import type { VersionDoc } from "./types.js";

export class DockerContext {
  readonly docker: Docker;
  readonly endpoint: EndpointConfig;
  /** Registry credentials for pulls and pushes (none: anonymous). */
  readonly auth: RegistryAuth | undefined;
  /** Podman healthchecks the adapter is running, by container id (one at a time each). */
  readonly healthRuns = new Map<string, Promise<void>>();
  /** The engine's /version document, read once (it tells Docker from Podman). */
  #version: Promise<VersionDoc> | undefined;

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
      const p: Promise<VersionDoc> = this.docker.version();
      this.#version = p;
      p.catch(() => {
        if (this.#version === p) this.#version = undefined; // try again next time
      });
    }
    return this.#version;
  }

  /** The libpod API version when the engine is Podman; undefined for Docker (or when unknown). */
  async podman(): Promise<string | undefined> {
    try {
      return podmanApiVersion(await this.readVersion());
    } catch {
      return undefined;
    }
  }
}

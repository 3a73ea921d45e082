/**
 * Engine documents as @types/dockerode describes them, loosened: every field may be missing or
 * null, because Podman's compat API (and older engines) leave out what Docker always sends. The
 * mapping code reads them with defaults instead of trusting the declared shape.
 */
import type Docker from "dockerode";

export type Loose<T> = T extends readonly (infer U)[]
  ? Loose<U>[]
  : T extends Date
    ? T
    : T extends object
      ? string extends keyof T
        ? T // a map (labels, options): kept as declared
        : { [K in keyof T]?: Loose<T[K]> | null }
      : T;

export type ContainerListDoc = Loose<Docker.ContainerInfo>;
export type ContainerDoc = Loose<Docker.ContainerInspectInfo>;
export type NetworkDoc = Loose<Docker.NetworkInspectInfo>;
export type VolumeDoc = Loose<Docker.VolumeInspectInfo>;
export type ImageDoc = Loose<Docker.ImageInspectInfo> & { Size?: number | null; Metadata?: { LastTagTime?: string | null } | null };
/** /version; Podman's components spell the API version `APIVersion` (Docker's `ApiVersion`). */
export type VersionDoc = Omit<Loose<Docker.DockerVersion>, "Components"> & {
  Components?: { Name?: string | null; Version?: string | null; Details?: { APIVersion?: string | null; ApiVersion?: string | null } | null }[] | null;
};
export type StatsDoc = Loose<Docker.ContainerStats>;
export type ExecDoc = Loose<Docker.ExecInspectInfo>;

/** One JSON-lines message of a pull, push or build progress stream. */
export interface ProgressDoc {
  id?: string;
  status?: string;
  progress?: string;
  stream?: string;
  progressDetail?: { current?: number; total?: number };
  error?: unknown;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

/** One message of the engine's event stream (new and legacy field names). */
export interface EventDoc {
  Type?: string;
  type?: string;
  Action?: string;
  status?: string;
  id?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  time?: number;
  timeNano?: number;
}

/** What dockerode and docker-modem attach to the errors they throw. */
export interface DockerodeError extends Error {
  statusCode?: number;
  json?: unknown;
  reason?: string;
  code?: string;
}

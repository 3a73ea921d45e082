/**
 * The shape of one row of the service attribute table: how a key of a service is read
 * (normalize), merged over an earlier file (merge), printed by `config` (print; the table's order
 * is the output order) and turned into the container create body (container). The model type of
 * the key is what its `normalize` returns: `ServiceConfig` is derived from the table.
 *
 * The container column is data plus small functions over `ContainerPort`, a port the runtime
 * implements, so this module stays pure and imports nothing from the runtime.
 */
import type { Merger } from "../merge/maps.js";
import type { Shape } from "../serialize/shapes.js";
import type { Normalizer, Path } from "../normalize/normalizer.js";
import type { RawMap } from "../tags.js";

/** What a normalizer sees of the service being normalized, besides the value of its own key. */
export interface ServiceScope {
  readonly name: string;
  /** The service as written (merged and interpolated). */
  readonly raw: RawMap;
  /** The normalized service so far (a row may fill another key, e.g. `x-develop` → `develop`). */
  readonly out: Record<string, unknown>;
  /**
   * Reads the service's `env_file`s (set by the `env_file` row unless `--no-env-resolution`): called
   * once every key is read, with the service's `environment`, which the files' `${VAR}` see; their
   * variables are merged under `environment`.
   */
  readEnvFiles?: (environment: Readonly<Record<string, string | null>>) => Record<string, string>;
  /** Labels read from `label_file`, merged under `labels` once every key is read. */
  labelFileLabels?: Record<string, string>;
}

/** Raw value → model value; `undefined` leaves the key out of the model. */
export type NormalizeFn<T> = (nz: Normalizer, value: unknown, path: Path, scope: ServiceScope) => T | undefined;

/**
 * The steps of building a create body, in order. A row converts in its stage; within a stage the
 * runtime's group converter (if any) runs first, then the rows in table order.
 */
export const STAGES = [
  "process", "labels", "healthcheck", "ports", "volumes", "storage", "secrets", "networks", "dns", "lifecycle",
  "security", "logging", "resources", "swarm", "unsupported", "api-socket", "extensions",
] as const;
export type Stage = (typeof STAGES)[number];

/** Converters in the runtime that handle several keys together (they need the project or the engine's view). */
export type ConvertGroup = "labels" | "ports" | "volumes" | "secrets" | "networks" | "restart" | "resources" | "deploy";

/** A file written into the container after create (through the archive API). */
export interface InjectedFile {
  containerPath: string;
  content: string;
  mode: number;
}

/** What a row's container function can do to the create body. Implemented by the runtime. */
export interface ContainerPort {
  /** Set a top-level field of the create body (`Cmd`, `Env`, `StopSignal`…). */
  setConfig(field: string, value: unknown): void;
  /** A top-level field set by an earlier step (e.g. `Env`). */
  current(field: string): unknown;
  /** Set a `HostConfig` field. */
  setHost(field: string, value: unknown): void;
  /** Append to `HostConfig.Mounts`. */
  mount(mount: Record<string, unknown>): void;
  /** Write a file into the container after create. */
  inject(file: InjectedFile): void;
  /** Registry credentials the caller handed over for the container (Docker config `auths` entries), if any. */
  readonly registryCredentials: Readonly<Record<string, Readonly<Record<string, string>>>> | undefined;
  warn(attr: string, why: string): void;
  fail(message: string, hint?: string): never;
  bytes(attr: string, v: string | number): number;
  duration(attr: string, v: string | number, unit: "ns" | "s" | "us"): number;
  /** `service:x` → `container:<id>` (a service that has no container yet is an error). */
  serviceRef(attr: string, value: string): string;
}

export type ContainerRule<T> =
  /** Converted by this row: called with the model value when it is set. */
  | { readonly stage: Stage; apply(value: T, to: ContainerPort): void }
  /** Converted together with other keys by a group converter of the runtime. */
  | { readonly stage: Stage; readonly group: ConvertGroup }
  /** Not a container setting: why (the image name, the build, the start order…). */
  | { readonly elsewhere: string }
  /** Not supported by a single engine: the warning printed when the key is set. */
  | { readonly stage: Stage; readonly unsupported: string };

export interface ServiceAttribute<K extends string = string, T = unknown> {
  readonly key: K;
  readonly normalize: NormalizeFn<T>;
  /** Multi-file merge and `extends`; absent = generic (maps deep-merge, lists append, scalars replace). */
  readonly merge?: Merger;
  /**
   * Compose's unicity (compose-go `override/uncity.go`): the identity of a list entry. Entries of
   * one list with the same identity are one, also inside a single file: the later value wins, in
   * the earlier one's place. Rows with it merge with `appendUnique` of the same identity.
   */
  readonly unique?: (item: unknown) => string;
  /** How `config` prints the value; absent = as it is. */
  readonly print?: Shape;
  /** Printed after the keys Compose knows (sorted with other unknown keys), not at its place in the table. */
  readonly printUnordered?: true;
  readonly container: ContainerRule<T>;
}

/** One row. `T` (the model type) is inferred from `normalize`. */
export function attr<K extends string, T>(
  key: K,
  row: Omit<ServiceAttribute<K, T>, "key" | "container"> & { readonly container: ContainerRule<NoInfer<T>> },
): ServiceAttribute<K, T> {
  return { key, ...row };
}

/** The model of a service as the table declares it: each key optional, typed by its normalizer. */
export type AttributeModel<Rows extends readonly ServiceAttribute<string, unknown>[]> = {
  -readonly [R in Rows[number] as R["key"]]?: R extends ServiceAttribute<string, infer T> ? T : never;
};

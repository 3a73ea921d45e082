/**
 * The normalized, typed Compose model: what `flotilla config --format json` prints and what the
 * runtime consumes. Keys keep Compose's spelling (snake_case) so the model *is* the canonical
 * output of `docker compose config`. Everything is in long syntax, paths are absolute,
 * resource names are filled in.
 */

import type { SERVICE_ATTRIBUTES } from "./attributes/table.js";
import type { AttributeModel } from "./attributes/types.js";
import type { Locations } from "./locations.js";

export type Mapping<T = string> = Record<string, T>;

export interface ComposeModel {
  name: string;
  services: Record<string, ServiceConfig>;
  networks: Record<string, NetworkConfig>;
  volumes: Record<string, VolumeConfig>;
  secrets: Record<string, SecretConfig>;
  configs: Record<string, ConfigConfig>;
  /** x-* extensions at the top level are kept as-is. */
  [extension: `x-${string}`]: unknown;
}

export type DependsOnCondition = "service_started" | "service_healthy" | "service_completed_successfully";

export interface DependsOnEntry {
  condition: DependsOnCondition;
  required: boolean;
  restart?: boolean;
  /** x-* extensions of the entry, kept as written. */
  [extension: `x-${string}`]: unknown;
}

export interface PortConfig {
  name?: string;
  mode: "ingress" | "host";
  host_ip?: string;
  target: number;
  /** Host port or range ("8080", "8000-8010"); absent means an ephemeral port. */
  published?: string;
  protocol: "tcp" | "udp" | "sctp";
  app_protocol?: string;
}

export interface VolumeMount {
  type: "bind" | "volume" | "tmpfs" | "npipe" | "cluster" | "image";
  /** Absolute host path (bind), volume key (volume; absent for anonymous). */
  source?: string;
  target: string;
  read_only?: boolean;
  consistency?: string;
  bind?: { propagation?: string; create_host_path?: boolean; recursive?: string; selinux?: "z" | "Z" };
  volume?: { nocopy?: boolean; subpath?: string; labels?: Mapping };
  tmpfs?: { size?: number | string; mode?: number };
  image?: { subpath?: string };
}

export interface ServiceNetworkConfig {
  aliases?: string[];
  ipv4_address?: string;
  ipv6_address?: string;
  interface_name?: string;
  link_local_ips?: string[];
  mac_address?: string;
  driver_opts?: Mapping;
  priority?: number;
  gw_priority?: number;
}

export interface BuildConfig {
  /** Absolute path (or a URL). */
  context: string;
  dockerfile?: string;
  dockerfile_inline?: string;
  args?: Record<string, string | null>;
  ssh?: string[];
  labels?: Mapping;
  cache_from?: string[];
  cache_to?: string[];
  no_cache?: boolean;
  additional_contexts?: Mapping;
  network?: string;
  pull?: boolean;
  target?: string;
  shm_size?: number | string;
  extra_hosts?: string[];
  isolation?: string;
  privileged?: boolean;
  secrets?: ServiceSecretRef[];
  tags?: string[];
  ulimits?: Record<string, UlimitConfig>;
  platforms?: string[];
}

export interface HealthcheckConfig {
  /** ["CMD", ...], ["CMD-SHELL", "..."], or ["NONE"]. */
  test?: string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
  start_interval?: string;
  disable?: boolean;
}

export interface ServiceSecretRef {
  source: string;
  target?: string;
  uid?: string;
  gid?: string;
  mode?: number;
}

export interface UlimitConfig {
  /** Set when the file gave one number (`nproc: 65535`): `config` prints it back as that number, as Compose does. */
  single?: number;
  soft: number;
  hard: number;
}

export interface WatchRule {
  /** Absolute path on the host. */
  path: string;
  action: "sync" | "rebuild" | "restart" | "sync+restart" | "sync+exec";
  target?: string;
  ignore?: string[];
  include?: string[];
  initial_sync?: boolean;
  exec?: { command: string[]; user?: string; privileged?: boolean; working_dir?: string; environment?: Record<string, string | null> };
}

export interface DeployConfig {
  mode?: string;
  replicas?: number;
  labels?: Mapping;
  resources?: {
    limits?: { cpus?: string | number; memory?: string | number; pids?: number };
    reservations?: { cpus?: string | number; memory?: string | number; devices?: unknown[]; generic_resources?: unknown[] };
  };
  restart_policy?: { condition?: string; delay?: string; max_attempts?: number; window?: string };
  [key: string]: unknown;
}

/**
 * A normalized service. Its keys and their types come from the attribute table
 * (`attributes/table.ts`): each key's type is what its normalizer returns. Anything else the
 * schema accepts (x-* extensions) is kept verbatim.
 */
export type ServiceConfig = AttributeModel<typeof SERVICE_ATTRIBUTES> & { [key: string]: unknown };

export interface NetworkConfig {
  name: string;
  driver?: string;
  driver_opts?: Mapping;
  ipam?: {
    driver?: string;
    config?: { subnet?: string; ip_range?: string; gateway?: string; aux_addresses?: Mapping }[];
    options?: Mapping;
  };
  external?: boolean;
  internal?: boolean;
  attachable?: boolean;
  enable_ipv4?: boolean;
  enable_ipv6?: boolean;
  labels?: Mapping;
  [extension: `x-${string}`]: unknown;
}

export interface VolumeConfig {
  name: string;
  driver?: string;
  driver_opts?: Mapping;
  external?: boolean;
  labels?: Mapping;
  [extension: `x-${string}`]: unknown;
}

export interface SecretConfig {
  name: string;
  /** Absolute path. */
  file?: string;
  environment?: string;
  /** Only for configs: inline content. */
  content?: string;
  external?: boolean;
  labels?: Mapping;
  driver?: string;
  driver_opts?: Mapping;
  template_driver?: string;
  [extension: `x-${string}`]: unknown;
}

export type ConfigConfig = SecretConfig;

/**
 * What `loadProject` returns: the model plus everything the runtime needs to label and
 * reproduce it (directory, files, environment), and what was left out by profiles.
 */
export interface LoadedProject {
  readonly model: ComposeModel;
  /** Absolute project directory. */
  readonly workingDir: string;
  /** Absolute paths of the compose files given or discovered, in order ("-" for stdin). */
  readonly configFiles: readonly string[];
  /** Absolute paths of env files used for interpolation (empty if none). */
  readonly envFiles: readonly string[];
  /** The env files were named (`--env-file`, COMPOSE_ENV_FILES), not the implicit `.env`. */
  readonly envFilesExplicit?: boolean;
  /** The interpolation environment (process env over .env), `COMPOSE_PROJECT_NAME` included. */
  readonly environment: Readonly<Record<string, string>>;
  /** Active profiles. */
  readonly profiles: readonly string[];
  /** Services present in the files but disabled by profiles (they count for orphan detection). */
  readonly disabledServices: Readonly<Record<string, ServiceConfig>>;
  /** Warnings to show the user (unset variables, obsolete `version`, …). */
  readonly warnings: readonly string[];
  /** Where each key of the model was written (file:line:col), for checks made after loading (e.g. `stack deploy`). */
  readonly locations?: Locations;
}

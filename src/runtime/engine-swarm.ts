/**
 * The Swarm half of the engine port: what `flotilla stack` needs from a Docker Engine in swarm
 * mode (services, tasks, secrets, configs, nodes). Networks and images go through `Engine`.
 * The dockerode adapter implements it; a fake in `test/support/` implements it in memory so the
 * Swarm planner is unit-tested without a cluster. Podman has no Swarm API.
 *
 * Specs are the Engine API's JSON shapes (PascalCase), so what `stack config` prints is exactly
 * what is sent. Only the fields Flotilla sets are typed; the engine keeps the rest.
 */
import type { LabelFilter, Labels } from "./engine.js";

export interface SwarmInfo {
  /** "inactive" when the engine is not part of a swarm. */
  localNodeState: "inactive" | "pending" | "active" | "error" | "locked";
  /** True on a manager (only managers accept service/secret/config calls). */
  controlAvailable: boolean;
  nodeId: string;
  clusterId?: string;
  managers: number;
  nodes: number;
}

export interface SwarmNode {
  id: string;
  hostname: string;
  role: "manager" | "worker";
  availability: "active" | "pause" | "drain";
  /** "ready", "down", … */
  state: string;
  addr?: string;
  labels: Labels;
}

export interface Mount {
  Type: "bind" | "volume" | "tmpfs" | "npipe" | "cluster";
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: { Propagation?: string; CreateMountpoint?: boolean };
  VolumeOptions?: { NoCopy?: boolean; Labels?: Labels; Subpath?: string; DriverConfig?: { Name?: string; Options?: Record<string, string> } };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}

/** A secret or config reference in a container spec. */
export interface FileReference {
  File: { Name: string; UID: string; GID: string; Mode: number };
  /** The object's id (`SecretID` / `ConfigID`) and name. */
  SecretID?: string;
  SecretName?: string;
  ConfigID?: string;
  ConfigName?: string;
}

export interface SwarmContainerSpec {
  Image: string;
  Labels?: Labels;
  Command?: string[];
  Args?: string[];
  Hostname?: string;
  Env?: string[];
  Dir?: string;
  User?: string;
  Groups?: string[];
  TTY?: boolean;
  OpenStdin?: boolean;
  ReadOnly?: boolean;
  Mounts?: Mount[];
  StopSignal?: string;
  /** Nanoseconds. */
  StopGracePeriod?: number;
  Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; Retries?: number; StartPeriod?: number; StartInterval?: number };
  Hosts?: string[];
  DNSConfig?: { Nameservers?: string[]; Search?: string[]; Options?: string[] };
  Secrets?: FileReference[];
  Configs?: FileReference[];
  Isolation?: string;
  Init?: boolean;
  Sysctls?: Record<string, string>;
  CapabilityAdd?: string[];
  CapabilityDrop?: string[];
  Ulimits?: { Name: string; Soft: number; Hard: number }[];
  OomScoreAdj?: number;
  Privileges?: Record<string, unknown>;
}

export interface ResourceSpec {
  NanoCPUs?: number;
  MemoryBytes?: number;
  Pids?: number;
  GenericResources?: { NamedResourceSpec?: { Kind: string; Value: string }; DiscreteResourceSpec?: { Kind: string; Value: number } }[];
}

export interface UpdateConfig {
  Parallelism?: number;
  /** Nanoseconds. */
  Delay?: number;
  FailureAction?: "continue" | "pause" | "rollback";
  /** Nanoseconds. */
  Monitor?: number;
  MaxFailureRatio?: number;
  Order?: "stop-first" | "start-first";
}

export interface TaskSpec {
  ContainerSpec: SwarmContainerSpec;
  Resources?: { Limits?: ResourceSpec; Reservations?: ResourceSpec };
  RestartPolicy?: { Condition?: "none" | "on-failure" | "any"; Delay?: number; MaxAttempts?: number; Window?: number };
  Placement?: {
    Constraints?: string[];
    Preferences?: { Spread: { SpreadDescriptor: string } }[];
    MaxReplicas?: number;
  };
  Networks?: { Target: string; Aliases?: string[]; DriverOpts?: Record<string, string> }[];
  LogDriver?: { Name: string; Options?: Record<string, string> };
  ForceUpdate?: number;
}

export interface ServiceSpec {
  Name: string;
  Labels?: Labels;
  TaskTemplate: TaskSpec;
  Mode?: {
    Replicated?: { Replicas?: number };
    Global?: Record<string, never>;
    ReplicatedJob?: { MaxConcurrent?: number; TotalCompletions?: number };
    GlobalJob?: Record<string, never>;
  };
  UpdateConfig?: UpdateConfig;
  RollbackConfig?: UpdateConfig;
  EndpointSpec?: {
    Mode?: "vip" | "dnsrr";
    Ports?: { Name?: string; Protocol?: "tcp" | "udp" | "sctp"; TargetPort: number; PublishedPort?: number; PublishMode?: "ingress" | "host" }[];
  };
}

export type UpdateState = "updating" | "paused" | "completed" | "rollback_started" | "rollback_paused" | "rollback_completed";

export interface ServiceSummary {
  id: string;
  /** The object version, needed by `updateService` (optimistic concurrency). */
  version: number;
  spec: ServiceSpec;
  /** The spec before the last update (what a rollback returns to). */
  previousSpec?: ServiceSpec;
  createdAt: string;
  updatedAt: string;
  updateStatus?: { state: UpdateState; message?: string; startedAt?: string; completedAt?: string };
}

export type TaskState =
  | "new" | "allocated" | "pending" | "assigned" | "accepted" | "preparing" | "ready" | "starting"
  | "running" | "complete" | "shutdown" | "failed" | "rejected" | "remove" | "orphaned";

export interface TaskSummary {
  id: string;
  serviceId: string;
  nodeId?: string;
  /** Replicated services number their tasks; global ones have none. */
  slot?: number;
  desiredState: TaskState;
  state: TaskState;
  message?: string;
  error?: string;
  containerId?: string;
  exitCode?: number;
  createdAt: string;
  updatedAt: string;
  /** The service version the task was created for. */
  serviceVersion?: number;
  image?: string;
}

export interface SwarmObjectSpec {
  Name: string;
  Labels?: Labels;
  /** Base64 of the content. */
  Data: string;
  /** Secrets and configs: `{Name: "golang"}` renders Go templates in the content when mounted. */
  Templating?: { Name: string; Options?: Record<string, string> };
}

export interface SwarmObjectSummary {
  id: string;
  name: string;
  labels: Labels;
  createdAt: string;
}

export interface SwarmEngine {
  swarmInfo(): Promise<SwarmInfo>;
  listNodes(): Promise<SwarmNode[]>;

  listServices(filter: { labels?: LabelFilter }): Promise<ServiceSummary[]>;
  inspectService(idOrName: string): Promise<ServiceSummary | undefined>;
  /** Returns the new service's id. `registryAuth` passes the stored credentials for the image on to the nodes. */
  createService(spec: ServiceSpec, options?: { registryAuth?: boolean }): Promise<string>;
  /** `version` from the last inspect; a stale version fails (the engine answers 500 "update out of sequence"). */
  updateService(id: string, version: number, spec: ServiceSpec, options?: { registryAuth?: boolean; rollback?: boolean }): Promise<void>;
  removeService(idOrName: string): Promise<void>;

  listTasks(filter: { service?: string; labels?: LabelFilter; desiredState?: "running" | "shutdown" | "accepted" }): Promise<TaskSummary[]>;

  listSecrets(filter: { labels?: LabelFilter; name?: string }): Promise<SwarmObjectSummary[]>;
  createSecret(spec: SwarmObjectSpec): Promise<string>;
  removeSecret(idOrName: string): Promise<void>;

  listConfigs(filter: { labels?: LabelFilter; name?: string }): Promise<SwarmObjectSummary[]>;
  createConfig(spec: SwarmObjectSpec): Promise<string>;
  removeConfig(idOrName: string): Promise<void>;
}

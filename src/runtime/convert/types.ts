/** The inputs and outputs of the model → create body conversion. */
import type { LoadedProject } from "../../spec/model.js";
import type { ContainerCreateSpec, EndpointSpec } from "../engine.js";

export interface ContainerIdentity {
  project: string;
  service: string;
  number: number;
  /** `<project>-<service>-<n>` or `container_name`. */
  name: string;
  oneoff?: boolean;
  /** One-off (`run`) containers: the slug label. */
  slug?: string;
  /** One-off containers: also answer to the service's name and aliases on its networks (`run --use-aliases`). */
  useAliases?: boolean;
}

export interface ConvertContext {
  project: LoadedProject;
  configHash: string;
  /** Label com.docker.compose.image (the image id/digest), when known. */
  imageDigest?: string;
  /** Id or name of the first container of a service, for network_mode/volumes_from/ipc/pid/links `service:x`. */
  resolveContainer?: (serviceName: string) => string | undefined;
  /**
   * The engine id of a project network, by engine name: containers are attached by id (an attach by
   * name fails once two networks share the name, and joins whichever the engine picks). Without it,
   * or for a network it does not know (external ones), by name.
   */
  networkId?: (networkName: string) => string | undefined;
  /** Anonymous volumes of the container being replaced, mounted again at the same targets (recreate without -V). */
  inheritedVolumes?: readonly InheritedVolume[];
  secretsDir?: never;
  /**
   * Registry credentials (Docker config `auths` entries, keyed by registry) for containers of
   * services with `use_api_socket`: written to a Docker config file inside the container.
   * Without them only the engine's socket is mounted.
   */
  registryCredentials?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** An existing (anonymous) volume a recreated container takes over from the container it replaces. */
export interface InheritedVolume {
  /** Engine volume name (a 64-hex id for anonymous volumes). */
  name: string;
  /** Mount point inside the container. */
  target: string;
  readOnly: boolean;
}

/** A mount as the engine reports it on an existing container (ContainerDetails.mounts). */
export interface ObservedMount {
  type: string;
  name?: string;
  source: string;
  destination: string;
  rw: boolean;
}

/** A `post_start` / `pre_stop` hook, normalized. */
export interface ServiceHook {
  command: string[];
  user?: string;
  privileged?: boolean;
  working_dir?: string;
  environment?: Record<string, string | null>;
}

/** A `pre_start` step (an init container), normalized. */
export interface InitHook extends ServiceHook {
  image?: string;
  per_replica?: boolean;
}

export interface ExtraNetwork {
  /** Engine network name. */
  name: string;
  endpoint: EndpointSpec;
}

export interface FileToInject {
  /** Absolute path inside the container. */
  containerPath: string;
  content: string;
  mode: number;
  uid?: number;
  gid?: number;
}

export interface ContainerSpecResult {
  spec: ContainerCreateSpec;
  warnings: string[];
  /** Networks to connect after create, in order. */
  extraNetworks: ExtraNetwork[];
  /** Files to write into the container after create (environment/inline secrets and configs). */
  filesToInject: FileToInject[];
}

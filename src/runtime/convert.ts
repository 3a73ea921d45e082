/**
 * The model → Engine API create body. Pure: takes a service from the normalized model plus the
 * identity of the container to create and returns the create spec, what to do after create
 * (extra networks to connect, files to inject) and warnings for attributes a single engine
 * cannot honour. Nothing here talks to the engine.
 *
 * Choices worth knowing:
 * - Bind mounts with `create_host_path: true` (every short-syntax bind) go to `HostConfig.Binds`,
 *   because the engine creates a missing host path for `Binds` but not for `Mounts`; binds with
 *   `create_host_path: false` go to `Mounts`, so a missing source is an error as in Compose.
 * - Only the first network is attached at create time (API 1.41 takes one endpoint); the others
 *   are returned in `extraNetworks` for the executor to connect before start.
 * - File-based secrets/configs are bind-mounted read-only; `environment`-based ones and inline
 *   `content` configs are returned in `filesToInject` for the executor to write via the archive
 *   API after create.
 */
import type { DeployConfig, LoadedProject, PortConfig, ServiceConfig, ServiceSecretRef, VolumeMount } from "../spec/model.js";
import type { ContainerCreateSpec, EndpointSpec, ExecOptions } from "./engine.js";
import { COMPOSE_VERSION, Label } from "./labels.js";
import { bindingsFor, exposedPortsFor } from "./network/ports.js";
import { durationToNs, durationToSeconds, parseBytes, parseDuration } from "../spec/units.js";
import { ServiceError } from "../errors.js";
import { imageName } from "./images.js";

export { networkSpec, volumeSpec, networkWarnings } from "./network/networks.js";

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
  /** Anonymous volumes of the container being replaced, mounted again at the same targets (recreate without -V). */
  inheritedVolumes?: readonly InheritedVolume[];
  secretsDir?: never;
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

const ANONYMOUS_VOLUME_NAME = /^[0-9a-f]{64}$/;

function mountTargets(svc: ServiceConfig): Set<string> {
  const out = new Set<string>();
  for (const m of svc.volumes ?? []) out.add(m.target);
  for (const t of svc.tmpfs ?? []) out.add(t.split(":")[0]!);
  return out;
}

/**
 * The anonymous volumes a recreated container keeps (Compose's rule, `create.go`): the old
 * container's volume mounts at the target of a service volume that has no source (`- /data`),
 * and volumes the image declares (`VOLUME` in the Dockerfile). The image's declarations are not
 * part of the Engine port, so an image volume is recognised as an anonymous-named volume mounted
 * at a target the service does not mount anything at, which the old config (when known) did not
 * declare either. Named volumes, binds and tmpfs are never inherited: the new config decides them.
 */
export function anonymousVolumesToInherit(svc: ServiceConfig, oldMounts: readonly ObservedMount[], oldConfig?: ServiceConfig): InheritedVolume[] {
  const out: InheritedVolume[] = [];
  const targets = mountTargets(svc);
  const oldTargets = oldConfig ? mountTargets(oldConfig) : new Set<string>();
  const seen = new Set<string>();
  for (const m of oldMounts) {
    if (m.type !== "volume" || !m.name || seen.has(m.destination)) continue;
    const declared = (svc.volumes ?? []).find((v) => v.target === m.destination);
    let inherit: boolean;
    if (declared) inherit = declared.type === "volume" && !declared.source;
    else inherit = ANONYMOUS_VOLUME_NAME.test(m.name) && !targets.has(m.destination) && !oldTargets.has(m.destination);
    if (!inherit) continue;
    seen.add(m.destination);
    out.push({ name: m.name, target: m.destination, readOnly: declared ? !!declared.read_only : !m.rw });
  }
  return out;
}

/** The hooks of a service (`post_start` or `pre_stop`), skipping malformed entries. */
export function serviceHooks(svc: ServiceConfig, kind: "post_start" | "pre_stop"): ServiceHook[] {
  const raw = svc[kind];
  if (!Array.isArray(raw)) return [];
  return raw.filter((h): h is ServiceHook => h !== null && typeof h === "object" && Array.isArray((h as ServiceHook).command) && (h as ServiceHook).command.length > 0);
}

/** The exec request that runs a hook inside the service's container. */
export function hookExecOptions(hook: ServiceHook): ExecOptions {
  const opts: ExecOptions = { cmd: [...hook.command] };
  if (hook.user) opts.user = hook.user;
  if (hook.privileged !== undefined) opts.privileged = hook.privileged;
  if (hook.working_dir) opts.workingDir = hook.working_dir;
  const env = Object.entries(hook.environment ?? {})
    .filter((e): e is [string, string] => e[1] !== null && e[1] !== undefined)
    .map(([k, v]) => `${k}=${v}`);
  if (env.length > 0) opts.env = env;
  return opts;
}

/** A `pre_start` step (an init container), normalized. */
export interface InitHook extends ServiceHook {
  image?: string;
  per_replica?: boolean;
}

/** The `pre_start` steps of a service, in order, skipping malformed entries. */
export function preStartHooks(svc: ServiceConfig): InitHook[] {
  const raw = svc["pre_start"];
  if (!Array.isArray(raw)) return [];
  return raw.filter((h): h is InitHook => h !== null && typeof h === "object" && Array.isArray((h as InitHook).command) && (h as InitHook).command.length > 0);
}

/**
 * The create body of one `pre_start` step for a created (not yet started) service container: the
 * hook's image (default: the service's), command, user, working_dir and environment; the service
 * container's mounts, anonymous volumes included (VolumesFrom), and its first network. The
 * service's other networks are connected after create (the `extraNetworks` of its own spec).
 * Ports, aliases and fixed addresses stay with the service container.
 */
export function preStartSpec(hook: InitHook, service: { spec: ContainerCreateSpec; id: string; name: string; service: string; project: string }, index: number): ContainerCreateSpec {
  const networkMode = service.spec.HostConfig?.["NetworkMode"];
  const host: Record<string, unknown> = { VolumesFrom: [service.id] };
  if (typeof networkMode === "string") host["NetworkMode"] = networkMode;
  if (hook.privileged) host["Privileged"] = true;
  const spec: ContainerCreateSpec = {
    name: `${service.name}-pre_start-${index + 1}`,
    Image: hook.image ?? service.spec.Image,
    Cmd: [...hook.command],
    Labels: {
      [Label.project]: service.project,
      [Label.service]: service.service,
      [Label.oneoff]: "True",
      [Label.hook]: "pre_start",
      [Label.version]: COMPOSE_VERSION,
    },
    HostConfig: host,
  };
  if (hook.user) spec.User = hook.user;
  if (hook.working_dir) spec.WorkingDir = hook.working_dir;
  const env = Object.entries(hook.environment ?? {})
    .filter((e): e is [string, string] => e[1] !== null && e[1] !== undefined)
    .map(([k, v]) => `${k}=${v}`);
  if (env.length > 0) spec.Env = env;
  return spec;
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

/** `<project>-<service>-<n>`, unless the service sets `container_name`. */
export function containerName(project: string, service: string, number: number, svc: ServiceConfig): string {
  return svc.container_name ?? `${project}-${service}-${number}`;
}

/** Compose's `com.docker.compose.depends_on` value: `dep:condition:restart`, comma-joined, sorted by name. */
export function dependsOnLabel(svc: ServiceConfig): string {
  return Object.keys(svc.depends_on ?? {})
    .sort()
    .map((dep) => {
      const d = svc.depends_on![dep]!;
      return `${dep}:${d.condition}:${d.restart === true ? "true" : "false"}`;
    })
    .join(",");
}

/** The networks a service joins, ordered as Compose attaches them: priority (desc), then key. */
export function orderedNetworks(svc: ServiceConfig): string[] {
  const nets = svc.networks ?? {};
  return Object.keys(nets).sort((a, b) => (nets[b]?.priority ?? 0) - (nets[a]?.priority ?? 0) || a.localeCompare(b));
}

class Converter {
  readonly warnings: string[] = [];
  readonly host: Record<string, unknown> = {};
  readonly extraNetworks: ExtraNetwork[] = [];
  readonly files: FileToInject[] = [];

  constructor(
    readonly svc: ServiceConfig,
    readonly service: string,
    readonly id: ContainerIdentity,
    readonly ctx: ConvertContext,
  ) {}

  warn(attr: string, why: string): void {
    this.warnings.push(`service ${this.service}: ${attr} ${why}`);
  }

  fail(message: string, hint?: string): never {
    throw new ServiceError("CONTAINER_FAILED", this.service, `service ${this.service}: ${message}`, hint !== undefined ? { hint } : {});
  }

  bytes(attr: string, v: string | number): number {
    try {
      return parseBytes(v);
    } catch (e) {
      this.fail(`${attr}: ${(e as Error).message}`, "use a size like 512k, 64m or 1g");
    }
  }

  duration(attr: string, v: string | number, to: "ns" | "s" | "us"): number {
    try {
      if (to === "ns") return durationToNs(v);
      if (to === "us") return Math.round(parseDuration(v) * 1000);
      return durationToSeconds(v);
    } catch (e) {
      this.fail(`${attr}: ${(e as Error).message}`, "use a duration like 30s, 1m30s or 500ms");
    }
  }

  /** `service:x` → `container:<id>` through resolveContainer. */
  serviceRef(attr: string, value: string): string {
    if (!value.startsWith("service:")) return value;
    const target = value.slice("service:".length);
    const resolved = this.ctx.resolveContainer?.(target);
    if (resolved === undefined) {
      throw new ServiceError(
        "DEPENDENCY_FAILED",
        this.service,
        `service ${this.service}: ${attr} refers to service "${target}", which has no container yet`,
        { hint: `create service ${target} first (it is an implicit dependency of ${this.service})` },
      );
    }
    return `container:${resolved}`;
  }

  setIf(key: string, value: unknown): void {
    if (value === undefined) return;
    if (Array.isArray(value) && value.length === 0) return;
    this.host[key] = value;
  }
}

/** The create body of one container of `serviceName`. */
export function containerSpec(svc: ServiceConfig, serviceName: string, id: ContainerIdentity, ctx: ConvertContext): ContainerSpecResult {
  const c: Converter = new Converter(svc, serviceName, id, ctx);
  const model = ctx.project.model;
  const spec: ContainerCreateSpec = {
    name: id.name,
    Image: imageName(model.name, serviceName, svc),
    HostConfig: c.host,
  };
  if (svc.platform) spec.platform = svc.platform;

  // --- process ---
  if (svc.command != null) spec.Cmd = [...svc.command];
  if (svc.entrypoint != null) spec.Entrypoint = svc.entrypoint.length === 0 ? [""] : [...svc.entrypoint];
  if (svc.environment) {
    spec.Env = Object.entries(svc.environment)
      .filter((e): e is [string, string] => e[1] !== null && e[1] !== undefined)
      .map(([k, v]) => `${k}=${v}`);
  }
  if (svc.working_dir) spec.WorkingDir = svc.working_dir;
  if (svc.user) spec.User = svc.user;
  if (svc.hostname) spec.Hostname = svc.hostname;
  if (svc.domainname) spec.Domainname = svc.domainname;
  if (svc.tty !== undefined) spec.Tty = svc.tty;
  if (svc.stdin_open !== undefined) spec.OpenStdin = svc.stdin_open;
  spec.AttachStdout = !!id.oneoff;
  spec.AttachStderr = !!id.oneoff;
  if (svc.stop_signal) spec.StopSignal = svc.stop_signal;
  if (svc.stop_grace_period !== undefined) spec.StopTimeout = c.duration("stop_grace_period", svc.stop_grace_period, "s");
  if (svc.mac_address) spec.MacAddress = svc.mac_address;

  // --- labels ---
  spec.Labels = composeLabels(svc, serviceName, id, ctx);

  // --- healthcheck ---
  if (svc.healthcheck) {
    const h = svc.healthcheck;
    const hc: NonNullable<ContainerCreateSpec["Healthcheck"]> = {};
    if (h.disable === true || (h.test && h.test[0] === "NONE")) {
      hc.Test = ["NONE"];
    } else {
      if (h.test && h.test.length > 0) hc.Test = [...h.test];
      if (h.interval !== undefined) hc.Interval = c.duration("healthcheck.interval", h.interval, "ns");
      if (h.timeout !== undefined) hc.Timeout = c.duration("healthcheck.timeout", h.timeout, "ns");
      if (h.retries !== undefined) hc.Retries = h.retries;
      if (h.start_period !== undefined) hc.StartPeriod = c.duration("healthcheck.start_period", h.start_period, "ns");
      if (h.start_interval !== undefined) hc.StartInterval = c.duration("healthcheck.start_interval", h.start_interval, "ns");
    }
    spec.Healthcheck = hc;
  }

  // --- ports ---
  const ports: PortConfig[] = svc.ports ?? [];
  let exposed: Record<string, Record<string, never>>;
  try {
    exposed = exposedPortsFor(ports, svc.expose ?? []);
  } catch (e) {
    c.fail(`expose: ${(e as Error).message}`);
  }
  if (Object.keys(exposed).length > 0) spec.ExposedPorts = exposed;
  if (ports.length > 0) c.host.PortBindings = bindingsFor(ports);
  for (const p of ports) {
    if (p.app_protocol) c.warn("ports.app_protocol", `(${p.app_protocol}) is informational only and ignored`);
  }

  // --- storage ---
  convertVolumes(c, svc.volumes ?? []);
  if (svc.tmpfs && svc.tmpfs.length > 0) {
    const tmpfs: Record<string, string> = {};
    for (const t of svc.tmpfs) {
      const i = t.indexOf(":");
      if (i < 0) tmpfs[t] = "";
      else tmpfs[t.slice(0, i)] = t.slice(i + 1);
    }
    c.host.Tmpfs = tmpfs;
  }
  if (svc.volumes_from && svc.volumes_from.length > 0) {
    c.host.VolumesFrom = svc.volumes_from.map((v) => {
      // service[:ro|rw] | service:<name>[:mode] | container:<name>[:mode]
      const parts = v.split(":");
      let mode: string | undefined;
      const last = parts[parts.length - 1];
      if (parts.length > 1 && (last === "ro" || last === "rw")) mode = parts.pop();
      let ref: string;
      if (parts[0] === "container") ref = parts.slice(1).join(":");
      else {
        const svcName = parts[0] === "service" ? parts.slice(1).join(":") : parts.join(":");
        ref = c.serviceRef("volumes_from", `service:${svcName}`).slice("container:".length);
      }
      return mode ? `${ref}:${mode}` : ref;
    });
  }
  c.setIf("Devices", svc.devices?.map((d) => ({ PathOnHost: d.source, PathInContainer: d.target, CgroupPermissions: d.permissions ?? "rwm" })));
  if (svc.storage_opt && Object.keys(svc.storage_opt).length > 0) c.host.StorageOpt = { ...svc.storage_opt };
  if (svc.shm_size !== undefined) c.host.ShmSize = c.bytes("shm_size", svc.shm_size);

  // --- secrets & configs ---
  convertSecrets(c, "secrets", svc.secrets ?? []);
  convertSecrets(c, "configs", svc.configs ?? []);

  // --- networking ---
  convertNetworking(c, spec);
  c.setIf("ExtraHosts", svc.extra_hosts?.map(extraHost));
  c.setIf("Dns", svc.dns);
  c.setIf("DnsOptions", svc.dns_opt);
  c.setIf("DnsSearch", svc.dns_search);

  // --- lifecycle ---
  const restart = restartPolicy(c, svc.restart, svc.deploy);
  if (restart) c.host.RestartPolicy = restart;
  if (svc.init !== undefined) c.host.Init = svc.init;

  // --- security & namespaces ---
  if (svc.privileged !== undefined) c.host.Privileged = svc.privileged;
  if (svc.read_only !== undefined) c.host.ReadonlyRootfs = svc.read_only;
  c.setIf("CapAdd", svc.cap_add);
  c.setIf("CapDrop", svc.cap_drop);
  c.setIf("SecurityOpt", svc.security_opt);
  c.setIf("GroupAdd", svc.group_add);
  if (svc.sysctls && Object.keys(svc.sysctls).length > 0) c.host.Sysctls = Object.fromEntries(Object.entries(svc.sysctls).map(([k, v]) => [k, String(v)]));
  if (svc.ulimits && Object.keys(svc.ulimits).length > 0) {
    c.host.Ulimits = Object.entries(svc.ulimits).map(([name, u]) => ({ Name: name, Soft: u.soft, Hard: u.hard }));
  }
  if (svc.pid) c.host.PidMode = c.serviceRef("pid", svc.pid);
  if (svc.ipc) c.host.IpcMode = c.serviceRef("ipc", svc.ipc);
  if (svc.uts) c.host.UTSMode = svc.uts;
  if (svc.userns_mode) c.host.UsernsMode = svc.userns_mode;
  if (svc.cgroup) c.host.CgroupnsMode = svc.cgroup;
  if (svc.cgroup_parent) c.host.CgroupParent = svc.cgroup_parent;
  if (svc.runtime) c.host.Runtime = svc.runtime;
  const isolation = svc["isolation"];
  if (typeof isolation === "string") c.host.Isolation = isolation;
  const cgroupRules = svc["device_cgroup_rules"];
  if (Array.isArray(cgroupRules) && cgroupRules.length > 0) c.host.DeviceCgroupRules = cgroupRules.map(String);
  if (svc.annotations && Object.keys(svc.annotations).length > 0) c.host.Annotations = { ...svc.annotations };

  // --- logging ---
  if (svc.logging && (svc.logging.driver || svc.logging.options)) {
    c.host.LogConfig = { Type: svc.logging.driver ?? "", Config: { ...(svc.logging.options ?? {}) } };
  }

  // --- resources ---
  convertResources(c);

  // --- attributes a single engine cannot honour ---
  unsupported(c);

  return { spec, warnings: c.warnings, extraNetworks: c.extraNetworks, filesToInject: c.files };
}

function composeLabels(svc: ServiceConfig, serviceName: string, id: ContainerIdentity, ctx: ConvertContext): Record<string, string> {
  const p = ctx.project;
  const labels: Record<string, string> = { ...(svc.labels ?? {}) };
  labels[Label.project] = id.project;
  labels[Label.service] = serviceName;
  labels[Label.oneoff] = id.oneoff ? "True" : "False";
  if (!id.oneoff) labels[Label.containerNumber] = String(id.number);
  if (id.oneoff && id.slug) labels[Label.slug] = id.slug;
  labels[Label.configHash] = ctx.configHash;
  labels[Label.dependsOn] = dependsOnLabel(svc);
  if (ctx.imageDigest) labels[Label.image] = ctx.imageDigest;
  labels[Label.version] = COMPOSE_VERSION;
  labels[Label.workingDir] = p.workingDir;
  labels[Label.configFiles] = p.configFiles.join(",");
  // as Compose: only env files named with --env-file are recorded, not the implicit .env
  if (p.envFilesExplicit && p.envFiles.length > 0) labels[Label.environmentFile] = p.envFiles.join(",");
  return labels;
}

function bindString(m: VolumeMount): string {
  const opts: string[] = [];
  if (m.read_only) opts.push("ro");
  if (m.bind?.propagation) opts.push(m.bind.propagation);
  if (m.bind?.selinux) opts.push(m.bind.selinux);
  return `${m.source}:${m.target}${opts.length > 0 ? `:${opts.join(",")}` : ""}`;
}

function convertVolumes(c: Converter, volumes: readonly VolumeMount[]): void {
  const binds: string[] = [];
  const mounts: Record<string, unknown>[] = [];
  const model = c.ctx.project.model;
  const inherited = new Map((c.ctx.inheritedVolumes ?? []).map((v) => [v.target, v]));
  for (const [i, m] of volumes.entries()) {
    const where = `volumes[${i}] (${m.target})`;
    if (m.consistency) c.warn(`${where}.consistency`, "is ignored (only meaningful on Docker Desktop for Mac)");
    switch (m.type) {
      case "bind": {
        if (!m.source) c.fail(`${where}: a bind mount needs a source`);
        if (m.bind?.recursive && m.bind.recursive !== "enabled") c.warn(`${where}.bind.recursive`, "is not supported by this engine API and is ignored");
        if (m.bind?.create_host_path !== false || m.bind?.selinux) {
          if (m.bind?.create_host_path === false) c.warn(`${where}.bind.create_host_path: false`, "cannot be combined with selinux relabeling; the host path will be created if missing");
          binds.push(bindString(m));
        } else {
          const mount: Record<string, unknown> = { Type: "bind", Source: m.source, Target: m.target, ReadOnly: !!m.read_only };
          if (m.bind?.propagation) mount.BindOptions = { Propagation: m.bind.propagation };
          mounts.push(mount);
        }
        break;
      }
      case "volume": {
        const mount: Record<string, unknown> = { Type: "volume", Target: m.target, ReadOnly: !!m.read_only };
        if (m.source) mount.Source = model.volumes[m.source]?.name ?? m.source;
        else {
          const kept = inherited.get(m.target);
          if (kept) {
            mount.Source = kept.name;
            inherited.delete(m.target);
          }
        }
        const vo: Record<string, unknown> = {};
        if (m.volume?.nocopy) vo.NoCopy = true;
        if (m.volume?.subpath) vo.Subpath = m.volume.subpath;
        if (m.volume?.labels && Object.keys(m.volume.labels).length > 0) vo.Labels = { ...m.volume.labels };
        if (Object.keys(vo).length > 0) mount.VolumeOptions = vo;
        mounts.push(mount);
        break;
      }
      case "tmpfs": {
        const mount: Record<string, unknown> = { Type: "tmpfs", Target: m.target, ReadOnly: !!m.read_only };
        const to: Record<string, unknown> = {};
        if (m.tmpfs?.size !== undefined) to.SizeBytes = c.bytes(`${where}.tmpfs.size`, m.tmpfs.size);
        if (m.tmpfs?.mode !== undefined) to.Mode = m.tmpfs.mode;
        if (Object.keys(to).length > 0) mount.TmpfsOptions = to;
        mounts.push(mount);
        break;
      }
      case "image": {
        const mount: Record<string, unknown> = { Type: "image", Source: m.source, Target: m.target, ReadOnly: true };
        if (m.image?.subpath) mount.ImageOptions = { Subpath: m.image.subpath };
        mounts.push(mount);
        break;
      }
      case "npipe":
        c.warn(`${where}`, "is a Windows named pipe mount and is ignored on this engine");
        break;
      case "cluster":
        c.warn(`${where}`, "is a cluster volume (swarm only) and is ignored");
        break;
    }
  }
  // Image-declared volumes of the replaced container: mounted by name at the same place.
  for (const v of inherited.values()) mounts.push({ Type: "volume", Source: v.name, Target: v.target, ReadOnly: v.readOnly });
  if (binds.length > 0) c.host.Binds = binds;
  if (mounts.length > 0) c.host.Mounts = mounts;
}

function parseId(v: string | undefined): number | undefined {
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  return Number.isInteger(n) ? n : undefined;
}

function convertSecrets(c: Converter, kind: "secrets" | "configs", refs: readonly ServiceSecretRef[]): void {
  const model = c.ctx.project.model;
  const defs = kind === "secrets" ? model.secrets : model.configs;
  const mounts = (c.host.Mounts as Record<string, unknown>[] | undefined) ?? [];
  for (const ref of refs) {
    const def = defs[ref.source];
    const attr = `${kind}.${ref.source}`;
    if (!def) {
      c.warn(attr, `refers to an undefined ${kind === "secrets" ? "secret" : "config"} and is ignored`);
      continue;
    }
    let target: string;
    if (kind === "secrets") target = ref.target ? (ref.target.startsWith("/") ? ref.target : `/run/secrets/${ref.target}`) : `/run/secrets/${ref.source}`;
    else target = ref.target ? (ref.target.startsWith("/") ? ref.target : `/${ref.target}`) : `/${ref.source}`;
    if (def.external) {
      c.warn(attr, "is external: external secrets and configs need swarm and are not mounted");
      continue;
    }
    const defaultMode = 0o444;
    if (def.file !== undefined) {
      if (ref.uid !== undefined || ref.gid !== undefined || ref.mode !== undefined) {
        c.warn(attr, "uid/gid/mode are not applied to file-based secrets and configs (the file is bind-mounted as is)");
      }
      mounts.push({ Type: "bind", Source: def.file, Target: target, ReadOnly: true });
      continue;
    }
    let content: string | undefined;
    if (def.content !== undefined) content = def.content;
    else if (def.environment !== undefined) {
      content = c.ctx.project.environment[def.environment];
      if (content === undefined) {
        c.warn(attr, `takes its value from the environment variable ${def.environment}, which is not set; an empty file is used`);
        content = "";
      }
    }
    if (content === undefined) {
      c.warn(attr, "has no file, environment or content and is ignored");
      continue;
    }
    const file: FileToInject = { containerPath: target, content, mode: ref.mode ?? defaultMode };
    const uid = parseId(ref.uid);
    const gid = parseId(ref.gid);
    if (uid !== undefined) file.uid = uid;
    if (gid !== undefined) file.gid = gid;
    c.files.push(file);
  }
  if (mounts.length > 0) c.host.Mounts = mounts;
}

function extraHost(h: string): string {
  // "host=ip" (Compose's preferred form) or "host:ip"; the engine wants "host:ip".
  const eq = h.indexOf("=");
  if (eq >= 0) return `${h.slice(0, eq)}:${h.slice(eq + 1)}`;
  return h;
}

function convertNetworking(c: Converter, spec: ContainerCreateSpec): void {
  const { svc, service, id, ctx } = c;
  const model = ctx.project.model;
  if (svc.network_mode) {
    c.host.NetworkMode = c.serviceRef("network_mode", svc.network_mode);
    if (svc.networks && Object.keys(svc.networks).length > 0) c.warn("networks", "is ignored because network_mode is set");
  } else {
    const keys = orderedNetworks(svc);
    if (keys.length === 0 && model.networks["default"]) keys.push("default");
    keys.forEach((key, i) => {
      const cfg = svc.networks?.[key] ?? null;
      const netName = model.networks[key]?.name ?? key;
      const endpoint: EndpointSpec = {};
      const aliases = id.oneoff && !id.useAliases ? [...(cfg?.aliases ?? [])] : [service, ...(cfg?.aliases ?? [])];
      const uniq = [...new Set(aliases)];
      if (uniq.length > 0) endpoint.Aliases = uniq;
      const ipam: NonNullable<EndpointSpec["IPAMConfig"]> = {};
      if (cfg?.ipv4_address) ipam.IPv4Address = cfg.ipv4_address;
      if (cfg?.ipv6_address) ipam.IPv6Address = cfg.ipv6_address;
      if (cfg?.link_local_ips && cfg.link_local_ips.length > 0) ipam.LinkLocalIPs = [...cfg.link_local_ips];
      if (Object.keys(ipam).length > 0) endpoint.IPAMConfig = ipam;
      if (cfg?.mac_address) endpoint.MacAddress = cfg.mac_address;
      if (cfg?.driver_opts && Object.keys(cfg.driver_opts).length > 0) endpoint.DriverOpts = { ...cfg.driver_opts };
      if (cfg?.interface_name) c.warn(`networks.${key}.interface_name`, "is not supported by this engine API and is ignored");
      if (cfg?.gw_priority !== undefined) c.warn(`networks.${key}.gw_priority`, "is not supported by this engine API and is ignored");
      if (i === 0) {
        c.host.NetworkMode = netName;
        spec.NetworkingConfig = { EndpointsConfig: { [netName]: endpoint } };
      } else {
        c.extraNetworks.push({ name: netName, endpoint });
      }
    });
  }
  // links: "svc" or "svc:alias" → "<container>:<alias>"; external_links are container names already.
  const links: string[] = [];
  for (const l of svc.links ?? []) {
    const i = l.indexOf(":");
    const target = i < 0 ? l : l.slice(0, i);
    const alias = i < 0 ? l : l.slice(i + 1);
    const targetSvc = model.services[target];
    const container = ctx.resolveContainer?.(target) ?? (targetSvc ? containerName(model.name, target, 1, targetSvc) : target);
    links.push(`${container}:${alias}`);
  }
  for (const l of svc.external_links ?? []) links.push(l.includes(":") ? l : `${l}:${l}`);
  if (links.length > 0) c.host.Links = links;
}

const RESTART_NAMES = new Set(["no", "always", "on-failure", "unless-stopped"]);

function restartPolicy(c: Converter, restart: string | undefined, deploy: DeployConfig | undefined): { Name: string; MaximumRetryCount?: number } | undefined {
  const rp = deploy?.restart_policy;
  if (rp && rp.condition) {
    if (restart) c.warn("restart", `is overridden by deploy.restart_policy.condition (${rp.condition})`);
    if (rp.delay !== undefined) c.warn("deploy.restart_policy.delay", "is ignored (swarm only)");
    if (rp.window !== undefined) c.warn("deploy.restart_policy.window", "is ignored (swarm only)");
    switch (rp.condition) {
      case "any":
        return { Name: "always" };
      case "on-failure":
        return rp.max_attempts !== undefined ? { Name: "on-failure", MaximumRetryCount: rp.max_attempts } : { Name: "on-failure" };
      case "none":
        return { Name: "no" };
      default:
        c.fail(`deploy.restart_policy.condition "${rp.condition}" is not one of any, on-failure, none`);
    }
  }
  if (rp && rp.max_attempts !== undefined && !rp.condition) c.warn("deploy.restart_policy.max_attempts", "is ignored without a condition");
  if (!restart) return undefined;
  const [name, count] = restart.split(":");
  if (!name || !RESTART_NAMES.has(name)) c.fail(`restart "${restart}" is not one of no, always, on-failure[:N], unless-stopped`);
  if (count !== undefined) {
    const n = Number(count);
    if (name !== "on-failure" || !Number.isInteger(n) || n < 0) c.fail(`restart "${restart}": a retry count is only allowed as on-failure:N`);
    return { Name: name, MaximumRetryCount: n };
  }
  return { Name: name };
}

function cpusToNano(c: Converter, attr: string, v: string | number): number {
  const n = typeof v === "number" ? v : Number(v);
  if (!Number.isFinite(n) || n < 0) c.fail(`${attr}: "${String(v)}" is not a number of CPUs`);
  return Math.round(n * 1e9);
}

function convertResources(c: Converter): void {
  const { svc, host } = c;
  const limits = svc.deploy?.resources?.limits;
  const reservations = svc.deploy?.resources?.reservations;

  // Explicit attribute vs deploy.resources: the loader rejects disagreement; here the explicit
  // attribute wins and a disagreement that slipped through is reported.
  const pick = <T>(attr: string, explicit: T | undefined, fromDeploy: T | undefined, deployAttr: string): T | undefined => {
    if (explicit !== undefined && fromDeploy !== undefined && explicit !== fromDeploy) {
      c.warn(attr, `(${String(explicit)}) disagrees with ${deployAttr} (${String(fromDeploy)}); ${attr} is used`);
    }
    return explicit ?? fromDeploy;
  };

  const nano = pick(
    "cpus",
    svc.cpus !== undefined ? cpusToNano(c, "cpus", svc.cpus) : undefined,
    limits?.cpus !== undefined ? cpusToNano(c, "deploy.resources.limits.cpus", limits.cpus) : undefined,
    "deploy.resources.limits.cpus",
  );
  if (nano !== undefined && nano > 0) host.NanoCpus = nano;
  const mem = pick(
    "mem_limit",
    svc.mem_limit !== undefined ? c.bytes("mem_limit", svc.mem_limit) : undefined,
    limits?.memory !== undefined ? c.bytes("deploy.resources.limits.memory", limits.memory) : undefined,
    "deploy.resources.limits.memory",
  );
  if (mem !== undefined) host.Memory = mem;
  const memRes = pick(
    "mem_reservation",
    svc.mem_reservation !== undefined ? c.bytes("mem_reservation", svc.mem_reservation) : undefined,
    reservations?.memory !== undefined ? c.bytes("deploy.resources.reservations.memory", reservations.memory) : undefined,
    "deploy.resources.reservations.memory",
  );
  if (memRes !== undefined) host.MemoryReservation = memRes;
  const pids = pick("pids_limit", svc.pids_limit, limits?.pids, "deploy.resources.limits.pids");
  if (pids !== undefined) host.PidsLimit = pids;
  if (svc.memswap_limit !== undefined) host.MemorySwap = c.bytes("memswap_limit", svc.memswap_limit);
  if (svc.mem_swappiness !== undefined) host.MemorySwappiness = svc.mem_swappiness;
  if (svc.oom_kill_disable !== undefined) host.OomKillDisable = svc.oom_kill_disable;
  if (svc.oom_score_adj !== undefined) host.OomScoreAdj = svc.oom_score_adj;
  if (svc.cpu_shares !== undefined) host.CpuShares = svc.cpu_shares;
  if (svc.cpu_quota !== undefined) host.CpuQuota = svc.cpu_quota;
  if (svc.cpu_period !== undefined) host.CpuPeriod = svc.cpu_period;
  if (svc.cpuset) host.CpusetCpus = svc.cpuset;
  const rtRuntime = svc["cpu_rt_runtime"];
  if (typeof rtRuntime === "string" || typeof rtRuntime === "number") host.CpuRealtimeRuntime = typeof rtRuntime === "number" ? rtRuntime : c.duration("cpu_rt_runtime", rtRuntime, "us");
  const rtPeriod = svc["cpu_rt_period"];
  if (typeof rtPeriod === "string" || typeof rtPeriod === "number") host.CpuRealtimePeriod = typeof rtPeriod === "number" ? rtPeriod : c.duration("cpu_rt_period", rtPeriod, "us");
  for (const attr of ["cpu_count", "cpu_percent"]) {
    if (svc[attr] !== undefined) c.warn(attr, "is Windows-only and ignored");
  }
  if (reservations?.cpus !== undefined) c.warn("deploy.resources.reservations.cpus", "is ignored (CPU reservations need swarm)");
  if (reservations?.generic_resources && reservations.generic_resources.length > 0) c.warn("deploy.resources.reservations.generic_resources", "is ignored (swarm only)");

  // GPUs and other devices: deploy.resources.reservations.devices and `gpus`.
  const requests: Record<string, unknown>[] = [];
  for (const d of (reservations?.devices ?? []) as Record<string, unknown>[]) {
    requests.push(deviceRequest(d));
  }
  const gpus = svc["gpus"];
  if (gpus === "all") requests.push({ Driver: "", Count: -1, DeviceIDs: null, Capabilities: [["gpu"]], Options: {} });
  else if (Array.isArray(gpus)) for (const g of gpus as Record<string, unknown>[]) requests.push(deviceRequest({ capabilities: ["gpu"], ...g }));
  if (requests.length > 0) host.DeviceRequests = requests;

  const blkio = svc["blkio_config"] as Record<string, unknown> | undefined;
  if (blkio && typeof blkio === "object") {
    if (blkio.weight !== undefined) host.BlkioWeight = Number(blkio.weight);
    const dev = (key: string, field: string, rate: boolean) => {
      const list = blkio[key];
      if (!Array.isArray(list) || list.length === 0) return;
      host[field] = (list as { path: string; rate?: string | number; weight?: number }[]).map((e) =>
        rate ? { Path: e.path, Rate: c.bytes(`blkio_config.${key}`, e.rate ?? 0) } : { Path: e.path, Weight: e.weight },
      );
    };
    dev("weight_device", "BlkioWeightDevice", false);
    dev("device_read_bps", "BlkioDeviceReadBps", true);
    dev("device_write_bps", "BlkioDeviceWriteBps", true);
    dev("device_read_iops", "BlkioDeviceReadIOps", true);
    dev("device_write_iops", "BlkioDeviceWriteIOps", true);
  }
}

function deviceRequest(d: Record<string, unknown>): Record<string, unknown> {
  const caps = d.capabilities as string[] | undefined;
  const count = d.count === "all" ? -1 : d.count !== undefined ? Number(d.count) : undefined;
  const ids = d.device_ids as string[] | undefined;
  return {
    Driver: (d.driver as string | undefined) ?? "",
    Count: count ?? (ids && ids.length > 0 ? 0 : -1),
    DeviceIDs: ids ?? null,
    Capabilities: caps ? [caps] : [],
    Options: (d.options as Record<string, string> | undefined) ?? {},
  };
}

function unsupported(c: Converter): void {
  const { svc } = c;
  const d = svc.deploy;
  if (d) {
    if (d.mode === "global") c.warn("deploy.mode: global", "is ignored (swarm only); one container per replica is created");
    for (const k of ["placement", "update_config", "rollback_config", "endpoint_mode"]) {
      if (d[k] !== undefined) c.warn(`deploy.${k}`, "is ignored (swarm only)");
    }
    if (d.labels && Object.keys(d.labels).length > 0) c.warn("deploy.labels", "is ignored (swarm service labels); use labels for container labels");
  }
  if (svc["credential_spec"] !== undefined) c.warn("credential_spec", "is ignored (Windows swarm only)");
  if (svc["use_api_socket"] === true) c.warn("use_api_socket", "is not supported and ignored");
  if (svc["provider"] !== undefined) c.warn("provider", "is not supported: the service is created as a plain container");
  if (svc["models"] !== undefined) c.warn("models", "is not supported and ignored");
}

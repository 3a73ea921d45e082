/**
 * Model → the Engine API specs `stack deploy` sends: overlay networks, secrets and configs
 * (named `<stack>_<name>_<sha8>` so a content change rolls the services that use them), and one
 * ServiceSpec per service. Pure: file contents come through `readFile`, variables through
 * `environment`. Keys the Swarm column refuses are not converted (they are refused before this
 * runs, or dropped knowingly with `--ignore`).
 *
 * Follows what `docker stack deploy` sends (labels, names, sorted lists, defaults) so both tools
 * manage the same objects; the differences are deliberate: `restart: "no"` → condition none,
 * secret/config names carry a content hash, the legacy cpus/mem_limit/pids_limit keys are
 * translated into resources, and every service carries a spec-hash label.
 */
import { ConfigError, type ConfigIssue } from "../../errors.js";
import { canonicalJson } from "../../spec/hash.js";
import { formatPath, type Locations, type PathSegment } from "../../spec/locations.js";
import type { ComposeModel, HealthcheckConfig, SecretConfig, ServiceConfig, ServiceSecretRef, VolumeMount } from "../../spec/model.js";
import { durationToNs, parseBytes } from "../../spec/units.js";
import type { Labels, NetworkCreateSpec } from "../../runtime/engine.js";
import type { FileReference, Mount, ResourceSpec, ServiceSpec, SwarmContainerSpec, SwarmObjectSpec, TaskSpec, UpdateConfig } from "../../runtime/engine-swarm.js";
import { createHash } from "node:crypto";
import { contentHash8, LABEL_IMAGE, LABEL_NAMESPACE, LABEL_OBJECT, LABEL_SPEC_HASH, objectName, scoped } from "./names.js";

export interface ConvertInput {
  model: ComposeModel;
  /** The stack's name (NAME of `stack deploy`). */
  stack: string;
  /** The interpolation environment (secrets and configs with `environment:` read it). */
  environment: Readonly<Record<string, string | undefined>>;
  /** Reads a secret's or config's `file:` (absolute path). */
  readFile: (path: string) => Uint8Array | string;
  /** Image to send per service instead of `image:` (e.g. pinned by digest, or built and pushed). */
  images?: Readonly<Record<string, string>>;
  /** For file:line:col in conversion errors. */
  locations?: Locations;
}

/** A secret or config to create (`spec.Name` carries the content hash). */
export interface DesiredObject {
  /** The key in the file. */
  key: string;
  spec: SwarmObjectSpec;
}

export interface DesiredService {
  /** The service's key in the file. */
  service: string;
  spec: ServiceSpec;
  /** sha256 of the spec without this label: the `io.flotilla.spec-hash` label's value. */
  hash: string;
}

export interface SwarmStackSpec {
  stack: string;
  /** Networks to create (overlay unless the file names a driver). */
  networks: NetworkCreateSpec[];
  /** External networks the services join: they must exist with swarm scope. */
  externalNetworks: string[];
  secrets: DesiredObject[];
  configs: DesiredObject[];
  /** External secrets and configs: referenced by name, never created. */
  externalSecrets: string[];
  externalConfigs: string[];
  /** In the file's order (the plan orders them by depends_on). */
  services: DesiredService[];
}

/** Swarm refuses longer secret and config names. */
const MAX_OBJECT_NAME = 64;
/** Service names are DNS labels. */
const MAX_SERVICE_NAME = 63;

const sortedBy = <T>(items: T[], key: (t: T) => string): T[] => [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));

/** `{k: v}` with the stack label added; never empty. */
const withStack = (stack: string, labels: Labels | undefined): Labels => ({ ...(labels ?? {}), [LABEL_NAMESPACE]: stack });

function prune<T extends object>(o: T): T {
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) delete (o as Record<string, unknown>)[k];
  }
  return o;
}

/** `net_admin` → `CAP_NET_ADMIN`; ALL and RESET stay as they are. */
function normalizeCapability(cap: string): string {
  const c = cap.trim().toUpperCase();
  return c === "ALL" || c === "RESET" || c.startsWith("CAP_") ? c : `CAP_${c}`;
}

/**
 * The capabilities the engine should add and drop, as docker stack sends them: normalized, ALL
 * alone when present, a capability both added and dropped is added, RESET removed, sorted.
 */
function capabilities(add: string[] | undefined, drop: string[] | undefined): { CapabilityAdd?: string[]; CapabilityDrop?: string[] } {
  let adds = new Set((add ?? []).map(normalizeCapability));
  let drops = new Set((drop ?? []).map(normalizeCapability));
  if (adds.has("ALL")) adds = new Set(["ALL"]);
  if (drops.has("ALL")) drops = new Set(["ALL"]);
  const capAdd = [...adds].filter((c) => c !== "RESET").sort();
  const capDrop = [...drops].filter((c) => c !== "RESET" && !adds.has(c)).sort();
  return { ...(capAdd.length > 0 ? { CapabilityAdd: capAdd } : {}), ...(capDrop.length > 0 ? { CapabilityDrop: capDrop } : {}) };
}

class Converter {
  readonly issues: ConfigIssue[] = [];
  readonly secretNames = new Map<string, string>();
  readonly configNames = new Map<string, string>();

  constructor(private readonly input: ConvertInput) {}

  get stack(): string {
    return this.input.stack;
  }

  issue(path: PathSegment[], message: string, hint?: string): void {
    const loc = this.input.locations?.find(path);
    this.issues.push({ code: "CONFIG_INVALID", message, path: formatPath(path), ...(loc ? { location: loc } : {}), ...(hint ? { hint } : {}) });
  }

  ns(v: string | number | undefined, path: PathSegment[]): number | undefined {
    if (v === undefined) return undefined;
    try {
      return durationToNs(v);
    } catch (e) {
      this.issue(path, (e as Error).message, "use a duration such as 10s or 1m30s");
      return undefined;
    }
  }

  bytes(v: string | number | undefined, path: PathSegment[]): number | undefined {
    if (v === undefined) return undefined;
    try {
      return parseBytes(v);
    } catch (e) {
      this.issue(path, (e as Error).message);
      return undefined;
    }
  }

  cpus(v: string | number | undefined, path: PathSegment[]): number | undefined {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) {
      this.issue(path, `invalid cpus ${JSON.stringify(v)}`, "use a number such as 0.5 or 2");
      return undefined;
    }
    return Math.round(n * 1e9);
  }

  // ---- networks, secrets, configs

  networks(model: ComposeModel, used: Set<string>): { create: NetworkCreateSpec[]; external: string[] } {
    const create: NetworkCreateSpec[] = [];
    const external: string[] = [];
    for (const key of [...used].sort()) {
      const net = model.networks[key];
      if (!net) continue;
      const name = objectName(this.stack, model.name, key, net.name, net.external);
      if (net.external) {
        external.push(name);
        continue;
      }
      const ipam = net.ipam;
      const spec: NetworkCreateSpec = prune({
          Name: name,
          Driver: net.driver ?? "overlay",
          Options: net.driver_opts,
          IPAM:
            ipam && (ipam.driver !== undefined || (ipam.config ?? []).length > 0 || ipam.options !== undefined)
              ? prune({
                  Driver: ipam.driver,
                  Config: ipam.config?.map((c) => prune({ Subnet: c.subnet, IPRange: c.ip_range, Gateway: c.gateway, AuxiliaryAddresses: c.aux_addresses })),
                  Options: ipam.options,
                })
              : undefined,
          Internal: net.internal,
          Attachable: net.attachable,
          EnableIPv6: net.enable_ipv6,
          Labels: withStack(this.stack, net.labels),
        });
      // networks cannot be updated: the hash lets the plan say when the file's definition changed
      spec.Labels = { ...spec.Labels, [LABEL_SPEC_HASH]: createHash("sha256").update(canonicalJson(spec)).digest("hex") };
      create.push(spec);
    }
    return { create, external };
  }

  /** The secrets or configs the services use (one used only by a service a profile leaves out is not created). */
  objects(kind: "secrets" | "configs", model: ComposeModel): { create: DesiredObject[]; external: string[] } {
    const create: DesiredObject[] = [];
    const external: string[] = [];
    const names = kind === "secrets" ? this.secretNames : this.configNames;
    const used = new Set(Object.values(model.services).flatMap((svc) => (svc[kind] ?? []).map((r) => r.source)));
    for (const [key, def] of Object.entries(model[kind])) {
      if (!used.has(key)) continue;
      if (def.external) {
        const name = objectName(this.stack, model.name, key, def.name, true);
        names.set(key, name);
        external.push(name);
        continue;
      }
      const data = this.content(kind, key, def);
      if (data === undefined) continue;
      const base = objectName(this.stack, model.name, key, def.name, false);
      const name = `${base}_${contentHash8(data)}`;
      if (name.length > MAX_OBJECT_NAME) {
        this.issue([kind, key], `the Swarm name ${name} is longer than ${MAX_OBJECT_NAME} characters (stack, name and the 8-digit content hash)`, "use a shorter stack name, key or name:");
        continue;
      }
      names.set(key, name);
      create.push({
        key,
        spec: prune({
          Name: name,
          Labels: { ...withStack(this.stack, def.labels), [LABEL_OBJECT]: key },
          Data: Buffer.from(data).toString("base64"),
          Templating: def.template_driver !== undefined ? { Name: def.template_driver } : undefined,
        }),
      });
    }
    return { create: sortedBy(create, (o) => o.spec.Name), external: external.sort() };
  }

  content(kind: "secrets" | "configs", key: string, def: SecretConfig): Uint8Array | string | undefined {
    const path: PathSegment[] = [kind, key];
    if (def.file !== undefined) {
      try {
        return this.input.readFile(def.file);
      } catch (e) {
        this.issue([...path, "file"], `cannot read ${def.file}: ${(e as Error).message}`, "check that the file exists and is readable");
        return undefined;
      }
    }
    if (def.environment !== undefined) {
      const value = this.input.environment[def.environment];
      if (value === undefined) {
        this.issue([...path, "environment"], `variable ${def.environment} is not set`, `set ${def.environment} in the environment or in .env`);
        return undefined;
      }
      return value;
    }
    if (def.content !== undefined) return def.content;
    this.issue(path, `${kind === "secrets" ? "secret" : "config"} ${key} has no file, environment or content`, "add one, or mark it external: true");
    return undefined;
  }

  // ---- services

  service(name: string, svc: ServiceConfig, model: ComposeModel): DesiredService {
    const p: PathSegment[] = ["services", name];
    const deploy = svc.deploy ?? {};
    const image = this.input.images?.[name] ?? svc.image ?? "";
    const container: SwarmContainerSpec = prune({
      Image: image,
      Labels: withStack(this.stack, svc.labels),
      Command: svc.entrypoint ?? undefined,
      Args: svc.command ?? undefined,
      Hostname: svc.hostname,
      Env: this.env(svc.environment),
      Dir: svc.working_dir,
      User: svc.user,
      Groups: svc.group_add,
      TTY: svc.tty,
      OpenStdin: svc.stdin_open,
      ReadOnly: svc.read_only,
      Mounts: this.mounts(svc, model, p),
      StopSignal: svc.stop_signal,
      StopGracePeriod: this.ns(svc.stop_grace_period, [...p, "stop_grace_period"]),
      Healthcheck: this.healthcheck(svc.healthcheck, [...p, "healthcheck"]),
      Hosts: svc.extra_hosts?.map((h) => {
        const i = h.indexOf("=");
        return `${h.slice(i + 1)} ${h.slice(0, i)}`;
      }),
      DNSConfig:
        svc.dns || svc.dns_search || svc.dns_opt ? prune({ Nameservers: svc.dns, Search: svc.dns_search, Options: svc.dns_opt }) : undefined,
      Secrets: this.refs(svc.secrets, this.secretNames, "secrets", p),
      Configs: this.refs(svc.configs, this.configNames, "configs", p),
      Isolation: svc["isolation"],
      Init: svc.init,
      Sysctls: svc.sysctls && Object.keys(svc.sysctls).length > 0 ? svc.sysctls : undefined,
      ...capabilities(svc.cap_add, svc.cap_drop),
      Ulimits: svc.ulimits
        ? sortedBy(Object.entries(svc.ulimits), ([n]) => n).map(([Name, u]) => ({ Name, Soft: u.soft, Hard: u.hard }))
        : undefined,
      OomScoreAdj: svc.oom_score_adj,
      Privileges: this.privileges(svc),
    });
    const task: TaskSpec = prune({
      ContainerSpec: container,
      Resources: this.resources(svc, p),
      RestartPolicy: this.restartPolicy(svc, p),
      Placement: this.placement(deploy["placement"]),
      Networks: this.attachments(name, svc, model),
      LogDriver: svc.logging ? prune({ Name: svc.logging.driver ?? "", Options: svc.logging.options }) : undefined,
    });
    const spec: ServiceSpec = prune({
      Name: scoped(this.stack, name),
      Labels: { ...withStack(this.stack, deploy.labels), [LABEL_IMAGE]: svc.image ?? image },
      TaskTemplate: task,
      Mode: this.mode(svc, p),
      UpdateConfig: this.updateConfig(deploy["update_config"], [...p, "deploy", "update_config"]),
      RollbackConfig: this.updateConfig(deploy["rollback_config"], [...p, "deploy", "rollback_config"]),
      EndpointSpec: this.endpoint(svc, p),
    });
    if (spec.Name.length > MAX_SERVICE_NAME) {
      this.issue(p, `the Swarm service name ${spec.Name} is longer than ${MAX_SERVICE_NAME} characters (a DNS label)`, "use a shorter stack or service name");
    }
    const hash = createHash("sha256").update(canonicalJson(spec)).digest("hex");
    spec.Labels = { ...spec.Labels, [LABEL_SPEC_HASH]: hash };
    return { service: name, spec, hash };
  }

  env(environment: Record<string, string | null> | undefined): string[] | undefined {
    if (!environment) return undefined;
    const out = Object.entries(environment).map(([k, v]) => (v === null ? k : `${k}=${v}`));
    return out.length > 0 ? out.sort() : undefined;
  }

  healthcheck(h: HealthcheckConfig | undefined, p: PathSegment[]): SwarmContainerSpec["Healthcheck"] {
    if (!h) return undefined;
    if (h.disable || h.test?.[0] === "NONE") return { Test: ["NONE"] };
    return prune({
      Test: h.test,
      Interval: this.ns(h.interval, [...p, "interval"]),
      Timeout: this.ns(h.timeout, [...p, "timeout"]),
      Retries: h.retries,
      StartPeriod: this.ns(h.start_period, [...p, "start_period"]),
      StartInterval: this.ns(h.start_interval, [...p, "start_interval"]),
    });
  }

  privileges(svc: ServiceConfig): SwarmContainerSpec["Privileges"] {
    const cred = svc["credential_spec"] as { file?: string; registry?: string } | undefined;
    if (!cred || (cred.file === undefined && cred.registry === undefined)) return undefined;
    return { CredentialSpec: prune({ File: cred.file, Registry: cred.registry }) };
  }

  refs(refs: ServiceSecretRef[] | undefined, names: Map<string, string>, kind: "secrets" | "configs", p: PathSegment[]): FileReference[] | undefined {
    if (!refs || refs.length === 0) return undefined;
    const out: FileReference[] = [];
    refs.forEach((r, i) => {
      const name = names.get(r.source);
      if (name === undefined) {
        if (!this.issues.some((x) => x.path?.startsWith(`${kind}.${r.source}`))) {
          this.issue([...p, kind, i], `${kind === "secrets" ? "secret" : "config"} ${r.source} is not defined`, `declare it under the top-level ${kind}:`);
        }
        return;
      }
      // Swarm mounts a relative secret name under /run/secrets and a relative config name under /
      let target = r.target ?? r.source;
      if (kind === "secrets" && target === `/run/secrets/${r.source}`) target = r.source;
      const file = { Name: target, UID: r.uid ?? "0", GID: r.gid ?? "0", Mode: r.mode ?? 0o444 };
      out.push(kind === "secrets" ? { File: file, SecretName: name } : { File: file, ConfigName: name });
    });
    // by name only, keeping the file's order for one object mounted twice (as docker stack: a stable sort)
    return out.length > 0 ? sortedBy(out, (r) => r.SecretName ?? r.ConfigName ?? "") : undefined;
  }

  mounts(svc: ServiceConfig, model: ComposeModel, p: PathSegment[]): Mount[] | undefined {
    const out: Mount[] = [];
    (svc.volumes ?? []).forEach((v, i) => {
      const m = this.mount(v, model, [...p, "volumes", i]);
      if (m) out.push(m);
    });
    for (const t of svc.tmpfs ?? []) {
      const [target = "", ...rest] = t.split(":");
      const opts = rest.join(":");
      const size = /(?:^|,)size=([^,]+)/.exec(opts)?.[1];
      const mode = /(?:^|,)mode=([0-7]+)/.exec(opts)?.[1];
      out.push(
        prune({
          Type: "tmpfs" as const,
          Target: target,
          TmpfsOptions: size !== undefined || mode !== undefined ? prune({ SizeBytes: this.bytes(size, [...p, "tmpfs"]), Mode: mode !== undefined ? parseInt(mode, 8) : undefined }) : undefined,
        }),
      );
    }
    return out.length > 0 ? out : undefined;
  }

  mount(v: VolumeMount, model: ComposeModel, p: PathSegment[]): Mount | undefined {
    const base = { Target: v.target, ReadOnly: v.read_only || undefined, Consistency: v.consistency };
    switch (v.type) {
      case "bind":
        return prune({
          Type: "bind" as const,
          Source: v.source,
          ...base,
          BindOptions: v.bind?.propagation !== undefined ? { Propagation: v.bind.propagation } : undefined,
        });
      case "tmpfs":
        return prune({
          Type: "tmpfs" as const,
          ...base,
          TmpfsOptions: v.tmpfs ? prune({ SizeBytes: this.bytes(v.tmpfs.size, [...p, "tmpfs", "size"]), Mode: v.tmpfs.mode }) : undefined,
        });
      case "volume": {
        const options = prune({ NoCopy: v.volume?.nocopy, Subpath: v.volume?.subpath, Labels: v.volume?.labels });
        if (v.source === undefined) return prune({ Type: "volume" as const, ...base, VolumeOptions: Object.keys(options).length > 0 ? options : undefined });
        const vol = model.volumes[v.source];
        if (!vol) {
          this.issue(p, `volume ${v.source} is not defined`, "declare it under the top-level volumes:");
          return undefined;
        }
        const source = objectName(this.stack, model.name, v.source, vol.name, vol.external);
        if (!vol.external) {
          options.Labels = withStack(this.stack, { ...(vol.labels ?? {}), ...(v.volume?.labels ?? {}) });
          if (vol.driver !== undefined || vol.driver_opts !== undefined) {
            (options as NonNullable<Mount["VolumeOptions"]>).DriverConfig = prune({ Name: vol.driver, Options: vol.driver_opts });
          }
        }
        return prune({ Type: "volume" as const, Source: source, ...base, VolumeOptions: Object.keys(options).length > 0 ? options : undefined });
      }
      case "npipe":
      case "cluster":
        return prune({ Type: v.type, Source: v.source, ...base });
      default:
        // image mounts are refused by the check (or dropped with --ignore)
        return undefined;
    }
  }

  resources(svc: ServiceConfig, p: PathSegment[]): TaskSpec["Resources"] {
    const r = svc.deploy?.resources;
    const dp: PathSegment[] = [...p, "deploy", "resources"];
    const limits: ResourceSpec = prune({
      NanoCPUs: this.cpus(r?.limits?.cpus ?? svc.cpus, r?.limits?.cpus !== undefined ? [...dp, "limits", "cpus"] : [...p, "cpus"]),
      MemoryBytes: this.bytes(r?.limits?.memory ?? svc.mem_limit, r?.limits?.memory !== undefined ? [...dp, "limits", "memory"] : [...p, "mem_limit"]),
      Pids: r?.limits?.pids ?? svc.pids_limit,
    });
    const generic = (r?.reservations?.generic_resources ?? []).map((g) => {
      const d = (g as { discrete_resource_spec?: { kind: string; value: number } }).discrete_resource_spec;
      return d ? { DiscreteResourceSpec: { Kind: d.kind, Value: Number(d.value) } } : {};
    });
    const reservations: ResourceSpec = prune({
      NanoCPUs: this.cpus(r?.reservations?.cpus, [...dp, "reservations", "cpus"]),
      MemoryBytes: this.bytes(
        r?.reservations?.memory ?? svc.mem_reservation,
        r?.reservations?.memory !== undefined ? [...dp, "reservations", "memory"] : [...p, "mem_reservation"],
      ),
      GenericResources: generic.length > 0 ? generic : undefined,
    });
    const out = prune({
      Limits: Object.keys(limits).length > 0 ? limits : undefined,
      Reservations: Object.keys(reservations).length > 0 ? reservations : undefined,
    });
    return Object.keys(out).length > 0 ? out : undefined;
  }

  restartPolicy(svc: ServiceConfig, p: PathSegment[]): TaskSpec["RestartPolicy"] {
    const rp = svc.deploy?.restart_policy;
    const rpp: PathSegment[] = [...p, "deploy", "restart_policy"];
    if (rp) {
      return prune({
        Condition: rp.condition as "none" | "on-failure" | "any" | undefined,
        Delay: this.ns(rp.delay, [...rpp, "delay"]),
        MaxAttempts: rp.max_attempts,
        Window: this.ns(rp.window, [...rpp, "window"]),
      });
    }
    const restart = svc.restart;
    if (restart === undefined) return undefined;
    const [policy, count] = restart.split(":");
    const max = count !== undefined && Number(count) > 0 ? Number(count) : undefined;
    switch (policy) {
      case "no":
        return { Condition: "none" };
      case "always":
      case "unless-stopped":
        return prune({ Condition: "any" as const, MaxAttempts: max });
      case "on-failure":
        return prune({ Condition: "on-failure" as const, MaxAttempts: max });
      default:
        this.issue([...p, "restart"], `unknown restart policy ${JSON.stringify(restart)}`, "use no, always, unless-stopped or on-failure[:N]");
        return undefined;
    }
  }

  placement(v: unknown): TaskSpec["Placement"] {
    const pl = (v ?? {}) as { constraints?: string[]; preferences?: { spread?: string }[]; max_replicas_per_node?: number };
    const out = prune({
      Constraints: pl.constraints && pl.constraints.length > 0 ? pl.constraints : undefined,
      Preferences:
        pl.preferences && pl.preferences.length > 0
          ? pl.preferences.filter((x) => x.spread !== undefined).map((x) => ({ Spread: { SpreadDescriptor: x.spread! } }))
          : undefined,
      MaxReplicas: pl.max_replicas_per_node,
    });
    return Object.keys(out).length > 0 ? out : undefined;
  }

  attachments(name: string, svc: ServiceConfig, model: ComposeModel): TaskSpec["Networks"] {
    if (svc.network_mode === "host") return [{ Target: "host" }];
    if (svc.network_mode !== undefined) return undefined; // refused by the check (or dropped with --ignore)
    const nets = svc.networks ?? { default: null };
    const out = Object.entries(nets).map(([key, cfg]) => {
      const net = model.networks[key];
      const target = objectName(this.stack, model.name, key, net?.name, net?.external);
      return prune({ Target: target, Aliases: [...(cfg?.aliases ?? []), name], DriverOpts: cfg?.driver_opts });
    });
    return sortedBy(out, (n) => n.Target);
  }

  mode(svc: ServiceConfig, p: PathSegment[]): ServiceSpec["Mode"] {
    const mode = svc.deploy?.mode ?? "replicated";
    const replicas = svc.deploy?.replicas ?? svc.scale;
    switch (mode) {
      case "replicated":
        return { Replicated: { Replicas: replicas ?? 1 } };
      case "global":
        return { Global: {} };
      case "replicated-job":
        return { ReplicatedJob: { MaxConcurrent: replicas ?? 1, TotalCompletions: replicas ?? 1 } };
      case "global-job":
        return { GlobalJob: {} };
      default:
        this.issue([...p, "deploy", "mode"], `unknown deploy mode ${JSON.stringify(mode)}`, "use replicated, global, replicated-job or global-job");
        return undefined;
    }
  }

  updateConfig(v: unknown, p: PathSegment[]): UpdateConfig | undefined {
    if (v === undefined || v === null) return undefined;
    const u = v as { parallelism?: number; delay?: string; failure_action?: string; monitor?: string; max_failure_ratio?: number; order?: string };
    return prune({
      Parallelism: u.parallelism ?? 1,
      Delay: this.ns(u.delay, [...p, "delay"]),
      FailureAction: u.failure_action as UpdateConfig["FailureAction"],
      Monitor: this.ns(u.monitor, [...p, "monitor"]),
      MaxFailureRatio: u.max_failure_ratio,
      Order: u.order as UpdateConfig["Order"],
    });
  }

  endpoint(svc: ServiceConfig, p: PathSegment[]): ServiceSpec["EndpointSpec"] {
    const mode = svc.deploy?.["endpoint_mode"] as string | undefined;
    const ports: NonNullable<NonNullable<ServiceSpec["EndpointSpec"]>["Ports"]> = [];
    (svc.ports ?? []).forEach((port, i) => {
      const published = port.published;
      let first: number | undefined;
      let last: number | undefined;
      if (published !== undefined && published !== "") {
        const m = /^(\d+)(?:-(\d+))?$/.exec(published);
        if (!m) {
          this.issue([...p, "ports", i, "published"], `invalid published port ${JSON.stringify(published)}`);
          return;
        }
        first = Number(m[1]);
        last = m[2] !== undefined ? Number(m[2]) : first;
        if (last !== first) {
          this.issue([...p, "ports", i, "published"], `a published port range (${published}) for one target port cannot be sent to Swarm`, "publish one port per target port");
          return;
        }
      }
      ports.push(prune({ Name: port.name, Protocol: port.protocol, TargetPort: port.target, PublishedPort: first, PublishMode: port.mode }));
    });
    const sorted = [...ports].sort(
      (a, b) => (a.PublishedPort ?? 0) - (b.PublishedPort ?? 0) || a.TargetPort - b.TargetPort || String(a.Protocol).localeCompare(String(b.Protocol)),
    );
    // Always sent, vip by default: docker stack sends an endpoint spec for every service and the
    // engine stores its empty mode as vip, so both tools store the same spec.
    return prune({ Mode: (mode?.toLowerCase() ?? "vip") as "vip" | "dnsrr", Ports: sorted.length > 0 ? sorted : undefined });
  }
}

/** Converts the model into the specs `stack deploy` sends. Throws one ConfigError listing every problem. */
export function convertStack(input: ConvertInput): SwarmStackSpec {
  const c = new Converter(input);
  const { model } = input;
  const usedNetworks = new Set<string>();
  for (const svc of Object.values(model.services)) {
    if (svc.network_mode !== undefined) continue;
    for (const key of Object.keys(svc.networks ?? { default: null })) usedNetworks.add(key);
  }
  const nets = c.networks(model, usedNetworks);
  const secrets = c.objects("secrets", model);
  const configs = c.objects("configs", model);
  const services = Object.entries(model.services).map(([name, svc]) => c.service(name, svc, model));
  if (c.issues.length > 0) throw new ConfigError(c.issues);
  return {
    stack: input.stack,
    networks: nets.create,
    externalNetworks: nets.external,
    secrets: secrets.create,
    configs: configs.create,
    externalSecrets: secrets.external,
    externalConfigs: configs.external,
    services,
  };
}

/** What `stack config` prints: the exact specs, in the order they are sent (secrets, configs, networks, services). */
export function stackSpecsJson(spec: SwarmStackSpec, options: { showSecrets?: boolean } = {}): Record<string, unknown> {
  const redact = (o: DesiredObject): SwarmObjectSpec =>
    options.showSecrets ? o.spec : { ...o.spec, Data: `<redacted: ${Buffer.from(o.spec.Data, "base64").length} bytes; --show-secrets prints it>` };
  return {
    secrets: spec.secrets.map(redact),
    configs: spec.configs.map((o) => o.spec),
    networks: spec.networks,
    services: spec.services.map((s) => s.spec),
    ...(spec.externalNetworks.length + spec.externalSecrets.length + spec.externalConfigs.length > 0
      ? { external: { networks: spec.externalNetworks, secrets: spec.externalSecrets, configs: spec.externalConfigs } }
      : {}),
  };
}

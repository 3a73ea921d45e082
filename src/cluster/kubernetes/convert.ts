/**
 * Compose model → Kubernetes objects. Pure and deterministic: the same model and options give the
 * same objects in the same order, with no timestamps. File contents (secrets, configs) come through
 * the `readFile` callback the caller passes. What cannot be mapped faithfully is decided by the
 * capabilities column and reported by `check.ts`; this module maps what is there.
 *
 * Per service: a workload (Deployment; StatefulSet with a named volume and one replica; DaemonSet for
 * `deploy.mode: global`; Job for one-shot services), a Service (ClusterIP with ports, headless without,
 * so the service name always resolves), a ConfigMap for its environment. Per project: a
 * PersistentVolumeClaim per named volume, a Secret per secret, a ConfigMap per config, a NetworkPolicy
 * per network.
 */
import type { Container, PodSpec, Probe, Volume, VolumeMount as KVolumeMount, SecurityContext, ServicePort, EnvFromSource, ResourceRequirements, Affinity, TopologySpreadConstraint, HostAlias, PodSecurityContext, ContainerPort } from "kubernetes-types/core/v1.js";
import type { ComposeModel, ServiceConfig, HealthcheckConfig, PortConfig } from "../../spec/model.js";
import { parseBytes, parseDuration } from "../../spec/units.js";
import { NameTable, toConfigKey, toDnsLabel, isLabelKey, isLabelValue, isDns1123Label, shortHash } from "./names.js";
import type { KubeObject, KubernetesConversion, KubernetesIssue, KubernetesOptions, ServiceOutput } from "./types.js";

export const LABEL_NAME = "app.kubernetes.io/name";
export const LABEL_PART_OF = "app.kubernetes.io/part-of";
export const LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
export const NETWORK_LABEL_PREFIX = "network.flotilla.dev/";
export const DEFAULT_WAIT_IMAGE = "busybox:1.36";
export const DEFAULT_VOLUME_SIZE = "1Gi";

/** What convert needs from a loaded project. */
export interface ConvertInput {
  model: ComposeModel;
  /** The interpolation environment (the source of `environment:` secrets and configs). */
  environment: Readonly<Record<string, string>>;
}

export type ReadFile = (path: string) => Uint8Array | string;

type Kind = ServiceOutput["kind"];

/** The Kubernetes extension of a volume, service or network: `x-flotilla: {k8s: {...}}`. */
export function flotillaExtension(obj: Record<string, unknown> | undefined): Record<string, unknown> {
  const x = obj?.["x-flotilla"];
  if (x === null || typeof x !== "object") return {};
  const k = (x as Record<string, unknown>)["k8s"];
  return k !== null && typeof k === "object" ? (k as Record<string, unknown>) : {};
}

/** The workload kind a service becomes. */
export function workloadKind(svc: ServiceConfig, model: ComposeModel): Kind {
  const mode = svc.deploy?.mode;
  if (mode === "replicated-job" || mode === "global-job") return "Job";
  if (svc.restart === "no" || svc.deploy?.restart_policy?.condition === "none") return "Job";
  // another service waits for it to complete: a one-shot, whatever its restart policy says
  if (Object.values(model.services).some((s) => s !== svc && Object.entries(s.depends_on ?? {}).some(([d, e]) => model.services[d] === svc && e.condition === "service_completed_successfully"))) return "Job";
  if (mode === "global") return "DaemonSet";
  if (replicasOf(svc) === 1 && namedVolumes(svc, model).length > 0) return "StatefulSet";
  return "Deployment";
}

export function replicasOf(svc: ServiceConfig): number {
  const r = svc.deploy?.replicas ?? svc.scale;
  return typeof r === "number" ? r : 1;
}

/** The named (non-anonymous) volume mounts of a service whose volume the project declares. */
function namedVolumes(svc: ServiceConfig, model: ComposeModel): string[] {
  return (svc.volumes ?? []).filter((v) => v.type === "volume" && v.source !== undefined && model.volumes[v.source] !== undefined).map((v) => v.source!);
}

function seconds(d: string | number | undefined, fallback: number): number {
  if (d === undefined) return fallback;
  try {
    return Math.max(1, Math.ceil(parseDuration(d) / 1000));
  } catch {
    return fallback;
  }
}

/** Bytes as a Kubernetes quantity: the largest binary unit that divides it exactly. */
export function quantityOfBytes(v: string | number): string {
  const n = parseBytes(v);
  const units: [string, number][] = [["Ti", 1024 ** 4], ["Gi", 1024 ** 3], ["Mi", 1024 ** 2], ["Ki", 1024]];
  for (const [u, f] of units) if (n >= f && n % f === 0) return `${n / f}${u}`;
  return String(n);
}

/** CPUs (`0.5`, `"1.25"`) as a Kubernetes quantity in millicores when fractional. */
export function quantityOfCpus(v: string | number): string {
  const n = Number(v);
  if (!Number.isFinite(n)) return String(v);
  return Number.isInteger(n) ? String(n) : `${Math.round(n * 1000)}m`;
}

function sortedRecord<T>(rec: Record<string, T>): Record<string, T> {
  return Object.fromEntries(sortedEntries(rec));
}

/** A record's entries in key order (so that the output does not depend on the file's order). */
function sortedEntries<T>(rec: Readonly<Record<string, T>>): [string, T][] {
  return Object.entries(rec).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function base64(data: Uint8Array | string): string {
  return Buffer.from(typeof data === "string" ? Buffer.from(data, "utf8") : data).toString("base64");
}

function pullPolicy(p: string | undefined): Container["imagePullPolicy"] | undefined {
  switch (p) {
    case "always":
      return "Always";
    case "never":
      return "Never";
    case "missing":
    case "if_not_present":
      return "IfNotPresent";
    default:
      return undefined;
  }
}

/** Compose healthcheck → the probe shared by readiness and liveness (undefined: no probes). */
export function probeOf(hc: HealthcheckConfig | undefined): { probe: Probe; startup?: Probe } | undefined {
  if (!hc || hc.disable === true || !hc.test || hc.test.length === 0 || hc.test[0] === "NONE") return undefined;
  const [kind, ...rest] = hc.test;
  const command = kind === "CMD-SHELL" ? ["sh", "-c", rest.join(" ")] : kind === "CMD" ? rest : hc.test;
  const period = seconds(hc.interval, 30);
  const timeout = seconds(hc.timeout, 30);
  const retries = typeof hc.retries === "number" && hc.retries > 0 ? hc.retries : 3;
  const probe: Probe = { exec: { command }, periodSeconds: period, timeoutSeconds: timeout, failureThreshold: retries };
  let startMs = 0;
  try {
    startMs = hc.start_period !== undefined ? parseDuration(hc.start_period) : 0;
  } catch {
    startMs = 0;
  }
  if (startMs <= 0) return { probe };
  const startPeriod = seconds(hc.start_interval, 5);
  const startup: Probe = {
    exec: { command },
    periodSeconds: startPeriod,
    timeoutSeconds: timeout,
    // Compose ignores failures during start_period, then counts `retries` more
    failureThreshold: Math.ceil(startMs / 1000 / startPeriod) + retries,
  };
  return { probe, startup };
}

/** `1000`, `1000:1000` → numeric ids; anything else is not representable. */
export function numericUser(user: string | undefined): { uid: number; gid?: number } | undefined {
  if (user === undefined) return undefined;
  const m = /^(\d+)(?::(\d+))?$/.exec(user.trim());
  if (!m) return undefined;
  return m[2] !== undefined ? { uid: Number(m[1]), gid: Number(m[2]) } : { uid: Number(m[1]) };
}

/** A Compose port's Service port number: the published port when it is one number, else the target. */
function servicePortNumber(p: PortConfig): number {
  if (p.published !== undefined && /^\d+$/.test(p.published)) return Number(p.published);
  return p.target;
}

function protocolOf(p: string | undefined): "TCP" | "UDP" | "SCTP" {
  return p === "udp" ? "UDP" : p === "sctp" ? "SCTP" : "TCP";
}

interface PortSpec {
  port: number;
  target: number;
  protocol: "TCP" | "UDP" | "SCTP";
  name?: string;
  appProtocol?: string;
  published: boolean;
  hostPort?: number;
}

/** The ports of a service: published and exposed, deduplicated by (port, protocol), named uniquely. */
export function portsOf(svc: ServiceConfig): PortSpec[] {
  const out: PortSpec[] = [];
  const seen = new Set<string>();
  for (const p of svc.ports ?? []) {
    const spec: PortSpec = { port: servicePortNumber(p), target: p.target, protocol: protocolOf(p.protocol), published: p.mode !== "host" };
    if (p.name !== undefined) spec.name = p.name;
    if (p.app_protocol !== undefined) spec.appProtocol = p.app_protocol;
    if (p.mode === "host" && p.published !== undefined && /^\d+$/.test(p.published)) spec.hostPort = Number(p.published);
    const key = `${spec.port}/${spec.protocol}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(spec);
  }
  for (const e of svc.expose ?? []) {
    const m = /^(\d+)(?:-\d+)?(?:\/(tcp|udp|sctp))?$/.exec(String(e));
    if (!m) continue;
    const spec: PortSpec = { port: Number(m[1]), target: Number(m[1]), protocol: protocolOf(m[2]), published: false };
    const key = `${spec.port}/${spec.protocol}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(spec);
  }
  // names: the user's when valid and unique, else <proto>-<port> (at most 15 characters)
  const names = new Set<string>();
  for (const p of out) {
    let name = p.name !== undefined ? toDnsLabel(p.name, 15) : "";
    if (name === "" || names.has(name) || p.name !== name) name = `${p.protocol.toLowerCase()}-${p.port}`;
    names.add(name);
    p.name = name;
  }
  return out;
}

export function convertToKubernetes(input: ConvertInput, options: KubernetesOptions = {}, readFile?: ReadFile): KubernetesConversion {
  const { model } = input;
  const notes: KubernetesIssue[] = [];
  const serviceNames = Object.keys(model.services).sort();
  const svcTable = new NameTable(serviceNames);
  // aliases share the Service namespace with services: give them names that do not collide
  const volTable = new NameTable(Object.keys(model.volumes));
  const netTable = new NameTable(Object.keys(model.networks), 63 - 0);
  const secretTable = new NameTable(Object.keys(model.secrets));
  const configTable = new NameTable(Object.keys(model.configs));
  const project = model.name;
  const projectLabel = isLabelValue(project) ? project : toDnsLabel(project);
  const common = { [LABEL_PART_OF]: projectLabel, [LABEL_MANAGED_BY]: "flotilla" };
  const ns = options.namespace;
  const meta = (name: string, labels: Record<string, string> = {}, annotations?: Record<string, string>): KubeObject["metadata"] => ({
    name,
    ...(ns !== undefined ? { namespace: ns } : {}),
    labels: sortedRecord({ ...labels, ...common }),
    ...(annotations !== undefined && Object.keys(annotations).length > 0 ? { annotations: sortedRecord(annotations) } : {}),
  });
  const objects: KubeObject[] = [];
  const services: Record<string, ServiceOutput> = {};
  const note = (severity: KubernetesIssue["severity"], key: string, path: KubernetesIssue["path"], message: string, hint?: string): void => {
    notes.push({ severity, key, path, message, ...(hint !== undefined ? { hint } : {}) });
  };
  const read = (file: string, key: string, path: KubernetesIssue["path"]): Uint8Array | string | undefined => {
    if (!readFile) {
      note("refusal", key, path, `cannot read ${file}: no file reader given`);
      return undefined;
    }
    try {
      return readFile(file);
    } catch (e) {
      note("refusal", key, path, `cannot read ${file}: ${(e as Error).message}`, "create the file, or make the secret/config external");
      return undefined;
    }
  };

  // ---- project-level objects: PVCs, Secrets, ConfigMaps
  for (const [volName, vol] of sortedEntries(model.volumes)) {
    if (vol.external === true) continue;
    const x = flotillaExtension(vol as unknown as Record<string, unknown>);
    const size = typeof x["size"] === "string" ? x["size"] : options.volumeSize ?? DEFAULT_VOLUME_SIZE;
    const storageClass = typeof x["storage_class"] === "string" ? x["storage_class"] : options.storageClass;
    const accessMode = typeof x["access_mode"] === "string" ? x["access_mode"] : "ReadWriteOnce";
    objects.push({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: meta(volTable.get(volName), validLabels(vol.labels).labels),
      spec: {
        accessModes: [accessMode],
        ...(storageClass !== undefined ? { storageClassName: storageClass } : {}),
        resources: { requests: { storage: size } },
      },
    });
  }
  const secretKeys: Record<string, string> = {};
  for (const [name, s] of sortedEntries(model.secrets)) {
    const key = toConfigKey(name);
    secretKeys[name] = key;
    if (s.external === true) continue;
    let data: Uint8Array | string | undefined;
    if (s.file !== undefined) data = read(s.file, "secrets.file", ["secrets", name, "file"]);
    else if (s.environment !== undefined) {
      data = input.environment[s.environment];
      if (data === undefined) note("refusal", "secrets.environment", ["secrets", name, "environment"], `the variable ${s.environment} is not set`, "set it in the environment or .env");
    }
    if (data === undefined) continue;
    objects.push({ apiVersion: "v1", kind: "Secret", metadata: meta(secretTable.get(name), validLabels(s.labels).labels), type: "Opaque", data: { [key]: base64(data) } });
  }
  const configKeys: Record<string, string> = {};
  for (const [name, c] of sortedEntries(model.configs)) {
    const key = toConfigKey(name);
    configKeys[name] = key;
    if (c.external === true) continue;
    let data: Uint8Array | string | undefined;
    if (c.content !== undefined) data = c.content;
    else if (c.file !== undefined) data = read(c.file, "configs.file", ["configs", name, "file"]);
    else if (c.environment !== undefined) {
      data = input.environment[c.environment];
      if (data === undefined) note("refusal", "configs.environment", ["configs", name, "environment"], `the variable ${c.environment} is not set`, "set it in the environment or .env");
    }
    if (data === undefined) continue;
    const text = typeof data === "string" ? data : Buffer.from(data).toString("utf8");
    const isText = typeof data === "string" || Buffer.from(text, "utf8").equals(Buffer.from(data));
    objects.push({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: meta(configTable.get(name), validLabels(c.labels).labels),
      ...(isText ? { data: { [key]: text } } : { binaryData: { [key]: base64(data) } }),
    });
  }

  // ---- networks: which services are on which network
  const members: Record<string, string[]> = {};
  for (const [svcName, svc] of sortedEntries(model.services)) {
    for (const net of Object.keys(svc.networks ?? {})) (members[net] ??= []).push(svcName);
  }
  const anyInternal = Object.values(model.networks).some((n) => n.internal === true && n.external !== true);

  // ---- services
  const aliasNames = new Set<string>();
  for (const [svcName, svc] of sortedEntries(model.services)) {
    const name = svcTable.get(svcName);
    const path = ["services", svcName];
    const kind = workloadKind(svc, model);
    services[svcName] = { name, kind };
    const selector = { [LABEL_NAME]: name, [LABEL_PART_OF]: projectLabel };
    const userLabels = validLabels(svc.labels);
    const podLabels: Record<string, string> = { ...userLabels.labels };
    const hostNetwork = svc.network_mode === "host";
    if (!hostNetwork) {
      for (const net of Object.keys(svc.networks ?? {})) podLabels[networkLabel(netTable.get(net))] = "true";
    }
    for (const k of Object.keys(selector)) delete podLabels[k];
    delete podLabels[LABEL_MANAGED_BY];
    const podAnnotations: Record<string, string> = { ...userLabels.annotations };
    for (const [k, v] of Object.entries(svc.annotations ?? {})) if (isLabelKey(k)) podAnnotations[k] = v;

    // environment → ConfigMap
    const envFrom: EnvFromSource[] = [];
    const env = Object.entries(svc.environment ?? {}).filter((e): e is [string, string] => e[1] !== null && e[1] !== undefined);
    if (env.length > 0) {
      const cmName = `${name.slice(0, 59)}-env`;
      const data = sortedRecord(Object.fromEntries(env));
      objects.push({ apiVersion: "v1", kind: "ConfigMap", metadata: meta(cmName, { [LABEL_NAME]: name }), data });
      envFrom.push({ configMapRef: { name: cmName } });
      podAnnotations["flotilla.dev/env-hash"] = shortHash(JSON.stringify(data));
    }

    // volumes
    const volumes: Volume[] = [];
    const mounts: KVolumeMount[] = [];
    let volIndex = 0;
    const addVolume = (v: Volume, m: Omit<KVolumeMount, "name">): void => {
      volumes.push(v);
      mounts.push({ name: v.name, ...m });
    };
    for (const [i, v] of (svc.volumes ?? []).entries()) {
      const mpath = [...path, "volumes", i];
      if (v.type === "volume") {
        if (v.source === undefined) {
          addVolume({ name: `anon-${volIndex++}`, emptyDir: {} }, { mountPath: v.target });
          continue;
        }
        const decl = model.volumes[v.source];
        const claimName = decl?.external === true ? toDnsLabel(decl.name) : volTable.get(v.source);
        addVolume(
          { name: `vol-${volTable.get(v.source)}`.slice(0, 63).replace(/-+$/, ""), persistentVolumeClaim: { claimName, ...(v.read_only === true ? { readOnly: true } : {}) } },
          { mountPath: v.target, ...(v.read_only === true ? { readOnly: true } : {}), ...(v.volume?.subpath !== undefined ? { subPath: v.volume.subpath } : {}) },
        );
      } else if (v.type === "tmpfs") {
        const size = v.tmpfs?.size;
        addVolume({ name: `tmpfs-${volIndex++}`, emptyDir: { medium: "Memory", ...(size !== undefined ? { sizeLimit: quantityOfBytes(size) } : {}) } }, { mountPath: v.target });
      } else if (v.type === "bind" && options.bindAsHostPath === true && v.source !== undefined) {
        addVolume(
          { name: `host-${volIndex++}`, hostPath: { path: v.source, ...(v.bind?.create_host_path === true ? { type: "DirectoryOrCreate" } : {}) } },
          { mountPath: v.target, ...(v.read_only === true ? { readOnly: true } : {}) },
        );
      }
      // other types are refused by the checks (or dropped knowingly with --ignore)
      void mpath;
    }
    for (const t of svc.tmpfs ?? []) {
      const [target, opts] = String(t).split(":", 2) as [string, string | undefined];
      const size = /(?:^|,)size=([^,]+)/.exec(opts ?? "")?.[1];
      addVolume({ name: `tmpfs-${volIndex++}`, emptyDir: { medium: "Memory", ...(size !== undefined ? { sizeLimit: quantityOfBytes(size) } : {}) } }, { mountPath: target });
    }
    if (svc.shm_size !== undefined) {
      addVolume({ name: "dshm", emptyDir: { medium: "Memory", sizeLimit: quantityOfBytes(svc.shm_size) } }, { mountPath: "/dev/shm" });
    }
    for (const [i, ref] of (svc.secrets ?? []).entries()) {
      const decl = model.secrets[ref.source];
      if (!decl) continue;
      const target = ref.target === undefined ? `/run/secrets/${ref.source}` : ref.target.startsWith("/") ? ref.target : `/run/secrets/${ref.target}`;
      const secretName = decl.external === true ? toDnsLabel(decl.name) : secretTable.get(ref.source);
      const key = secretKeys[ref.source] ?? toConfigKey(ref.source);
      addVolume(
        { name: `secret-${i}`, secret: { secretName, items: [{ key, path: key }], ...(ref.mode !== undefined ? { defaultMode: ref.mode } : {}) } },
        { mountPath: target, subPath: key, readOnly: true },
      );
    }
    for (const [i, ref] of (svc.configs ?? []).entries()) {
      const decl = model.configs[ref.source];
      if (!decl) continue;
      const target = ref.target ?? `/${ref.source}`;
      const cmName = decl.external === true ? toDnsLabel(decl.name) : configTable.get(ref.source);
      const key = configKeys[ref.source] ?? toConfigKey(ref.source);
      addVolume(
        { name: `config-${i}`, configMap: { name: cmName, items: [{ key, path: key }], ...(ref.mode !== undefined ? { defaultMode: ref.mode } : {}) } },
        { mountPath: target, subPath: key, readOnly: true },
      );
    }

    // ports
    const ports = portsOf(svc);
    const containerPorts: ContainerPort[] = ports.map((p) => ({
      containerPort: p.target,
      protocol: p.protocol,
      ...(p.hostPort !== undefined ? { hostPort: p.hostPort } : {}),
    }));
    // container ports are keyed by (containerPort, protocol)
    const uniqueContainerPorts = containerPorts.filter((p, i) => containerPorts.findIndex((q) => q.containerPort === p.containerPort && q.protocol === p.protocol) === i);

    // the container
    const container: Container = { name, image: svc.image ?? `${project}-${svcName}` };
    const pp = pullPolicy(svc.pull_policy);
    if (pp !== undefined) container.imagePullPolicy = pp;
    // Kubernetes expands $(VAR) in command and args; Compose passed them on as written
    const literal = (a: string): string => a.replace(/\$\(/g, "$$$$(");
    if (svc.entrypoint) container.command = svc.entrypoint.map(literal);
    if (svc.command) container.args = svc.command.map(literal);
    if (svc.working_dir !== undefined) container.workingDir = svc.working_dir;
    if (envFrom.length > 0) container.envFrom = envFrom;
    if (uniqueContainerPorts.length > 0) container.ports = uniqueContainerPorts;
    if (svc.tty === true) container.tty = true;
    if (svc.stdin_open === true) container.stdin = true;
    const resources = resourcesOf(svc);
    if (resources !== undefined) container.resources = resources;
    const probes = probeOf(svc.healthcheck);
    if (svc.healthcheck && !svc.healthcheck.disable && (svc.healthcheck.test === undefined || svc.healthcheck.test.length === 0)) {
      note("warning", "services.healthcheck.test", [...path, "healthcheck"], "the healthcheck has no test (the image's own is used by Docker): no probe is written", "give the test here so the probes can run it");
    }
    if (probes && kind !== "Job") {
      container.readinessProbe = probes.probe;
      container.livenessProbe = probes.probe;
      if (probes.startup) container.startupProbe = probes.startup;
    }
    const sc = securityContextOf(svc);
    if (sc !== undefined) container.securityContext = sc;
    const lifecycle: NonNullable<Container["lifecycle"]> = {};
    const hook = (h: unknown): string[] | undefined => {
      const c = (Array.isArray(h) ? h[0] : h) as { command?: unknown } | undefined;
      if (!c || c.command === undefined) return undefined;
      if (Array.isArray(c.command)) return c.command.map(String);
      return typeof c.command === "string" ? ["sh", "-c", c.command] : undefined;
    };
    const postStart = hook(svc["post_start"]);
    const preStop = hook(svc["pre_stop"]);
    if (postStart) lifecycle.postStart = { exec: { command: postStart } };
    if (preStop) lifecycle.preStop = { exec: { command: preStop } };
    if (Object.keys(lifecycle).length > 0) container.lifecycle = lifecycle;
    if (mounts.length > 0) container.volumeMounts = mounts;

    // depends_on → init containers
    const initContainers: Container[] = [];
    for (const [dep, entry] of sortedEntries(svc.depends_on ?? {})) {
      const target = model.services[dep];
      if (!target) continue; // an optional dependency outside the active profiles
      const depName = svcTable.get(dep);
      if (entry.condition === "service_completed_successfully" || workloadKind(target, model) === "Job") {
        note(
          "warning",
          "services.depends_on.condition",
          [...path, "depends_on", dep],
          `${svcName} starts without waiting for the one-shot ${dep} to complete: a pod cannot see a Job's completion without API access`,
          "order them with Argo CD sync waves or a Helm hook, or make the program retry",
        );
        continue;
      }
      const depPorts = portsOf(target);
      const [depPort] = depPorts;
      const check = depPort !== undefined && target.deploy?.endpoint_mode !== "dnsrr" ? `nc -z -w 2 ${depName} ${depPort.port}` : `nslookup ${depName} >/dev/null 2>&1`;
      const loop = entry.required === false
        ? `i=0; until ${check}; do i=$((i+1)); if [ $i -ge 60 ]; then echo "${depName} not ready, starting anyway"; exit 0; fi; echo "waiting for ${depName}"; sleep 2; done`
        : `until ${check}; do echo "waiting for ${depName}"; sleep 2; done`;
      initContainers.push({
        name: `wait-for-${depName}`.slice(0, 63).replace(/-+$/, ""),
        image: options.waitImage ?? DEFAULT_WAIT_IMAGE,
        command: ["sh", "-c", loop],
      });
    }

    // the pod
    const pod: PodSpec = { containers: [container] };
    if (initContainers.length > 0) pod.initContainers = initContainers;
    if (volumes.length > 0) pod.volumes = volumes;
    if (svc.hostname !== undefined && isDns1123Label(svc.hostname)) pod.hostname = svc.hostname;
    if (svc.stop_grace_period !== undefined) pod.terminationGracePeriodSeconds = seconds(svc.stop_grace_period, 30);
    if (hostNetwork) {
      pod.hostNetwork = true;
      pod.dnsPolicy = "ClusterFirstWithHostNet";
    }
    const dnsConfig: NonNullable<PodSpec["dnsConfig"]> = {};
    if (svc.dns && svc.dns.length > 0) dnsConfig.nameservers = [...svc.dns];
    if (svc.dns_search && svc.dns_search.length > 0) dnsConfig.searches = [...svc.dns_search];
    if (svc.dns_opt && svc.dns_opt.length > 0) {
      dnsConfig.options = svc.dns_opt.map((o) => {
        const [n, v] = o.split(":", 2) as [string, string | undefined];
        return v !== undefined ? { name: n, value: v } : { name: n };
      });
    }
    if (Object.keys(dnsConfig).length > 0) pod.dnsConfig = dnsConfig;
    const hostAliases = hostAliasesOf(svc, (i, msg) => note("warning", "services.extra_hosts", [...path, "extra_hosts", i], msg));
    if (hostAliases.length > 0) pod.hostAliases = hostAliases;
    const psc = podSecurityContextOf(svc);
    if (psc !== undefined) pod.securityContext = psc;
    const affinity = affinityOf(svc);
    if (affinity !== undefined) pod.affinity = affinity;
    const spread = spreadOf(svc, selector);
    if (spread.length > 0) pod.topologySpreadConstraints = spread;

    // config/secret content changes roll the pods
    const mounted = [
      ...(svc.secrets ?? []).map((r) => `s:${r.source}`),
      ...(svc.configs ?? []).map((r) => `c:${r.source}`),
    ];
    if (mounted.length > 0) {
      const contents = mounted.map((m) => {
        const [t, n] = [m.slice(0, 1), m.slice(2)];
        const obj = objects.find((o) => o.kind === (t === "s" ? "Secret" : "ConfigMap") && o.metadata.name === (t === "s" ? secretTable.get(n) : configTable.get(n)));
        return JSON.stringify(obj?.["data"] ?? obj?.["binaryData"] ?? null);
      });
      podAnnotations["flotilla.dev/mounts-hash"] = shortHash(contents.join("\n"));
    }

    const template = {
      metadata: { labels: sortedRecord({ ...podLabels, ...selector }), ...(Object.keys(podAnnotations).length > 0 ? { annotations: sortedRecord(podAnnotations) } : {}) },
      spec: pod,
    };
    const deployLabels = validLabels(svc.deploy?.labels);
    const workloadMeta = meta(name, { ...deployLabels.labels, [LABEL_NAME]: name }, deployLabels.annotations);
    const replicas = replicasOf(svc);
    let workload: KubeObject;
    if (kind === "Job") {
      const onFailure = svc.restart === "on-failure" || svc.restart?.startsWith("on-failure:") === true || svc.deploy?.restart_policy?.condition === "on-failure";
      pod.restartPolicy = onFailure ? "OnFailure" : "Never";
      const attempts = svc.deploy?.restart_policy?.max_attempts ?? (/^on-failure:(\d+)$/.exec(svc.restart ?? "")?.[1] !== undefined ? Number(/^on-failure:(\d+)$/.exec(svc.restart ?? "")![1]) : undefined);
      workload = {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: workloadMeta,
        spec: {
          ...(replicas !== 1 ? { completions: replicas, parallelism: replicas } : {}),
          backoffLimit: attempts ?? (onFailure ? 6 : 0),
          template,
        },
      };
    } else {
      pod.restartPolicy = "Always";
      const spec: Record<string, unknown> = {};
      if (kind !== "DaemonSet") spec["replicas"] = replicas;
      spec["selector"] = { matchLabels: selector };
      if (kind === "StatefulSet") spec["serviceName"] = name;
      const strategy = strategyOf(svc, kind);
      if (strategy.minReadySeconds !== undefined) spec["minReadySeconds"] = strategy.minReadySeconds;
      if (strategy.field !== undefined) spec[kind === "Deployment" ? "strategy" : "updateStrategy"] = strategy.field;
      spec["template"] = template;
      workload = { apiVersion: "apps/v1", kind, metadata: workloadMeta, spec };
    }
    objects.push(workload);

    // the Service: ClusterIP with ports, headless without (so the name resolves either way)
    const servicePorts: ServicePort[] = ports.map((p) => ({
      name: p.name!,
      port: p.port,
      targetPort: p.target,
      protocol: p.protocol,
      ...(p.appProtocol !== undefined ? { appProtocol: p.appProtocol } : {}),
    }));
    // a `ports` entry publishes the port on the host in Compose (an ephemeral host port included)
    const published = (svc.ports ?? []).some((p) => p.mode !== "host");
    const headless = servicePorts.length === 0 || svc.deploy?.endpoint_mode === "dnsrr";
    const type = !headless && published && options.expose === "nodeport" ? "NodePort" : !headless && published && options.expose === "loadbalancer" ? "LoadBalancer" : undefined;
    const serviceSpec = (): Record<string, unknown> => ({
      ...(type !== undefined ? { type } : {}),
      ...(headless ? { clusterIP: "None" } : {}),
      selector,
      ...(servicePorts.length > 0 ? { ports: servicePorts } : {}),
      // a headless Service of a pod that is not ready yet still resolves for its own pod (StatefulSet)
      ...(kind === "Job" ? { publishNotReadyAddresses: true } : {}),
    });
    objects.push({ apiVersion: "v1", kind: "Service", metadata: meta(name, { [LABEL_NAME]: name }), spec: serviceSpec() });
    // aliases: one more Service each, same selector
    const aliases = new Set<string>();
    for (const cfg of Object.values(svc.networks ?? {})) for (const a of cfg?.aliases ?? []) aliases.add(a);
    for (const alias of [...aliases].sort()) {
      const aliasName = toDnsLabel(alias);
      if (aliasName === name || serviceNames.some((s) => svcTable.get(s) === aliasName) || aliasNames.has(aliasName)) continue;
      aliasNames.add(aliasName);
      objects.push({ apiVersion: "v1", kind: "Service", metadata: meta(aliasName, { [LABEL_NAME]: name }, { "flotilla.dev/alias-of": name }), spec: serviceSpec() });
    }
    // published ports are reachable from outside the networks, as in Compose
    if (published && !hostNetwork && Object.keys(svc.networks ?? {}).length > 0) {
      objects.push({
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: meta(`${name.slice(0, 53)}-published`, { [LABEL_NAME]: name }),
        spec: {
          podSelector: { matchLabels: selector },
          policyTypes: ["Ingress"],
          ingress: [{ ports: ports.filter((p) => p.published).map((p) => ({ port: p.target, protocol: p.protocol })) }],
        },
      });
    }
  }

  // ---- a NetworkPolicy per network: only pods sharing a network can reach each other
  for (const [net, decl] of sortedEntries(model.networks)) {
    if (decl.external === true) continue;
    const label = networkLabel(netTable.get(net));
    const peers = { podSelector: { matchLabels: { [label]: "true" } } };
    const internal = decl.internal === true;
    const policyTypes = internal || anyInternal ? ["Ingress", "Egress"] : ["Ingress"];
    const egress = internal
      ? [{ to: [peers] }, { ports: [{ port: 53, protocol: "UDP" }, { port: 53, protocol: "TCP" }] }]
      : anyInternal
        ? [{}]
        : undefined;
    objects.push({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: meta(`network-${netTable.get(net)}`.slice(0, 63).replace(/-+$/, ""), validLabels(decl.labels).labels, { "flotilla.dev/network": net }),
      spec: {
        podSelector: { matchLabels: { [label]: "true" } },
        policyTypes,
        ingress: [{ from: [peers] }],
        ...(egress !== undefined ? { egress } : {}),
      },
    });
    void members;
  }

  const renames: Record<string, string> = {};
  for (const [from, to] of Object.entries(svcTable.renames())) renames[`services.${from}`] = to;
  for (const [from, to] of Object.entries(volTable.renames())) renames[`volumes.${from}`] = to;
  for (const [from, to] of Object.entries(netTable.renames())) renames[`networks.${from}`] = to;
  for (const [from, to] of Object.entries(secretTable.renames())) renames[`secrets.${from}`] = to;
  for (const [from, to] of Object.entries(configTable.renames())) renames[`configs.${from}`] = to;
  return { objects: sortObjects(objects), services, renames, notes };
}

export function networkLabel(netName: string): string {
  return `${NETWORK_LABEL_PREFIX}${netName}`;
}

const KIND_ORDER = ["Namespace", "Secret", "ConfigMap", "PersistentVolumeClaim", "Service", "Deployment", "StatefulSet", "DaemonSet", "Job", "NetworkPolicy"];

/** Stable order: by kind (what others need first), then by name. */
export function sortObjects(objects: KubeObject[]): KubeObject[] {
  const rank = (k: string): number => {
    const i = KIND_ORDER.indexOf(k);
    return i < 0 ? KIND_ORDER.length : i;
  };
  return [...objects].sort((a, b) => rank(a.kind) - rank(b.kind) || (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
}

/** Labels Kubernetes accepts stay labels; the others become annotations (keys permitting). */
export function validLabels(labels: Record<string, string> | undefined): { labels: Record<string, string>; annotations: Record<string, string> } {
  const out = { labels: {} as Record<string, string>, annotations: {} as Record<string, string> };
  for (const [k, v] of Object.entries(labels ?? {})) {
    const value = String(v ?? "");
    if (isLabelKey(k) && isLabelValue(value)) out.labels[k] = value;
    else if (isLabelKey(k)) out.annotations[k] = value;
  }
  return out;
}

function resourcesOf(svc: ServiceConfig): ResourceRequirements | undefined {
  const limits: Record<string, string> = {};
  const requests: Record<string, string> = {};
  const r = svc.deploy?.resources;
  const safe = (f: () => string): string | undefined => {
    try {
      return f();
    } catch {
      return undefined;
    }
  };
  const set = (into: Record<string, string>, k: string, v: string | undefined): void => {
    if (v !== undefined && v !== "0") into[k] = v;
  };
  if (svc.cpus !== undefined) set(limits, "cpu", quantityOfCpus(svc.cpus));
  if (svc.mem_limit !== undefined) set(limits, "memory", safe(() => quantityOfBytes(svc.mem_limit!)));
  if (svc.mem_reservation !== undefined) set(requests, "memory", safe(() => quantityOfBytes(svc.mem_reservation!)));
  if (r?.limits?.cpus !== undefined) set(limits, "cpu", quantityOfCpus(r.limits.cpus));
  if (r?.limits?.memory !== undefined) set(limits, "memory", safe(() => quantityOfBytes(r.limits!.memory!)));
  if (r?.reservations?.cpus !== undefined) set(requests, "cpu", quantityOfCpus(r.reservations.cpus));
  if (r?.reservations?.memory !== undefined) set(requests, "memory", safe(() => quantityOfBytes(r.reservations!.memory!)));
  if (Object.keys(limits).length === 0 && Object.keys(requests).length === 0) return undefined;
  return { ...(Object.keys(limits).length > 0 ? { limits: sortedRecord(limits) } : {}), ...(Object.keys(requests).length > 0 ? { requests: sortedRecord(requests) } : {}) };
}

function securityContextOf(svc: ServiceConfig): SecurityContext | undefined {
  const sc: SecurityContext = {};
  const user = numericUser(svc.user);
  if (user) {
    sc.runAsUser = user.uid;
    if (user.gid !== undefined) sc.runAsGroup = user.gid;
  }
  const cap = (c: string): string => c.replace(/^CAP_/i, "").toUpperCase();
  const add = (svc.cap_add ?? []).map(cap);
  const drop = (svc.cap_drop ?? []).map(cap);
  if (add.length > 0 || drop.length > 0) sc.capabilities = { ...(add.length > 0 ? { add } : {}), ...(drop.length > 0 ? { drop } : {}) };
  if (svc.read_only === true) sc.readOnlyRootFilesystem = true;
  if (svc.privileged === true) sc.privileged = true;
  return Object.keys(sc).length > 0 ? sc : undefined;
}

function podSecurityContextOf(svc: ServiceConfig): PodSecurityContext | undefined {
  const psc: PodSecurityContext = {};
  const sysctls = Object.entries(svc.sysctls ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  if (sysctls.length > 0) psc.sysctls = sysctls.map(([name, value]) => ({ name, value: String(value) }));
  const groups = (svc.group_add ?? []).filter((g) => /^\d+$/.test(String(g))).map(Number);
  if (groups.length > 0) psc.supplementalGroups = groups;
  return Object.keys(psc).length > 0 ? psc : undefined;
}

function hostAliasesOf(svc: ServiceConfig, warn: (i: number, msg: string) => void): HostAlias[] {
  const byIp = new Map<string, string[]>();
  for (const [i, entry] of (svc.extra_hosts ?? []).entries()) {
    const s = String(entry);
    const eq = s.indexOf("=");
    const [host, ip] = eq >= 0 ? [s.slice(0, eq), s.slice(eq + 1)] : [s.slice(0, s.indexOf(":")), s.slice(s.indexOf(":") + 1)];
    const bare = ip.replace(/^\[|\]$/g, "");
    if (!/^[\d.]+$/.test(bare) && !/^[0-9a-fA-F:]+$/.test(bare)) {
      warn(i, `extra host ${host} → ${ip} is not an IP address (hostAliases take IPs only): dropped`);
      continue;
    }
    (byIp.get(bare) ?? byIp.set(bare, []).get(bare)!).push(host);
  }
  return [...byIp.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([ip, hostnames]) => ({ ip, hostnames: hostnames.sort() }));
}

function constraintExpr(c: string): { key: string; operator: "In" | "NotIn"; values: string[] } | undefined {
  const m = /^\s*([\w.\-/]+)\s*(==|!=)\s*(.+?)\s*$/.exec(c);
  if (!m) return undefined;
  const [, lhs, op, value] = m as unknown as [string, string, string, string];
  let key: string | undefined;
  if (lhs.startsWith("node.labels.")) key = lhs.slice("node.labels.".length);
  else if (lhs === "node.platform.os") key = "kubernetes.io/os";
  else if (lhs === "node.platform.arch") key = "kubernetes.io/arch";
  if (key === undefined) return undefined;
  return { key, operator: op === "==" ? "In" : "NotIn", values: [value] };
}

function affinityOf(svc: ServiceConfig): Affinity | undefined {
  const placement = svc.deploy?.["placement"] as { constraints?: string[] } | undefined;
  const exprs = (placement?.constraints ?? []).map(constraintExpr).filter((e): e is NonNullable<typeof e> => e !== undefined);
  if (exprs.length === 0) return undefined;
  return { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: exprs }] } } };
}

function spreadOf(svc: ServiceConfig, selector: Record<string, string>): TopologySpreadConstraint[] {
  const placement = svc.deploy?.["placement"] as { preferences?: { spread?: string }[] } | undefined;
  const out: TopologySpreadConstraint[] = [];
  for (const p of placement?.preferences ?? []) {
    if (typeof p.spread !== "string") continue;
    const key = p.spread.startsWith("node.labels.") ? p.spread.slice("node.labels.".length) : p.spread === "node.hostname" || p.spread === "node.id" ? "kubernetes.io/hostname" : undefined;
    if (key === undefined || !isLabelKey(key)) continue;
    out.push({ maxSkew: 1, topologyKey: key, whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: selector } });
  }
  return out;
}

function strategyOf(svc: ServiceConfig, kind: Kind): { field?: Record<string, unknown>; minReadySeconds?: number } {
  const uc = svc.deploy?.["update_config"] as { parallelism?: number; order?: string; delay?: string; monitor?: string } | undefined;
  if (!uc) return {};
  const p = typeof uc.parallelism === "number" && uc.parallelism > 0 ? uc.parallelism : 1;
  const startFirst = uc.order === "start-first";
  let wait = 0;
  for (const d of [uc.delay, uc.monitor]) {
    if (d === undefined) continue;
    try {
      wait += parseDuration(d) / 1000;
    } catch {
      /* reported by the schema */
    }
  }
  const minReadySeconds = wait > 0 ? Math.ceil(wait) : undefined;
  const out: { field?: Record<string, unknown>; minReadySeconds?: number } = minReadySeconds !== undefined ? { minReadySeconds } : {};
  if (kind === "StatefulSet") out.field = { type: "RollingUpdate" };
  else out.field = { type: "RollingUpdate", rollingUpdate: startFirst ? { maxSurge: p, maxUnavailable: 0 } : { maxSurge: 0, maxUnavailable: p } };
  return out;
}

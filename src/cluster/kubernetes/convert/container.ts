/**
 * The service's container: image and pull policy, command and args (with `$(` kept literal), working
 * directory, environment (through a ConfigMap of its own), ports, resources, probes from the
 * healthcheck, security context and lifecycle hooks.
 */
import type { Container, EnvFromSource, Probe, ResourceRequirements, SecurityContext, VolumeMount } from "kubernetes-types/core/v1.js";
import type { HealthcheckConfig, ServiceConfig } from "../../../spec/model.js";
import { parseDuration } from "../../../spec/units.js";
import { shortHash } from "../names.js";
import type { ConvertContext } from "./context.js";
import type { Kind } from "./kinds.js";
import { LABEL_NAME, sortedRecord } from "./metadata.js";
import { containerPortsOf, type PortSpec } from "./ports.js";
import { quantityOfBytes, quantityOfCpus, seconds } from "./quantities.js";

/** One service's container as its pod needs it. */
export interface ContainerInput {
  svcName: string;
  svc: ServiceConfig;
  /** The Kubernetes name of the service (and of its container). */
  name: string;
  kind: Kind;
  envFrom: EnvFromSource[];
  ports: readonly PortSpec[];
  mounts: VolumeMount[];
}

/** The environment as a ConfigMap `<name>-env` the container reads; its hash rolls the pods when it changes. */
export function addEnvConfigMap(ctx: ConvertContext, svc: ServiceConfig, name: string, podAnnotations: Record<string, string>): EnvFromSource[] {
  const env = Object.entries(svc.environment ?? {}).filter((e): e is [string, string] => e[1] !== null && e[1] !== undefined);
  if (env.length === 0) return [];
  const cmName = `${name.slice(0, 59)}-env`;
  const data = sortedRecord(Object.fromEntries(env));
  ctx.objects.push({ apiVersion: "v1", kind: "ConfigMap", metadata: ctx.meta(cmName, { [LABEL_NAME]: name }), data });
  podAnnotations["flotilla.dev/env-hash"] = shortHash(JSON.stringify(data));
  return [{ configMapRef: { name: cmName } }];
}

export function containerOf(ctx: ConvertContext, c: ContainerInput): Container {
  const { svc } = c;
  const container: Container = { name: c.name, image: svc.image ?? `${ctx.model.name}-${c.svcName}` };
  const pp = pullPolicy(svc.pull_policy);
  if (pp !== undefined) container.imagePullPolicy = pp;
  // Kubernetes expands $(VAR) in command and args; Compose passed them on as written
  const literal = (a: string): string => a.replace(/\$\(/g, "$$$$(");
  if (svc.entrypoint) container.command = svc.entrypoint.map(literal);
  if (svc.command) container.args = svc.command.map(literal);
  if (svc.working_dir !== undefined) container.workingDir = svc.working_dir;
  if (c.envFrom.length > 0) container.envFrom = c.envFrom;
  const containerPorts = containerPortsOf(c.ports);
  if (containerPorts.length > 0) container.ports = containerPorts;
  if (svc.tty === true) container.tty = true;
  if (svc.stdin_open === true) container.stdin = true;
  const resources = resourcesOf(svc);
  if (resources !== undefined) container.resources = resources;
  const probes = probeOf(svc.healthcheck);
  if (svc.healthcheck && !svc.healthcheck.disable && (svc.healthcheck.test === undefined || svc.healthcheck.test.length === 0)) {
    ctx.note(
      "warning",
      "services.healthcheck.test",
      ["services", c.svcName, "healthcheck"],
      "the healthcheck has no test (the image's own is used by Docker): no probe is written",
      "give the test here so the probes can run it",
    );
  }
  if (probes && c.kind !== "Job") {
    container.readinessProbe = probes.probe;
    container.livenessProbe = probes.probe;
    if (probes.startup) container.startupProbe = probes.startup;
  }
  const sc = securityContextOf(svc);
  if (sc !== undefined) container.securityContext = sc;
  const lifecycle = lifecycleOf(svc);
  if (lifecycle !== undefined) container.lifecycle = lifecycle;
  if (c.mounts.length > 0) container.volumeMounts = c.mounts;
  return container;
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

function resourcesOf(svc: ServiceConfig): ResourceRequirements | undefined {
  const limits: Record<string, string> = {};
  const requests: Record<string, string> = {};
  const r = svc.deploy?.resources;
  const set = (into: Record<string, string>, k: string, v: string | undefined): void => {
    if (v !== undefined && v !== "0") into[k] = v;
  };
  const cpu = (into: Record<string, string>, v: Parameters<typeof quantityOfCpus>[0] | undefined): void => {
    if (v !== undefined) set(into, "cpu", quantityOfCpus(v));
  };
  // A size the quantity cannot express is left out.
  const memory = (into: Record<string, string>, v: Parameters<typeof quantityOfBytes>[0] | undefined): void => {
    if (v === undefined) return;
    try {
      set(into, "memory", quantityOfBytes(v));
    } catch {
      // left out
    }
  };
  // In this order: deploy.resources wins over the service-level keys.
  cpu(limits, svc.cpus);
  memory(limits, svc.mem_limit);
  memory(requests, svc.mem_reservation);
  cpu(limits, r?.limits?.cpus);
  memory(limits, r?.limits?.memory);
  cpu(requests, r?.reservations?.cpus);
  memory(requests, r?.reservations?.memory);
  if (Object.keys(limits).length === 0 && Object.keys(requests).length === 0) return undefined;
  return {
    ...(Object.keys(limits).length > 0 ? { limits: sortedRecord(limits) } : {}),
    ...(Object.keys(requests).length > 0 ? { requests: sortedRecord(requests) } : {}),
  };
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

/** `post_start` / `pre_stop` hooks: the first one's command runs as an exec handler. */
function lifecycleOf(svc: ServiceConfig): Container["lifecycle"] | undefined {
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
  return Object.keys(lifecycle).length > 0 ? lifecycle : undefined;
}

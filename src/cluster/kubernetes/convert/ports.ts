/**
 * A service's ports (published and exposed) as Service ports and container ports: deduplicated by
 * (port, protocol) and named uniquely, as a Service with several ports needs.
 */
import type { ContainerPort, ServicePort } from "kubernetes-types/core/v1.js";
import type { PortConfig, ServiceConfig } from "../../../spec/model.js";
import { toDnsLabel } from "../names.js";

export interface PortSpec {
  port: number;
  target: number;
  protocol: "TCP" | "UDP" | "SCTP";
  name?: string;
  appProtocol?: string;
  published: boolean;
  hostPort?: number;
}

/** A Compose port's Service port number: the published port when it is one number, else the target. */
function servicePortNumber(p: PortConfig): number {
  if (p.published !== undefined && /^\d+$/.test(p.published)) return Number(p.published);
  return p.target;
}

function protocolOf(p: string | undefined): "TCP" | "UDP" | "SCTP" {
  return p === "udp" ? "UDP" : p === "sctp" ? "SCTP" : "TCP";
}

/** The ports of a service: published and exposed, deduplicated by (port, protocol), named uniquely. */
export function portsOf(svc: ServiceConfig): PortSpec[] {
  const out: PortSpec[] = [];
  const seen = new Set<string>();
  const add = (spec: PortSpec): void => {
    const key = `${spec.port}/${spec.protocol}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(spec);
  };
  for (const p of svc.ports ?? []) {
    const spec: PortSpec = { port: servicePortNumber(p), target: p.target, protocol: protocolOf(p.protocol), published: p.mode !== "host" };
    if (p.name !== undefined) spec.name = p.name;
    if (p.app_protocol !== undefined) spec.appProtocol = p.app_protocol;
    if (p.mode === "host" && p.published !== undefined && /^\d+$/.test(p.published)) spec.hostPort = Number(p.published);
    add(spec);
  }
  for (const e of svc.expose ?? []) {
    const m = /^(\d+)(?:-\d+)?(?:\/(tcp|udp|sctp))?$/.exec(String(e));
    if (!m) continue;
    add({ port: Number(m[1]), target: Number(m[1]), protocol: protocolOf(m[2]), published: false });
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

/** The container's ports, keyed by (containerPort, protocol). */
export function containerPortsOf(ports: readonly PortSpec[]): ContainerPort[] {
  const containerPorts: ContainerPort[] = ports.map((p) => ({
    containerPort: p.target,
    protocol: p.protocol,
    ...(p.hostPort !== undefined ? { hostPort: p.hostPort } : {}),
  }));
  return containerPorts.filter((p, i) => containerPorts.findIndex((q) => q.containerPort === p.containerPort && q.protocol === p.protocol) === i);
}

/** The ports of the service's Service. */
export function servicePortsOf(ports: readonly PortSpec[]): ServicePort[] {
  return ports.map((p) => ({
    name: p.name!,
    port: p.port,
    targetPort: p.target,
    protocol: p.protocol,
    ...(p.appProtocol !== undefined ? { appProtocol: p.appProtocol } : {}),
  }));
}

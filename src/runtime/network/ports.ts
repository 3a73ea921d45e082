/**
 * Port helpers shared by the container conversion (create specs) and by `ps`/`port` (display).
 * Pure: no engine, no process.
 */
import type { PortConfig } from "../../spec/model.js";
import type { PortBinding } from "../engine.js";

/** The Engine API key of a container port: `80/tcp`. */
export function portKey(p: Pick<PortConfig, "target" | "protocol">): string {
  return `${p.target}/${p.protocol ?? "tcp"}`;
}

export interface HostBinding {
  HostIp: string;
  /** A port, a range "8000-8010" (the engine picks one), or "" for an ephemeral port. */
  HostPort: string;
}

/**
 * `HostConfig.PortBindings` for a service's ports: one key per container port/protocol, one
 * binding per published entry (several host IPs or ports may map to the same container port).
 */
export function bindingsFor(ports: readonly PortConfig[]): Record<string, HostBinding[]> {
  const out: Record<string, HostBinding[]> = {};
  for (const p of ports) {
    const key = portKey(p);
    const list = (out[key] ??= []);
    const binding: HostBinding = { HostIp: p.host_ip ?? "", HostPort: p.published === undefined ? "" : String(p.published) };
    if (!list.some((b) => b.HostIp === binding.HostIp && b.HostPort === binding.HostPort)) list.push(binding);
  }
  return out;
}

/** `ExposedPorts` for the published ports plus `expose` entries (`3000`, `3000-3005`, `53/udp`). */
export function exposedPortsFor(
  ports: readonly PortConfig[],
  expose: readonly (string | number)[] = [],
): Record<string, Record<string, never>> {
  const out: Record<string, Record<string, never>> = {};
  for (const p of ports) out[portKey(p)] = {};
  for (const e of expose) {
    const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/.exec(String(e).trim());
    if (!m) throw new RangeError(`invalid expose entry "${String(e)}" (expected PORT[-PORT][/PROTO])`);
    const from = Number(m[1]);
    const to = m[2] !== undefined ? Number(m[2]) : from;
    if (to < from) throw new RangeError(`invalid expose range "${String(e)}"`);
    for (let port = from; port <= to; port++) out[`${port}/${m[3] ?? "tcp"}`] = {};
  }
  return out;
}

function hostPart(ip: string): string {
  return ip.includes(":") ? `[${ip}]` : ip;
}

/**
 * Human form of a container's port bindings, as `docker ps` prints it:
 * `0.0.0.0:8080->80/tcp, [::]:8080->80/tcp, 443/tcp`; consecutive ports with consecutive
 * host ports collapse into ranges (`0.0.0.0:8000-8002->8000-8002/tcp`).
 */
export function formatPorts(bindings: readonly PortBinding[]): string {
  const sorted = [...bindings].sort(
    (a, b) =>
      (a.hostIp ?? "").localeCompare(b.hostIp ?? "") ||
      a.protocol.localeCompare(b.protocol) ||
      (a.publicPort === undefined ? 0 : 1) - (b.publicPort === undefined ? 0 : 1) ||
      a.privatePort - b.privatePort,
  );
  // de-duplicate identical entries
  const uniq: PortBinding[] = [];
  for (const b of sorted) {
    const last = uniq[uniq.length - 1];
    if (last && last.privatePort === b.privatePort && last.protocol === b.protocol && last.hostIp === b.hostIp && last.publicPort === b.publicPort) continue;
    uniq.push(b);
  }
  interface Group { hostIp?: string; protocol: string; priv: [number, number]; pub?: [number, number] }
  const groups: Group[] = [];
  for (const b of uniq) {
    const g = groups[groups.length - 1];
    const samePlace = g && g.hostIp === b.hostIp && g.protocol === b.protocol && (g.pub === undefined) === (b.publicPort === undefined);
    if (samePlace && g.priv[1] + 1 === b.privatePort && (g.pub === undefined || g.pub[1] + 1 === b.publicPort)) {
      g.priv[1] = b.privatePort;
      if (g.pub && b.publicPort !== undefined) g.pub[1] = b.publicPort;
      continue;
    }
    const ng: Group = { protocol: b.protocol, priv: [b.privatePort, b.privatePort] };
    if (b.hostIp !== undefined) ng.hostIp = b.hostIp;
    if (b.publicPort !== undefined) ng.pub = [b.publicPort, b.publicPort];
    groups.push(ng);
  }
  const range = (r: [number, number]) => (r[0] === r[1] ? `${r[0]}` : `${r[0]}-${r[1]}`);
  // Ordered by container port, IPv4 before IPv6; unpublished ports come last.
  const v6 = (g: Group) => ((g.hostIp ?? "").includes(":") ? 1 : 0);
  groups.sort((a, b) => a.priv[0] - b.priv[0] || v6(a) - v6(b) || (a.hostIp ?? "").localeCompare(b.hostIp ?? "") || a.protocol.localeCompare(b.protocol));
  const published = groups.filter((g) => g.pub);
  const exposedOnly = groups.filter((g) => !g.pub);
  return [
    ...published.map((g) => `${hostPart(g.hostIp ?? "0.0.0.0")}:${range(g.pub as [number, number])}->${range(g.priv)}/${g.protocol}`),
    ...exposedOnly.map((g) => `${range(g.priv)}/${g.protocol}`),
  ].join(", ");
}

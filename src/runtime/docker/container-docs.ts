/** Container documents of the engine (list entries, inspect results) mapped to our types. */
import type { ContainerDetails, ContainerState, ContainerSummary, PortBinding } from "../engine.js";
import type { ContainerDoc, ContainerListDoc } from "./types.js";

const STATES: readonly ContainerState[] = ["created", "running", "paused", "restarting", "removing", "exited", "dead"];

function toState(s: unknown): ContainerState {
  const v = typeof s === "string" ? s.toLowerCase() : "";
  return (STATES as readonly string[]).includes(v) ? (v as ContainerState) : v === "configured" || v === "initialized" ? "created" : "exited";
}

function toProtocol(p: unknown): PortBinding["protocol"] {
  return p === "udp" || p === "sctp" ? p : "tcp";
}

/**
 * The engine lists a port's IPv4 and IPv6 bindings in no fixed order; IPv4 first (stable otherwise),
 * as `docker ps` shows them and so `port` answers with an address one can dial.
 */
export function ipv4First(bindings: PortBinding[]): PortBinding[] {
  const v6 = (b: PortBinding): number => (b.hostIp?.includes(":") ? 1 : 0);
  return bindings
    .map((b, i) => ({ b, i }))
    .sort((x, y) => v6(x.b) - v6(y.b) || x.i - y.i)
    .map((x) => x.b);
}

function summaryPorts(ports: ContainerListDoc["Ports"]): PortBinding[] {
  if (!Array.isArray(ports)) return [];
  return ipv4First(
    ports.map((p) => {
      const b: PortBinding = { privatePort: Number(p.PrivatePort), protocol: toProtocol(p.Type) };
      if (typeof p.IP === "string" && p.IP !== "") b.hostIp = p.IP;
      if (p.PublicPort !== undefined && p.PublicPort !== null) b.publicPort = Number(p.PublicPort);
      return b;
    }),
  );
}

type InspectPorts = NonNullable<NonNullable<ContainerDoc["NetworkSettings"]>["Ports"]>;

function inspectPorts(ports: InspectPorts | null | undefined): PortBinding[] {
  if (!ports || typeof ports !== "object") return [];
  const out: PortBinding[] = [];
  for (const [key, bindings] of Object.entries(ports)) {
    const [port, proto] = key.split("/");
    const privatePort = Number(port);
    const protocol = toProtocol(proto);
    if (!Array.isArray(bindings) || bindings.length === 0) {
      out.push({ privatePort, protocol });
      continue;
    }
    for (const b of bindings) {
      const pb: PortBinding = { privatePort, protocol };
      if (typeof b.HostIp === "string" && b.HostIp !== "") pb.hostIp = b.HostIp;
      if (b.HostPort !== undefined && b.HostPort !== null && b.HostPort !== "") pb.publicPort = Number(b.HostPort);
      out.push(pb);
    }
  }
  return ipv4First(out);
}

/** The list's mount points; left out when the engine does not give them as objects (then nothing is inferred from them). */
function summaryMounts(raw: unknown): { mounts?: ContainerSummary["mounts"] } {
  if (!Array.isArray(raw) || raw.some((m) => m === null || typeof m !== "object")) return {};
  return {
    mounts: (raw as { Name?: string | null; Source?: string | null; Driver?: string | null }[]).map((m) => ({
      name: m.Name || m.Source || "",
      ...(typeof m.Driver === "string" && m.Driver !== "" ? { driver: m.Driver } : {}),
    })),
  };
}

export function toSummary(c: ContainerListDoc): ContainerSummary {
  const names = Array.isArray(c.Names) ? c.Names : [];
  return {
    id: c.Id ?? "",
    name: (names[0] ?? "").replace(/^\//, ""),
    image: c.Image ?? "",
    imageId: c.ImageID ?? "",
    command: c.Command ?? "",
    created: Number(c.Created ?? 0),
    state: toState(c.State),
    status: c.Status ?? "",
    labels: c.Labels ?? {},
    ports: summaryPorts(c.Ports),
    networks: Object.keys(c.NetworkSettings?.Networks ?? {}),
    networkIds: Object.fromEntries(Object.entries(c.NetworkSettings?.Networks ?? {}).map(([name, n]) => [name, n?.NetworkID ?? ""])),
    ...summaryMounts(c.Mounts),
  };
}

function healthOf(h: NonNullable<NonNullable<ContainerDoc["State"]>["Health"]>): NonNullable<ContainerDetails["state"]["health"]> {
  const status = h.Status;
  return {
    status: status === "starting" || status === "healthy" || status === "unhealthy" ? status : "none",
    failingStreak: Number(h.FailingStreak ?? 0),
    log: (Array.isArray(h.Log) ? h.Log : []).map((l) => ({
      exitCode: Number(l.ExitCode ?? 0),
      output: String(l.Output ?? ""),
      start: String(l.Start ?? ""),
      end: String(l.End ?? ""),
    })),
  };
}

function stateOf(st: NonNullable<ContainerDoc["State"]>): ContainerDetails["state"] {
  const state: ContainerDetails["state"] = {
    status: toState(st.Status),
    running: st.Running === true,
    exitCode: Number(st.ExitCode ?? 0),
    oomKilled: st.OOMKilled === true,
  };
  if (st.StartedAt) state.startedAt = st.StartedAt;
  if (st.FinishedAt) state.finishedAt = st.FinishedAt;
  if (st.Error) state.error = st.Error;
  if (st.Health) state.health = healthOf(st.Health);
  return state;
}

function networksOf(c: ContainerDoc): ContainerDetails["networks"] {
  const networks: ContainerDetails["networks"] = {};
  for (const [name, n] of Object.entries(c.NetworkSettings?.Networks ?? {})) {
    const aliases: unknown = n?.Aliases;
    const ep: ContainerDetails["networks"][string] = { aliases: Array.isArray(aliases) ? (aliases as string[]) : [], networkId: n?.NetworkID ?? "" };
    if (n?.IPAddress) ep.ipAddress = n.IPAddress;
    networks[name] = ep;
  }
  return networks;
}

export function toDetails(c: ContainerDoc): ContainerDetails {
  return {
    id: c.Id ?? "",
    name: String(c.Name ?? "").replace(/^\//, ""),
    image: c.Image ?? "",
    created: c.Created ?? "",
    labels: c.Config?.Labels ?? {},
    state: stateOf(c.State ?? {}),
    restartCount: Number(c.RestartCount ?? 0),
    tty: c.Config?.Tty === true,
    openStdin: c.Config?.OpenStdin === true,
    ports: inspectPorts(c.NetworkSettings?.Ports),
    networks: networksOf(c),
    mounts: (Array.isArray(c.Mounts) ? c.Mounts : []).map((m) => {
      const mount: ContainerDetails["mounts"][number] = {
        type: m.Type ?? "",
        source: m.Source ?? "",
        destination: m.Destination ?? "",
        rw: m.RW !== false,
      };
      if (m.Name) mount.name = m.Name;
      return mount;
    }),
    raw: c,
  };
}

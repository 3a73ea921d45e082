/** `ports`: the short syntax parsed into long entries, the long syntax cast to its types. */
import type { PortConfig } from "../model.js";
import { isRawMap } from "../tags.js";
import { uniqueBy } from "../merge/rules.js";
import { clone, reorder, type Normalizer, type Path } from "./normalizer.js";

function parsePortNumber(s: string, what: string): number {
  if (!/^\d+$/.test(s)) throw new Error(`${what} ${JSON.stringify(s)} is not a number`);
  return Number.parseInt(s, 10);
}

function parseRange(s: string, what: string): [number, number] {
  const dash = s.indexOf("-");
  if (dash < 0) {
    const n = parsePortNumber(s, what);
    return [n, n];
  }
  const start = parsePortNumber(s.slice(0, dash), what);
  const end = parsePortNumber(s.slice(dash + 1), what);
  if (end < start) throw new Error(`${what} range ${s} ends before it starts`);
  return [start, end];
}

/**
 * Short port syntax `[[IP:](port|range):](port|range)[/proto]` → long entries. A container range
 * expands to one entry per port (host range alongside, same size); a host range for a single
 * container port stays a range in `published`.
 */
export function parsePortSpec(spec: string): PortConfig[] {
  let rest = spec.trim();
  let protocol = "tcp";
  const slash = rest.lastIndexOf("/");
  if (slash >= 0) {
    protocol = rest.slice(slash + 1).toLowerCase();
    rest = rest.slice(0, slash);
    if (!["tcp", "udp", "sctp"].includes(protocol)) throw new Error(`unknown protocol ${JSON.stringify(protocol)}`);
  }
  let hostIp = "";
  let hostPart = "";
  let containerPart: string;
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]");
    if (close < 0) throw new Error("unclosed [ in IPv6 address");
    hostIp = rest.slice(1, close);
    const after = rest.slice(close + 1);
    const parts = after.split(":");
    if (parts.length !== 3 || parts[0] !== "") throw new Error("expected [IP]:HOST:CONTAINER");
    hostPart = parts[1]!;
    containerPart = parts[2]!;
  } else {
    const parts = rest.split(":");
    const n = parts.length;
    containerPart = parts[n - 1]!;
    if (n === 2) hostPart = parts[0]!;
    else if (n === 3) {
      hostIp = parts[0]!;
      hostPart = parts[1]!;
    } else if (n > 3) {
      hostIp = parts.slice(0, n - 2).join(":");
      hostPart = parts[n - 2]!;
    }
  }
  if (containerPart === "") throw new Error("no container port");
  const [start, end] = parseRange(containerPart, "container port");
  let hostStart = 0;
  let hostEnd = 0;
  if (hostPart !== "") {
    [hostStart, hostEnd] = parseRange(hostPart, "host port");
    if (end - start !== hostEnd - hostStart && end !== start) {
      throw new Error(`container range ${containerPart} and host range ${hostPart} have different sizes`);
    }
  }
  const out: PortConfig[] = [];
  for (let i = 0; i <= end - start; i++) {
    const port: PortConfig = { mode: "ingress", target: start + i, protocol: protocol as PortConfig["protocol"] };
    if (hostIp) port.host_ip = hostIp;
    if (hostPart !== "") {
      port.published = start === end && hostStart !== hostEnd ? `${hostStart}-${hostEnd}` : String(hostStart + i);
    }
    out.push(reorder(port, ["mode", "host_ip", "target", "published", "protocol"]));
  }
  return out;
}

export function ports(nz: Normalizer, v: unknown, p: Path): PortConfig[] {
  const out: PortConfig[] = [];
  const items = Array.isArray(v) ? v : [];
  items.forEach((item, i) => {
    const ip = [...p, i];
    if (typeof item === "number") {
      out.push({ mode: "ingress", target: item, protocol: "tcp" });
    } else if (typeof item === "string") {
      try {
        out.push(...parsePortSpec(item));
      } catch (e) {
        nz.issue("CONFIG_INVALID", ip, `invalid port ${JSON.stringify(item)}: ${e instanceof Error ? e.message : String(e)}`, "use [[IP:](port|range):](port|range)[/protocol], e.g. 127.0.0.1:8080:80/tcp");
      }
    } else if (isRawMap(item)) {
      const port = { mode: "ingress", target: 0, protocol: "tcp" } as PortConfig & Record<string, unknown>;
      for (const [k, val] of Object.entries(item)) {
        switch (k) {
          case "target": {
            const n = nz.int(val, [...ip, k]);
            if (n !== undefined) port.target = n;
            break;
          }
          case "published":
            if (val !== null && val !== undefined && val !== "") port.published = String(val);
            break;
          case "mode":
          case "protocol":
          case "host_ip":
          case "name":
          case "app_protocol":
            port[k] = String(val) as never;
            break;
          default:
            port[k] = clone(val);
        }
      }
      out.push(reorder(port, ["name", "mode", "host_ip", "target", "published", "protocol", "app_protocol"]));
    }
  });
  // Once in long form, two entries that publish the same port are one (compose-go runs its
  // unicity again after the canonical form, since a range may overlap an override's port).
  return uniqueBy(out, canonicalPortIdentity);
}

/** compose-go's identity of a long-form port: host ip (0.0.0.0 when unset), published, target, protocol. */
export function canonicalPortIdentity(p: PortConfig): string {
  return `${p.host_ip || "0.0.0.0"}:${p.published ?? ""}:${p.target}/${p.protocol}`;
}

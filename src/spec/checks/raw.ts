import type { IssueCollector } from "../../errors.js";
import { createRequire } from "node:module";
import { formatPath, type Locations, type PathSegment } from "../locations.js";

function rawMap(v: unknown): Record<string, unknown> | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/**
 * Checks compose-go makes on the merged model before it is normalized (its `validation`
 * package and its mapping decoder): they see the attributes as written.
 */
export function checkRawModel(doc: Record<string, unknown>, locations: Locations, issues: IssueCollector): void {
  const add = (path: PathSegment[], message: string, hint: string): void => {
    const loc = locations.find(path);
    issues.add({ code: "CONFIG_INVALID", message, path: formatPath(path), ...(loc ? { location: loc } : {}), hint });
  };
  // an external volume is only a name to look up
  for (const [key, v] of Object.entries(rawMap(doc["volumes"]) ?? {})) {
    const vol = rawMap(v);
    if (vol === undefined || vol["external"] !== true) continue;
    for (const attr of Object.keys(vol)) {
      if (attr === "name" || attr === "external" || attr.startsWith("x-")) continue;
      add(["volumes", key, attr], `conflicting parameters "external" and "${attr}" specified for volume "${key}"`, `remove "${attr}" (an external volume is created elsewhere), or remove "external: true"`);
    }
  }
  // secrets and configs: one source of content
  const fileObject = (kind: "secrets" | "configs", keys: readonly string[]): void => {
    for (const [key, v] of Object.entries(rawMap(doc[kind]) ?? {})) {
      const obj = rawMap(v);
      if (obj === undefined) continue;
      const set = keys.filter((k) => k in obj);
      if (set.length > 1) {
        add([kind, key, set[1]!], `${kind.slice(0, -1)} "${key}": ${keys.join("|")} attributes are mutually exclusive (${set.join(" and ")} are set)`, `keep only one of ${set.join(", ")}`);
      }
    }
  };
  fileObject("configs", ["file", "environment", "content"]);
  fileObject("secrets", ["file", "environment"]);

  for (const [name, sv] of Object.entries(rawMap(doc["services"]) ?? {})) {
    const svc = rawMap(sv);
    if (svc === undefined) continue;
    const base: PathSegment[] = ["services", name];
    // `KEY = value` in a list: the name would end with a space
    const listWithEquals = (path: PathSegment[], list: unknown, what: string): void => {
      if (!Array.isArray(list)) return;
      list.forEach((e, i) => {
        if (typeof e !== "string") return;
        const eq = e.indexOf("=");
        const k = eq < 0 ? e : e.slice(0, eq);
        if (k !== "" && /\s$/.test(k)) {
          add([...path, i], `${what} ${k.trim()} is declared with a trailing space ("${e}")`, `write ${k.trim()}=${eq < 0 ? "" : e.slice(eq + 1).trimStart()} (no spaces around =)`);
        }
      });
    };
    listWithEquals([...base, "environment"], svc["environment"], "environment variable");
    const build = rawMap(svc["build"]);
    if (build !== undefined) listWithEquals([...base, "build", "args"], build["args"], "build argument");
    // device requests: count or device_ids
    const deviceRequest = (path: PathSegment[], v: unknown): void => {
      const d = rawMap(v);
      if (d !== undefined && "count" in d && "device_ids" in d) {
        add(path, `"count" and "device_ids" attributes are exclusive`, "ask for a number of devices (count) or for given devices (device_ids), not both");
      }
    };
    const devices = rawMap(rawMap(rawMap(svc["deploy"])?.["resources"])?.["reservations"])?.["devices"];
    if (Array.isArray(devices)) devices.forEach((d, i) => deviceRequest([...base, "deploy", "resources", "reservations", "devices", i], d));
    if (Array.isArray(svc["gpus"])) (svc["gpus"] as unknown[]).forEach((d, i) => deviceRequest([...base, "gpus", i], d));
    // long-syntax ports: host_ip must be an IP address
    if (Array.isArray(svc["ports"])) {
      (svc["ports"] as unknown[]).forEach((p, i) => {
        const hostIp = rawMap(p)?.["host_ip"];
        if (typeof hostIp === "string" && !isIpAddress(hostIp)) {
          add([...base, "ports", i, "host_ip"], `invalid ip address: ${hostIp}`, "use an IPv4 or IPv6 address such as 127.0.0.1");
        }
      });
    }
    // develop.watch paths cannot be blank
    const watch = rawMap(svc["develop"])?.["watch"];
    if (Array.isArray(watch)) {
      watch.forEach((w, i) => {
        if (rawMap(w)?.["path"] === "") add([...base, "develop", "watch", i, "path"], "watch path can't be blank", "set `path:` to the file or directory to watch");
      });
    }
  }
}

/**
 * node:net's isIP, loaded only when a file has a `host_ip` to check: node:net brings in Node's
 * whole stream machinery, which `config` otherwise never needs (a few ms of every start).
 */
let net: typeof import("node:net") | undefined;
function isIpAddress(s: string): boolean {
  net ??= createRequire(import.meta.url)("node:net") as typeof import("node:net");
  return net.isIP(s) !== 0;
}

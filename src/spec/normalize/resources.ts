/** The top-level `networks`, `volumes`, `secrets` and `configs`: names filled in, types cast. */
import type { NetworkConfig, SecretConfig, VolumeConfig } from "../model.js";
import { isRawMap, type RawMap } from "../tags.js";
import { clone, reorder, type Normalizer } from "./normalizer.js";

/** Fill the name (`<project>_<key>`, or `<key>` when external) and move the legacy `external: {name}`. */
export function resourceName(nz: Normalizer, kind: string, key: string, def: RawMap, out: { name: string; external?: boolean }): void {
  const ext = def["external"];
  if (isRawMap(ext)) {
    out.external = true;
    if (typeof ext["name"] === "string") {
      if (typeof def["name"] === "string" && def["name"] !== ext["name"]) {
        nz.issue("CONFIG_INVALID", [kind, key, "external", "name"], "cannot use both 'external.name' (deprecated) and 'name'", "keep only `name:`");
      }
      out.name = ext["name"];
    }
  } else if (ext !== undefined) {
    const b = nz.bool(ext, [kind, key, "external"]);
    if (b !== undefined) out.external = b;
    if (b === false) delete out.external;
  }
  if (typeof def["name"] === "string") out.name = def["name"];
  if (!out.name) out.name = out.external ? key : `${nz.ctx.projectName}_${key}`;
}

export function network(nz: Normalizer, key: string, raw: unknown): NetworkConfig {
  const def = isRawMap(raw) ? raw : {};
  const out = { name: "" } as NetworkConfig & Record<string, unknown>;
  resourceName(nz, "networks", key, def, out);
  for (const [k, v] of Object.entries(def)) {
    const p = ["networks", key, k];
    switch (k) {
      case "name":
      case "external":
        break;
      case "internal":
      case "attachable":
      case "enable_ipv4":
      case "enable_ipv6": {
        const b = nz.bool(v, p);
        if (b !== undefined) out[k] = b;
        break;
      }
      case "labels":
        out.labels = nz.stringMap(v, p);
        break;
      case "driver_opts":
        out.driver_opts = nz.stringMap(v, p);
        break;
      case "ipam": {
        // compose-go's IPAMConfig: options are strings
        const ipam: RawMap = isRawMap(v) ? clone(v) : {};
        if (ipam["options"] !== undefined && ipam["options"] !== null) ipam["options"] = nz.stringMap(ipam["options"], [...p, "options"]);
        out.ipam = ipam;
        break;
      }
      default:
        out[k] = clone(v);
    }
  }
  return reorder(out, ["name"]);
}

export function volume(nz: Normalizer, key: string, raw: unknown): VolumeConfig {
  const def = isRawMap(raw) ? raw : {};
  const out = { name: "" } as VolumeConfig & Record<string, unknown>;
  resourceName(nz, "volumes", key, def, out);
  for (const [k, v] of Object.entries(def)) {
    const p = ["volumes", key, k];
    switch (k) {
      case "name":
      case "external":
        break;
      case "labels":
        out.labels = nz.stringMap(v, p);
        break;
      case "driver_opts":
        out.driver_opts = nz.stringMap(v, p);
        break;
      default:
        out[k] = clone(v);
    }
  }
  // A local volume with `o: bind` is a bind mount in disguise: its device is a host path.
  const opts = out.driver_opts;
  if ((out.driver === undefined || out.driver === "local") && opts && opts["o"] === "bind" && typeof opts["device"] === "string") {
    opts["device"] = nz.abs(opts["device"]);
  }
  return reorder(out, ["name"]);
}

export function fileObject(nz: Normalizer, kind: "secrets" | "configs", key: string, raw: unknown): SecretConfig {
  const def = isRawMap(raw) ? raw : {};
  const out = { name: "" } as SecretConfig & Record<string, unknown>;
  resourceName(nz, kind, key, def, out);
  for (const [k, v] of Object.entries(def)) {
    const p = [kind, key, k];
    switch (k) {
      case "name":
      case "external":
        break;
      case "file":
        out.file = nz.abs(String(v));
        break;
      case "labels":
        out.labels = nz.stringMap(v, p);
        break;
      case "driver_opts":
        out.driver_opts = nz.stringMap(v, p);
        break;
      default:
        out[k] = clone(v);
    }
  }
  return reorder(out, ["name"]);
}

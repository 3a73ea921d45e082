/** `volumes` (short and long syntax) and `devices`. */
import type { VolumeMount } from "../model.js";
import { isRawMap, type RawMap } from "../tags.js";
import { cleanPath, clone, reorder, type Normalizer, type Path } from "./normalizer.js";

const PROPAGATIONS = new Set(["rprivate", "private", "rshared", "shared", "rslave", "slave"]);

function isFilePath(source: string): boolean {
  if (source === "") return false;
  if (source[0] === "." || source[0] === "/" || source[0] === "~") return true;
  if (source.startsWith("\\\\")) return true;
  return /^[a-zA-Z]:/.test(source);
}

/**
 * Short volume syntax `[SOURCE:]TARGET[:OPTIONS]` → a long mount (source left as written; the
 * caller makes bind sources absolute). Throws on empty sections or too many colons.
 */
export function parseVolumeSpec(spec: string): VolumeMount {
  if (spec.length === 0) throw new Error("empty volume spec");
  const sections: string[] = [];
  let buf = "";
  for (let i = 0; i < spec.length; i++) {
    const ch = spec[i]!;
    // A Windows drive letter ("C:") is part of the path, not a separator.
    if (ch === ":" && !(buf.length === 1 && /[a-zA-Z]/.test(buf))) {
      sections.push(buf);
      buf = "";
    } else buf += ch;
  }
  sections.push(buf);
  if (sections.some((s) => s === "")) throw new Error("empty section between colons");
  if (sections.length > 3) throw new Error("too many colons");
  const m = {} as VolumeMount;
  let source = "";
  if (sections.length === 1) m.target = cleanPath(sections[0]!);
  else {
    source = sections[0]!;
    m.target = cleanPath(sections[1]!);
  }
  let readOnly: boolean | undefined;
  let nocopy = false;
  const bind: NonNullable<VolumeMount["bind"]> = {};
  let bindOpts = false;
  for (const opt of sections.length === 3 ? sections[2]!.split(",") : []) {
    if (opt === "ro") readOnly = true;
    else if (opt === "rw") readOnly = false;
    else if (opt === "nocopy") nocopy = true;
    else if (opt === "z" || opt === "Z") {
      bind.selinux = opt;
      bindOpts = true;
    } else if (PROPAGATIONS.has(opt)) {
      bind.propagation = opt;
      bindOpts = true;
    }
    // other options are ignored, as Compose does
  }
  const out = {} as VolumeMount;
  if (isFilePath(source)) {
    out.type = "bind";
    out.source = source;
    out.target = m.target;
    if (readOnly) out.read_only = true;
    out.bind = { ...bind, create_host_path: true };
    if (nocopy) out.volume = { nocopy: true };
  } else {
    out.type = "volume";
    if (source) out.source = source;
    out.target = m.target;
    if (readOnly) out.read_only = true;
    if (bindOpts) out.bind = bind;
    out.volume = nocopy ? { nocopy: true } : {};
  }
  return out;
}


export type DeviceMapping = { source: string; target: string; permissions?: string };

/** The service's `volumes` list, each entry in long syntax (invalid entries reported and left out). */
export function volumes(nz: Normalizer, v: unknown, p: Path): VolumeMount[] {
  return Array.isArray(v) ? v.map((item, i) => mount(nz, item, [...p, i])).filter((m): m is VolumeMount => !!m) : [];
}

export function mount(nz: Normalizer, item: unknown, p: Path): VolumeMount | undefined {
  if (typeof item === "string") {
    try {
      const m = parseVolumeSpec(item);
      if (m.type === "bind" && m.source !== undefined) m.source = nz.abs(m.source);
      return m;
    } catch (e) {
      nz.issue("CONFIG_INVALID", p, `invalid volume ${JSON.stringify(item)}: ${e instanceof Error ? e.message : String(e)}`, "use SOURCE:TARGET[:OPTIONS] or the long syntax");
      return undefined;
    }
  }
  if (!isRawMap(item)) return undefined;
  const out = {} as VolumeMount & Record<string, unknown>;
  for (const [k, val] of Object.entries(item)) {
    const kp = [...p, k];
    switch (k) {
      case "target":
        out.target = cleanPath(String(val));
        break;
      case "source":
        out.source = String(val);
        break;
      case "read_only": {
        if (nz.bool(val, kp) === true) out.read_only = true;
        break;
      }
      case "bind": {
        const b = isRawMap(val) ? (clone(val) as NonNullable<VolumeMount["bind"]> & RawMap) : {};
        if (b["create_host_path"] === undefined) b.create_host_path = true;
        else b.create_host_path = nz.bool(b["create_host_path"], [...kp, "create_host_path"]) ?? true;
        out.bind = b;
        break;
      }
      case "volume": {
        const vv = isRawMap(val) ? (clone(val) as NonNullable<VolumeMount["volume"]> & RawMap) : {};
        if (vv["nocopy"] !== undefined) {
          const b = nz.bool(vv["nocopy"], [...kp, "nocopy"]);
          if (b === true) vv.nocopy = true;
          else delete vv.nocopy;
        }
        if (vv["labels"] !== undefined) vv.labels = nz.stringMap(vv["labels"], [...kp, "labels"]);
        out.volume = vv;
        break;
      }
      case "tmpfs": {
        if (!isRawMap(val)) {
          (out as Record<string, unknown>)[k] = clone(val);
          break;
        }
        const t = clone(val) as NonNullable<VolumeMount["tmpfs"]> & RawMap;
        if (t["size"] !== undefined && t["size"] !== null) {
          const n = nz.bytes(t["size"], [...kp, "size"]);
          if (n === undefined) delete t.size;
          else t.size = n;
        }
        out.tmpfs = t;
        break;
      }
      default:
        out[k] = clone(val);
    }
  }
  if (out.type === "bind" && typeof out.source === "string") out.source = nz.abs(out.source);
  return reorder(out, ["type", "source", "target", "read_only", "consistency", "bind", "volume", "tmpfs", "image"]);
}

export function devices(nz: Normalizer, v: unknown, p: Path): DeviceMapping[] {
  const out: DeviceMapping[] = [];
  (Array.isArray(v) ? v : []).forEach((d, i) => {
    if (typeof d === "string") {
      const parts = d.split(":");
      if (parts.length === 1) out.push({ source: d, target: d, permissions: "rwm" });
      else if (parts.length === 2) out.push({ source: parts[0]!, target: parts[1]!, permissions: "rwm" });
      else if (parts.length === 3) out.push({ source: parts[0]!, target: parts[1]!, permissions: parts[2]! });
      else nz.issue("CONFIG_INVALID", [...p, i], `confusing device mapping ${JSON.stringify(d)}`, "use the long syntax {source, target, permissions}");
    } else if (isRawMap(d)) {
      const dev = clone(d) as DeviceMapping;
      if (dev.target === undefined) dev.target = dev.source;
      out.push(dev);
    }
  });
  return out;
}

/**
 * A service's `volumes:` and `tmpfs:` → ContainerSpec.Mounts: named volumes become
 * `<stack>_<volume>` with the stack label and the volume's driver (each node creates its own copy),
 * binds and tmpfs are carried over, external volumes are mounted by name. Pure.
 */
import type { PathSegment } from "../../spec/locations.js";
import type { ServiceConfig, VolumeMount } from "../../spec/model.js";
import type { Mount } from "../../runtime/engine-swarm.js";
import { prune, withStack, type ConvertContext } from "./convert-context.js";
import { objectName } from "./names.js";

export function convertMounts(c: ConvertContext, svc: ServiceConfig, p: PathSegment[]): Mount[] | undefined {
  const out: Mount[] = [];
  (svc.volumes ?? []).forEach((v, i) => {
    const m = convertMount(c, v, [...p, "volumes", i]);
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
        TmpfsOptions: size !== undefined || mode !== undefined ? prune({ SizeBytes: c.bytes(size, [...p, "tmpfs"]), Mode: mode !== undefined ? parseInt(mode, 8) : undefined }) : undefined,
      }),
    );
  }
  return out.length > 0 ? out : undefined;
}

function convertMount(c: ConvertContext, v: VolumeMount, p: PathSegment[]): Mount | undefined {
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
        TmpfsOptions: v.tmpfs ? prune({ SizeBytes: c.bytes(v.tmpfs.size, [...p, "tmpfs", "size"]), Mode: v.tmpfs.mode }) : undefined,
      });
    case "volume":
      return volumeMount(c, v, base, p);
    case "npipe":
    case "cluster":
      return prune({ Type: v.type, Source: v.source, ...base });
    default:
      // image mounts are refused by the check (or dropped with --ignore)
      return undefined;
  }
}

function volumeMount(c: ConvertContext, v: VolumeMount, base: Pick<Mount, "Target" | "ReadOnly" | "Consistency">, p: PathSegment[]): Mount | undefined {
  const options = prune({ NoCopy: v.volume?.nocopy, Subpath: v.volume?.subpath, Labels: v.volume?.labels });
  if (v.source === undefined) return prune({ Type: "volume" as const, ...base, VolumeOptions: Object.keys(options).length > 0 ? options : undefined });
  const vol = c.model.volumes[v.source];
  if (!vol) {
    c.issue(p, `volume ${v.source} is not defined`, "declare it under the top-level volumes:");
    return undefined;
  }
  const source = objectName(c.stack, c.model.name, v.source, vol.name, vol.external);
  if (!vol.external) {
    options.Labels = withStack(c.stack, { ...(vol.labels ?? {}), ...(v.volume?.labels ?? {}) });
    if (vol.driver !== undefined || vol.driver_opts !== undefined) {
      (options as NonNullable<Mount["VolumeOptions"]>).DriverConfig = prune({ Name: vol.driver, Options: vol.driver_opts });
    }
  }
  return prune({ Type: "volume" as const, Source: source, ...base, VolumeOptions: Object.keys(options).length > 0 ? options : undefined });
}

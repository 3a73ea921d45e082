/** The `volumes` group: binds, volumes, tmpfs and image mounts, and the anonymous volumes a recreated container keeps. */
import type { ServiceConfig, VolumeMount } from "../../spec/model.js";
import type { Converter } from "./converter.js";
import type { InheritedVolume, ObservedMount } from "./types.js";

const ANONYMOUS_VOLUME_NAME = /^[0-9a-f]{64}$/;

function mountTargets(svc: ServiceConfig): Set<string> {
  const out = new Set<string>();
  for (const m of svc.volumes ?? []) out.add(m.target);
  for (const t of svc.tmpfs ?? []) out.add(t.split(":")[0]!);
  return out;
}

/**
 * The anonymous volumes a recreated container keeps (Compose's rule, `create.go`): the old
 * container's volume mounts at the target of a service volume that has no source (`- /data`),
 * and volumes the image declares (`VOLUME` in the Dockerfile). The image's declarations are not
 * part of the Engine port, so an image volume is recognised as an anonymous-named volume mounted
 * at a target the service does not mount anything at, which the old config (when known) did not
 * declare either. Named volumes, binds and tmpfs are never inherited: the new config decides them.
 */
export function anonymousVolumesToInherit(svc: ServiceConfig, oldMounts: readonly ObservedMount[], oldConfig?: ServiceConfig): InheritedVolume[] {
  const out: InheritedVolume[] = [];
  const targets = mountTargets(svc);
  const oldTargets = oldConfig ? mountTargets(oldConfig) : new Set<string>();
  const seen = new Set<string>();
  for (const m of oldMounts) {
    if (m.type !== "volume" || !m.name || seen.has(m.destination)) continue;
    const declared = (svc.volumes ?? []).find((v) => v.target === m.destination);
    let inherit: boolean;
    if (declared) inherit = declared.type === "volume" && !declared.source;
    else inherit = ANONYMOUS_VOLUME_NAME.test(m.name) && !targets.has(m.destination) && !oldTargets.has(m.destination);
    if (!inherit) continue;
    seen.add(m.destination);
    out.push({ name: m.name, target: m.destination, readOnly: declared ? !!declared.read_only : !m.rw });
  }
  return out;
}

function bindString(m: VolumeMount): string {
  const opts: string[] = [];
  if (m.read_only) opts.push("ro");
  if (m.bind?.propagation) opts.push(m.bind.propagation);
  if (m.bind?.selinux) opts.push(m.bind.selinux);
  return `${m.source}:${m.target}${opts.length > 0 ? `:${opts.join(",")}` : ""}`;
}

/** The `volumes` group. */
export function convertVolumes(c: Converter): void {
  const volumes: readonly VolumeMount[] = c.svc.volumes ?? [];
  const binds: string[] = [];
  const mounts: Record<string, unknown>[] = [];
  const model = c.ctx.project.model;
  const inherited = new Map((c.ctx.inheritedVolumes ?? []).map((v) => [v.target, v]));
  for (const [i, m] of volumes.entries()) {
    const where = `volumes[${i}] (${m.target})`;
    if (m.consistency) c.warn(`${where}.consistency`, "is ignored (only meaningful on Docker Desktop for Mac)");
    switch (m.type) {
      case "bind": {
        if (!m.source) c.fail(`${where}: a bind mount needs a source`);
        if (m.bind?.recursive && m.bind.recursive !== "enabled") c.warn(`${where}.bind.recursive`, "is not supported by this engine API and is ignored");
        if (m.bind?.create_host_path !== false || m.bind?.selinux) {
          if (m.bind?.create_host_path === false) c.warn(`${where}.bind.create_host_path: false`, "cannot be combined with selinux relabeling; the host path will be created if missing");
          binds.push(bindString(m));
        } else {
          const mount: Record<string, unknown> = { Type: "bind", Source: m.source, Target: m.target, ReadOnly: !!m.read_only };
          if (m.bind?.propagation) mount.BindOptions = { Propagation: m.bind.propagation };
          mounts.push(mount);
        }
        break;
      }
      case "volume": {
        const mount: Record<string, unknown> = { Type: "volume", Target: m.target, ReadOnly: !!m.read_only };
        if (m.source) mount.Source = model.volumes[m.source]?.name ?? m.source;
        else {
          const kept = inherited.get(m.target);
          if (kept) {
            mount.Source = kept.name;
            inherited.delete(m.target);
          }
        }
        const vo: Record<string, unknown> = {};
        if (m.volume?.nocopy) vo.NoCopy = true;
        if (m.volume?.subpath) vo.Subpath = m.volume.subpath;
        if (m.volume?.labels && Object.keys(m.volume.labels).length > 0) vo.Labels = { ...m.volume.labels };
        if (Object.keys(vo).length > 0) mount.VolumeOptions = vo;
        mounts.push(mount);
        break;
      }
      case "tmpfs": {
        const mount: Record<string, unknown> = { Type: "tmpfs", Target: m.target, ReadOnly: !!m.read_only };
        const to: Record<string, unknown> = {};
        if (m.tmpfs?.size !== undefined) to.SizeBytes = c.bytes(`${where}.tmpfs.size`, m.tmpfs.size);
        if (m.tmpfs?.mode !== undefined) to.Mode = m.tmpfs.mode;
        if (Object.keys(to).length > 0) mount.TmpfsOptions = to;
        mounts.push(mount);
        break;
      }
      case "image": {
        const mount: Record<string, unknown> = { Type: "image", Source: m.source, Target: m.target, ReadOnly: true };
        if (m.image?.subpath) mount.ImageOptions = { Subpath: m.image.subpath };
        mounts.push(mount);
        break;
      }
      case "npipe":
        c.warn(`${where}`, "is a Windows named pipe mount and is ignored on this engine");
        break;
      case "cluster":
        c.warn(`${where}`, "is a cluster volume (swarm only) and is ignored");
        break;
    }
  }
  // Image-declared volumes of the replaced container: mounted by name at the same place.
  for (const v of inherited.values()) mounts.push({ Type: "volume", Source: v.name, Target: v.target, ReadOnly: v.readOnly });
  if (binds.length > 0) c.host.Binds = binds;
  if (mounts.length > 0) c.host.Mounts = mounts;
}

/**
 * A service's storage as pod volumes and the container's mounts: named volumes (claims), anonymous
 * volumes and tmpfs (emptyDir), bind mounts (hostPath, only when asked), `shm_size`, and the secrets
 * and configs it mounts (one key of a Secret or ConfigMap each, at its target path).
 */
import type { Volume, VolumeMount } from "kubernetes-types/core/v1.js";
import type { ServiceConfig } from "../../../spec/model.js";
import { toConfigKey, toDnsLabel } from "../names.js";
import type { ConvertContext } from "./context.js";
import { quantityOfBytes } from "./quantities.js";

export interface PodVolumes {
  volumes: Volume[];
  mounts: VolumeMount[];
}

class VolumeList implements PodVolumes {
  readonly volumes: Volume[] = [];
  readonly mounts: VolumeMount[] = [];
  private index = 0;

  add(v: Volume, m: Omit<VolumeMount, "name">): void {
    this.volumes.push(v);
    this.mounts.push({ name: v.name, ...m });
  }

  /** A name for a volume without one of its own: `anon-0`, `tmpfs-1`… numbered across the pod. */
  next(prefix: string): string {
    return `${prefix}-${this.index++}`;
  }
}

export function podVolumesOf(ctx: ConvertContext, svc: ServiceConfig): PodVolumes {
  const list = new VolumeList();
  addServiceVolumes(ctx, svc, list);
  for (const t of svc.tmpfs ?? []) {
    const [target, opts] = String(t).split(":", 2) as [string, string | undefined];
    const size = /(?:^|,)size=([^,]+)/.exec(opts ?? "")?.[1];
    list.add(
      { name: list.next("tmpfs"), emptyDir: { medium: "Memory", ...(size !== undefined ? { sizeLimit: quantityOfBytes(size) } : {}) } },
      { mountPath: target },
    );
  }
  if (svc.shm_size !== undefined) {
    list.add({ name: "dshm", emptyDir: { medium: "Memory", sizeLimit: quantityOfBytes(svc.shm_size) } }, { mountPath: "/dev/shm" });
  }
  addSecretMounts(ctx, svc, list);
  addConfigMounts(ctx, svc, list);
  return list;
}

/** `volumes:` entries; other types than these are refused by the checks (or dropped knowingly with --ignore). */
function addServiceVolumes(ctx: ConvertContext, svc: ServiceConfig, list: VolumeList): void {
  for (const v of svc.volumes ?? []) {
    if (v.type === "volume") {
      if (v.source === undefined) {
        list.add({ name: list.next("anon"), emptyDir: {} }, { mountPath: v.target });
        continue;
      }
      const decl = ctx.model.volumes[v.source];
      const claimName = decl?.external === true ? toDnsLabel(decl.name) : ctx.volTable.get(v.source);
      list.add(
        {
          name: `vol-${ctx.volTable.get(v.source)}`.slice(0, 63).replace(/-+$/, ""),
          persistentVolumeClaim: { claimName, ...(v.read_only === true ? { readOnly: true } : {}) },
        },
        { mountPath: v.target, ...(v.read_only === true ? { readOnly: true } : {}), ...(v.volume?.subpath !== undefined ? { subPath: v.volume.subpath } : {}) },
      );
    } else if (v.type === "tmpfs") {
      const size = v.tmpfs?.size;
      list.add(
        { name: list.next("tmpfs"), emptyDir: { medium: "Memory", ...(size !== undefined ? { sizeLimit: quantityOfBytes(size) } : {}) } },
        { mountPath: v.target },
      );
    } else if (v.type === "bind" && ctx.options.bindAsHostPath === true && v.source !== undefined) {
      list.add(
        { name: list.next("host"), hostPath: { path: v.source, ...(v.bind?.create_host_path === true ? { type: "DirectoryOrCreate" } : {}) } },
        { mountPath: v.target, ...(v.read_only === true ? { readOnly: true } : {}) },
      );
    }
  }
}

function addSecretMounts(ctx: ConvertContext, svc: ServiceConfig, list: VolumeList): void {
  for (const [i, ref] of (svc.secrets ?? []).entries()) {
    const decl = ctx.model.secrets[ref.source];
    if (!decl) continue;
    const target = ref.target === undefined ? `/run/secrets/${ref.source}` : ref.target.startsWith("/") ? ref.target : `/run/secrets/${ref.target}`;
    const secretName = decl.external === true ? toDnsLabel(decl.name) : ctx.secretTable.get(ref.source);
    const key = ctx.secretKeys[ref.source] ?? toConfigKey(ref.source);
    list.add(
      { name: `secret-${i}`, secret: { secretName, items: [{ key, path: key }], ...(ref.mode !== undefined ? { defaultMode: ref.mode } : {}) } },
      { mountPath: target, subPath: key, readOnly: true },
    );
  }
}

function addConfigMounts(ctx: ConvertContext, svc: ServiceConfig, list: VolumeList): void {
  for (const [i, ref] of (svc.configs ?? []).entries()) {
    const decl = ctx.model.configs[ref.source];
    if (!decl) continue;
    const target = ref.target ?? `/${ref.source}`;
    const cmName = decl.external === true ? toDnsLabel(decl.name) : ctx.configTable.get(ref.source);
    const key = ctx.configKeys[ref.source] ?? toConfigKey(ref.source);
    list.add(
      { name: `config-${i}`, configMap: { name: cmName, items: [{ key, path: key }], ...(ref.mode !== undefined ? { defaultMode: ref.mode } : {}) } },
      { mountPath: target, subPath: key, readOnly: true },
    );
  }
}

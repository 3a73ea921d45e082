/** Volumes: list, inspect, create and remove. */
import type Docker from "dockerode";
import type { LabelFilter, VolumeCreateSpec, VolumeSummary } from "../engine.js";
import type { DockerContext } from "./context.js";
import { is404 } from "./errors.js";
import { filtersParam, labelFilters, matchesLabels } from "./filters.js";
import type { VolumeDoc } from "./types.js";

function toVolume(v: VolumeDoc): VolumeSummary {
  return {
    name: v.Name ?? "",
    driver: v.Driver ?? "",
    labels: v.Labels ?? {},
    mountpoint: v.Mountpoint ?? "",
    options: v.Options ?? {},
  };
}

export async function listVolumes(ctx: DockerContext, filter: { labels?: LabelFilter }): Promise<VolumeSummary[]> {
  try {
    const r: { Volumes?: VolumeDoc[] | null } = await ctx.docker.listVolumes({ filters: filtersParam({ label: labelFilters(filter.labels) }) });
    return (Array.isArray(r.Volumes) ? r.Volumes : []).map(toVolume).filter((v) => matchesLabels(v.labels, filter.labels));
  } catch (e) {
    throw ctx.fail(e, "cannot list volumes");
  }
}

export async function inspectVolume(ctx: DockerContext, name: string): Promise<VolumeSummary | undefined> {
  try {
    return toVolume(await ctx.docker.getVolume(name).inspect());
  } catch (e) {
    if (is404(e)) return undefined;
    throw ctx.fail(e, `cannot inspect volume ${name}`);
  }
}

export async function createVolume(ctx: DockerContext, spec: VolumeCreateSpec): Promise<void> {
  try {
    const options: Docker.VolumeCreateOptions = { ...spec };
    await ctx.docker.createVolume(options);
  } catch (e) {
    throw ctx.fail(e, `cannot create volume ${spec.Name}`);
  }
}

/** A missing volume is fine; a volume in use (409) throws IN_USE. */
export async function removeVolume(ctx: DockerContext, name: string, force?: boolean): Promise<void> {
  try {
    await ctx.docker.getVolume(name).remove(force ? { force: true } : {});
  } catch (e) {
    if (is404(e)) return;
    throw ctx.fail(e, `cannot remove volume ${name}`, (status, message) => (status === 409 || /volume is in use/i.test(message) ? "IN_USE" : undefined));
  }
}

/** `volumes`: the project's volumes (by label); with services, only the volumes those services mount. */
import type { VolumeSummary } from "../engine.js";
import { Label } from "../labels.js";
import { isSecretsVolume } from "../secrets-volume.js";
import { checkServices, engineOf, type EngineLike, type ProjectRef } from "./project-ref.js";

export async function projectVolumes(engine: EngineLike, project: ProjectRef, services?: string[]): Promise<VolumeSummary[]> {
  checkServices(project, services);
  const connected = await engineOf(engine);
  // A container's secrets volume is derived data, not one of the project's volumes.
  const all = (await connected.listVolumes({ labels: { [Label.project]: project.name } })).filter((v) => !isSecretsVolume(v));
  if (!services || services.length === 0 || project.missingFiles) return all.sort((a, b) => a.name.localeCompare(b.name));
  const model = project.config.model;
  const used = new Set(
    services.flatMap((s) => (model.services[s]?.volumes ?? []).filter((m) => m.type === "volume" && m.source).map((m) => model.volumes[m.source!]?.name ?? m.source!)),
  );
  return all.filter((v) => used.has(v.name)).sort((a, b) => a.name.localeCompare(b.name));
}

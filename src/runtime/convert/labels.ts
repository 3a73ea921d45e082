/** The container's name and Compose's labels (project, service, number, config hash, depends_on…): the `labels` group. */
import type { ServiceConfig } from "../../spec/model.js";
import { COMPOSE_VERSION, Label } from "../labels.js";
import type { Converter } from "./converter.js";

/** `<project>-<service>-<n>`, unless the service sets `container_name`. */
export function containerName(project: string, service: string, number: number, svc: ServiceConfig): string {
  return svc.container_name ?? `${project}-${service}-${number}`;
}

/** Compose's `com.docker.compose.depends_on` value: `dep:condition:restart`, comma-joined, sorted by name. */
export function dependsOnLabel(svc: ServiceConfig): string {
  return Object.keys(svc.depends_on ?? {})
    .sort()
    .map((dep) => {
      const d = svc.depends_on![dep]!;
      return `${dep}:${d.condition}:${d.restart === true ? "true" : "false"}`;
    })
    .join(",");
}

/** The `labels` group: the service's labels plus Compose's own. */
export function convertLabels(c: Converter): void {
  c.spec.Labels = composeLabels(c);
}

function composeLabels(c: Converter): Record<string, string> {
  const { svc, service: serviceName, id, ctx } = c;
  const p = ctx.project;
  const labels: Record<string, string> = { ...(svc.labels ?? {}) };
  labels[Label.project] = id.project;
  labels[Label.service] = serviceName;
  labels[Label.oneoff] = id.oneoff ? "True" : "False";
  if (!id.oneoff) labels[Label.containerNumber] = String(id.number);
  if (id.oneoff && id.slug) labels[Label.slug] = id.slug;
  labels[Label.configHash] = ctx.configHash;
  labels[Label.dependsOn] = dependsOnLabel(svc);
  if (ctx.imageDigest) labels[Label.image] = ctx.imageDigest;
  labels[Label.version] = COMPOSE_VERSION;
  labels[Label.workingDir] = p.workingDir;
  labels[Label.configFiles] = p.configFiles.join(",");
  // as Compose: only env files named with --env-file are recorded, not the implicit .env
  if (p.envFilesExplicit && p.envFiles.length > 0) labels[Label.environmentFile] = p.envFiles.join(",");
  return labels;
}

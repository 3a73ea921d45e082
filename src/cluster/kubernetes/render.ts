/**
 * Kubernetes objects → text: one manifest (YAML documents, or a JSON `List`), one file per object,
 * a kustomization (a base and an overlay per profile or override file), or a Helm chart whose
 * values.yaml exposes image tags, replicas and resources. Deterministic: the objects' order and
 * key order, no timestamps. Pure: returns file contents keyed by relative path.
 */
import { stringify } from "yaml";
import type { KubeObject, KubernetesConversion } from "./types.js";

export type ManifestFormat = "yaml" | "json";

/** Relative path → content. */
export type RenderedFiles = Record<string, string>;

function yamlOf(value: unknown): string {
  return stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** All objects in one text: YAML documents separated by `---`, or a JSON `v1 List`. */
export function renderManifest(objects: readonly KubeObject[], format: ManifestFormat = "yaml"): string {
  if (format === "json") return `${JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }, null, 2)}\n`;
  return objects.map((o) => yamlOf(o)).join("---\n");
}

/** `deployment-web.yaml`: kind and name, unique per object. */
export function objectFileName(o: KubeObject, format: ManifestFormat = "yaml"): string {
  return `${o.kind.toLowerCase()}-${o.metadata.name}.${format === "json" ? "json" : "yaml"}`;
}

/** One file per object. */
export function manifestFiles(objects: readonly KubeObject[], format: ManifestFormat = "yaml"): RenderedFiles {
  const out: RenderedFiles = {};
  for (const o of objects) out[objectFileName(o, format)] = format === "json" ? `${JSON.stringify(o, null, 2)}\n` : yamlOf(o);
  return out;
}

export interface Variant {
  /** Overlay directory name: a profile or an override file's stem. */
  name: string;
  objects: readonly KubeObject[];
}

const idOf = (o: KubeObject): string => `${o.apiVersion}/${o.kind}/${o.metadata.name}`;
const canonical = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (x !== null && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));

/**
 * A kustomization: `base/` holds the objects of the base variant, `overlays/<name>/` adds the objects a
 * variant has in addition, patches the ones it changes (strategic merge) and deletes the ones it drops.
 * Written with the fields kubectl's kustomize has understood since kubectl 1.14 (`bases`, `resources`,
 * `patchesStrategicMerge`), so Debian's kubectl 1.20 renders it as well as current ones.
 */
export function kustomizeFiles(base: readonly KubeObject[], overlays: readonly Variant[], options: { namespace?: string } = {}): RenderedFiles {
  const out: RenderedFiles = {};
  const strip = (o: KubeObject): KubeObject => {
    if (o.metadata.namespace === undefined) return o;
    const { namespace: _ns, ...metadata } = o.metadata;
    return { ...o, metadata: metadata };
  };
  const baseFiles = manifestFiles(base.map(strip));
  for (const [f, text] of Object.entries(baseFiles)) out[`base/${f}`] = text;
  out["base/kustomization.yaml"] = yamlOf({
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
    resources: Object.keys(baseFiles),
  });
  const baseById = new Map(base.map((o) => [idOf(o), strip(o)]));
  for (const variant of [...overlays].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const dir = `overlays/${variant.name}`;
    const resources: string[] = [];
    const patches: string[] = [];
    const seen = new Set<string>();
    for (const raw of variant.objects) {
      const o = strip(raw);
      seen.add(idOf(o));
      const before = baseById.get(idOf(o));
      if (before === undefined) {
        const f = objectFileName(o);
        out[`${dir}/${f}`] = yamlOf(o);
        resources.push(f);
      } else if (canonical(before) !== canonical(o)) {
        const f = `patch-${objectFileName(o)}`;
        out[`${dir}/${f}`] = yamlOf(o);
        patches.push(f);
      }
    }
    for (const o of baseById.values()) {
      if (seen.has(idOf(o))) continue;
      const f = `delete-${objectFileName(o)}`;
      out[`${dir}/${f}`] = yamlOf({ apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.metadata.name }, $patch: "delete" });
      patches.push(f);
    }
    out[`${dir}/kustomization.yaml`] = yamlOf({
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
      bases: ["../../base"],
      ...(resources.length > 0 ? { resources } : {}),
      ...(patches.length > 0 ? { patchesStrategicMerge: patches } : {}),
    });
  }
  return out;
}

const IMAGE = "__FLOTILLA_IMAGE__";
const REPLICAS = "__FLOTILLA_REPLICAS__";
const RESOURCES = "__FLOTILLA_RESOURCES__";

/** `registry:5000/app:1.2` → repository and tag; a digest stays in the repository with an empty tag. */
export function splitImage(image: string): { repository: string; tag: string } {
  if (image.includes("@")) return { repository: image, tag: "" };
  const slash = image.lastIndexOf("/");
  const colon = image.lastIndexOf(":");
  if (colon > slash) return { repository: image.slice(0, colon), tag: image.slice(colon + 1) };
  return { repository: image, tag: "" };
}

/** The values a chart exposes per service (keyed by the Kubernetes name). */
export interface HelmServiceValues {
  image: { repository: string; tag: string };
  replicas?: number;
  resources: Record<string, unknown>;
}

/**
 * A Helm chart: Chart.yaml, values.yaml (per service: image repository and tag, replicas, resources)
 * and one template per object, the workloads reading those values. Literal `{{` in the objects is
 * escaped so Helm prints it as written.
 */
export function helmFiles(conversion: KubernetesConversion, chartName: string): RenderedFiles {
  const out: RenderedFiles = {};
  const values: Record<string, HelmServiceValues> = {};
  const workloadOf = new Map<string, string>();
  for (const s of Object.values(conversion.services)) workloadOf.set(`${s.kind}/${s.name}`, s.name);
  for (const o of conversion.objects) {
    const service = workloadOf.get(`${o.kind}/${o.metadata.name}`);
    let text: string;
    if (service === undefined) {
      const { namespace: _ns, ...metadata } = o.metadata;
      text = escapeTemplates(yamlOf({ ...o, metadata }));
    } else {
      const clone = JSON.parse(JSON.stringify(o)) as KubeObject;
      delete clone.metadata.namespace;
      const spec = clone["spec"] as Record<string, unknown>;
      const pod = (spec["template"] as { spec: { containers: Record<string, unknown>[] } }).spec;
      const main = pod.containers[0] ?? {}; // convert always writes one container per workload
      const v: HelmServiceValues = { image: splitImage(String(main["image"])), resources: (main["resources"] as Record<string, unknown> | undefined) ?? {} };
      main["image"] = IMAGE;
      main["resources"] = RESOURCES;
      if (typeof spec["replicas"] === "number") {
        v.replicas = spec["replicas"];
        spec["replicas"] = REPLICAS;
      }
      values[service] = v;
      const ref = `(index .Values.services ${JSON.stringify(service)})`;
      text = escapeTemplates(yamlOf(clone))
        .replace(`image: ${IMAGE}`, `image: "{{ ${ref}.image.repository }}{{ with ${ref}.image.tag }}:{{ . }}{{ end }}"`)
        .replace(`replicas: ${REPLICAS}`, `replicas: {{ ${ref}.replicas }}`)
        .replace(new RegExp(`^( *)resources: ${RESOURCES}$`, "m"), (_m, indent: string) => `${indent}resources: {{- toYaml ${ref}.resources | nindent ${indent.length + 2} }}`);
    }
    out[`templates/${objectFileName(o)}`] = text;
  }
  out["Chart.yaml"] = yamlOf({
    apiVersion: "v2",
    name: chartName,
    description: `${chartName}, converted from its Compose file by flotilla convert`,
    type: "application",
    version: "0.1.0",
  });
  out["values.yaml"] = `# Per service: the image (repository and tag), replicas (Deployments and StatefulSets) and resources.\n${yamlOf({ services: sortRecord(values) })}`;
  return out;
}

function sortRecord<T>(r: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Go templates read `{{`: a literal one is written `{{ "{{" }}`. */
function escapeTemplates(text: string): string {
  return text.replace(/\{\{/g, '{{ "{{" }}');
}

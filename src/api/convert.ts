/**
 * `flotilla convert` as a library: load a Compose project through the spec layer (profiles, include,
 * extends, interpolation, .env), check every key against the Kubernetes column of the capabilities
 * table, convert, check the objects against the API server's rules, and render them. Applying the
 * output stays with the user's tools (kubectl apply -k, Helm, Argo CD).
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { ConfigError, FlotillaError, type ConfigIssue } from "../errors.js";
import { loadProjectSync } from "../spec/load.js";
import { formatPath } from "../spec/locations.js";
import type { LoadOptions } from "../spec/options.js";
import type { LoadedProject } from "../spec/model.js";
import { convertToKubernetes } from "../cluster/kubernetes/convert.js";
import { checkKubernetes, locateIssues, toConfigIssue } from "../cluster/kubernetes/check.js";
import { checkObjects } from "../cluster/kubernetes/rules.js";
import { helmFiles, kustomizeFiles, manifestFiles, renderManifest, type ManifestFormat, type RenderedFiles, type Variant } from "../cluster/kubernetes/render.js";
import { toDnsLabel } from "../cluster/kubernetes/names.js";
import type { KubernetesConversion, KubernetesIssue, KubernetesOptions } from "../cluster/kubernetes/types.js";

export type { KubeObject, KubernetesOptions, KubernetesIssue, KubernetesConversion, ExposeMode, ServiceOutput } from "../cluster/kubernetes/types.js";
export type { ManifestFormat, RenderedFiles } from "../cluster/kubernetes/render.js";

export type ConvertTarget = "kubernetes" | "kustomize" | "helm";

export interface KubernetesResult extends KubernetesConversion {
  project: LoadedProject;
  /** Warnings at their file:line:col (refusals turned into warnings by `ignore` included, marked `ignored`). */
  warnings: KubernetesIssue[];
}

/** The objects of one loaded variant, with its warnings; refusals are returned, not thrown. */
function convertLoaded(load: LoadOptions, options: KubernetesOptions): { result: KubernetesResult; refusals: KubernetesIssue[] } {
  const project = loadProjectSync(load);
  const locations = project.locations;
  const conversion = convertToKubernetes({ model: project.model, environment: project.environment }, options, (p) => readFileSync(p));
  const raw: KubernetesIssue[] = [...checkKubernetes(project.model, options), ...conversion.notes];
  for (const [from, to] of Object.entries(conversion.renames)) {
    const [section = "", ...rest] = from.split(".");
    const name = rest.join(".");
    raw.push({ severity: "warning", key: `${section}.name`, path: [section, name], message: `named "${to}" in Kubernetes ("${name}" is not a valid DNS name)` });
  }
  const issues = locateIssues(raw, locations, options.ignore);
  const violations = checkObjects(conversion.objects);
  if (violations.length > 0) {
    // the converter makes names and labels valid; what is left comes from options (a bad --namespace) or a bug
    throw new ConfigError(
      violations.map((v): ConfigIssue => ({ code: "CONFIG_INVALID", message: `${v.object} ${v.field}: ${v.message}`, hint: "the Kubernetes API server would reject this object" })),
    );
  }
  return {
    result: { ...conversion, project, warnings: issues.filter((i) => i.severity === "warning") },
    refusals: issues.filter((i) => i.severity === "refusal"),
  };
}

function throwRefusals(refusals: readonly KubernetesIssue[]): void {
  if (refusals.length === 0) return;
  const seen = new Set<string>();
  const unique = refusals.filter((r) => {
    const k = `${r.location?.file}:${r.location?.line}:${r.location?.col}:${r.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  throw new ConfigError(unique.map((r) => ({ ...toConfigIssue(r), hint: `${r.hint !== undefined ? `${r.hint}; ` : ""}--ignore ${ignoreKeyOf(r)} drops it knowingly` })));
}

/** What to pass to --ignore for one refusal: the bare key for a service's own attribute, else its model path. */
export function ignoreKeyOf(r: KubernetesIssue): string {
  const parts = r.key.split(".");
  return parts.length === 2 && parts[0] === "services" ? (parts[1] ?? "") : formatPath(r.path);
}

/**
 * Converts the project to Kubernetes objects. Throws a ConfigError listing every refused key at its
 * file:line:col (unless ignored), or an object the API server would reject.
 */
export async function convertToKubernetesObjects(load: LoadOptions, options: KubernetesOptions = {}): Promise<KubernetesResult> {
  const { result, refusals } = await Promise.resolve(convertLoaded(load, options));
  throwRefusals(refusals);
  return result;
}

/**
 * Like convertToKubernetesObjects, but refusals are returned instead of thrown (the objects are then
 * what conversion gives with the refused keys dropped): for reports over many projects.
 */
export async function analyzeConversion(load: LoadOptions, options: KubernetesOptions = {}): Promise<KubernetesResult & { refusals: KubernetesIssue[] }> {
  const { result, refusals } = await Promise.resolve(convertLoaded(load, options));
  return { ...result, refusals };
}

export interface RenderOptions extends KubernetesOptions {
  target: ConvertTarget;
  format?: ManifestFormat;
}

export interface RenderResult {
  /** Relative path → content (one file per object, or a kustomization tree, or a chart). */
  files: RenderedFiles;
  /** Everything as one text for stdout (`-o -`). */
  text: string;
  result: KubernetesResult;
  warnings: KubernetesIssue[];
}

/** The profiles any service of the project names. */
function allProfiles(project: LoadedProject): string[] {
  const out = new Set<string>();
  for (const svc of [...Object.values(project.model.services), ...Object.values(project.disabledServices)]) for (const p of svc.profiles ?? []) out.add(p);
  return [...out].sort();
}

/** Renders the conversion for a target. kustomize: a base and an overlay per profile and override file. */
export async function renderConversion(load: LoadOptions, options: RenderOptions): Promise<RenderResult> {
  const format = options.format ?? "yaml";
  if (options.target === "kubernetes") {
    const result = await convertToKubernetesObjects(load, options);
    return { files: manifestFiles(result.objects, format), text: renderManifest(result.objects, format), result, warnings: result.warnings };
  }
  if (options.target === "helm") {
    const result = await convertToKubernetesObjects(load, options);
    const files = helmFiles(result, toDnsLabel(result.project.model.name));
    return { files, text: concat(files), result, warnings: result.warnings };
  }
  if (options.target !== "kustomize") throw new FlotillaError("USAGE", `unknown target "${String(options.target)}"`, { hint: "use kubernetes, kustomize or helm" });
  // the variants: the first file without profiles (base), each further file, each profile
  const full = convertLoaded(load, options);
  const files = full.result.project.configFiles;
  const realFiles = files.filter((f) => !f.startsWith("<"));
  const noProfiles = { profiles: [] as string[], env: { ...load.env, COMPOSE_PROFILES: "" } };
  const firstFile = realFiles.length > 1 ? { files: realFiles.slice(0, 1) } : {};
  const baseLoad: LoadOptions = { ...load, ...noProfiles, ...firstFile };
  const base = convertLoaded(baseLoad, options);
  const refusals = [...full.refusals, ...base.refusals];
  const warnings = [...base.result.warnings];
  const overlays: Variant[] = [];
  const names = new Set<string>();
  const overlayName = (raw: string): string => {
    let n = toDnsLabel(raw);
    for (let i = 2; names.has(n); i++) n = `${toDnsLabel(raw)}-${i}`;
    names.add(n);
    return n;
  };
  if (realFiles.length > 1) {
    for (const [i, file] of realFiles.entries()) {
      if (i === 0) continue;
      const v = convertLoaded({ ...load, ...noProfiles, files: realFiles.slice(0, i + 1) }, options);
      refusals.push(...v.refusals);
      warnings.push(...v.result.warnings);
      overlays.push({ name: overlayName(basename(file).replace(/\.(ya?ml|json)$/, "").replace(/^(docker-)?compose\./, "")), objects: v.result.objects });
    }
  }
  for (const profile of allProfiles(full.result.project)) {
    // a profile's overlay is the base files with that profile on (override files have their own overlays)
    const v = convertLoaded({ ...load, profiles: [profile], ...firstFile }, options);
    refusals.push(...v.refusals);
    warnings.push(...v.result.warnings);
    overlays.push({ name: overlayName(`profile-${profile}`), objects: v.result.objects });
  }
  throwRefusals(refusals);
  const out = kustomizeFiles(base.result.objects, overlays, options.namespace !== undefined ? { namespace: options.namespace } : {});
  return { files: out, text: concat(out), result: base.result, warnings: dedupe(warnings) };
}

function dedupe(issues: KubernetesIssue[]): KubernetesIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.location?.file}:${i.location?.line}:${i.location?.col}:${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Every file as one stream, each preceded by `# Source: path` (as `helm template` prints). */
function concat(files: RenderedFiles): string {
  return Object.keys(files)
    .sort()
    .map((f) => `---\n# Source: ${f}\n${files[f]}`)
    .join("");
}

/**
 * A list of sources loaded as one project: each is parsed, interpolated, gets its includes and
 * extends applied; then they are merged in order, the model merged so far validated at each step.
 */
import { resolve } from "node:path";
import { ConfigError, type SourceLocation } from "../../errors.js";
import { layerEnvironment, readEnvFiles } from "../environment.js";
import { applyExtends, fileDir, type ExtendsUnit } from "../extends.js";
import { applyIncludes, resolveRelativePaths, type IncludeEntry, type IncludedProject } from "../include.js";
import { Locations } from "../locations.js";
import { mergeDocuments } from "../merge.js";
import type { RawMap } from "../tags.js";
import { validateDocument } from "../validate.js";
import type { LoadState } from "./state.js";
import { hasTags, loadUnit, stripTags, type Source } from "./unit.js";

export interface FileSet {
  doc: RawMap;
  locations: Locations;
}

/** One loaded source, ready to merge. */
interface LoadedDoc {
  doc: RawMap;
  locations: Locations;
  file: string;
  tagged: boolean;
}

/** What `extends.file` reads: a file's unit with its own extends applied, once per environment. */
function extendsFileLoader(projectDir: string, env: Record<string, string>, state: LoadState) {
  const envId = JSON.stringify(env);
  const loadExtendsFile = (abs: string, where: SourceLocation | undefined): ExtendsUnit | undefined => {
    const key = `${envId}\u0000${abs}`;
    if (state.extendsCache.has(key)) return state.extendsCache.get(key);
    state.extendsCache.set(key, undefined); // guards against re-entry
    let unit: ExtendsUnit | undefined;
    if (!state.fs.isFile(abs)) {
      state.issues.add({
        code: "CONFIG_EXTENDS",
        message: `extends refers to a file that does not exist: ${abs}`,
        location: where,
        hint: "extends.file is relative to the file that contains the extends",
      });
    } else {
      unit = loadUnit({ file: abs, dir: fileDir(abs, projectDir) }, env, state);
      if (unit !== undefined) unit = { ...unit, doc: applyExtends(unit, { issues: state.issues, loadFile: loadExtendsFile }) };
    }
    state.extendsCache.set(key, unit);
    return unit;
  };
  return loadExtendsFile;
}

/** What `include:` reads: a sub-project with its own environment files, its paths made absolute. */
function subProjectLoader(env: Record<string, string>, state: LoadState) {
  return (entry: IncludeEntry, subChain: readonly string[], where: SourceLocation | undefined): IncludedProject | undefined => {
    let subEnv = env;
    const envFiles = entry.explicitEnvFiles ? entry.envFiles : [resolve(entry.projectDirectory, ".env")].filter((f) => state.fs.isFile(f));
    if (envFiles.length > 0) {
      try {
        subEnv = layerEnvironment(env, readEnvFiles(envFiles, env, state.fs));
      } catch (e) {
        if (e instanceof ConfigError) for (const i of e.issues) state.issues.add(i);
        else throw e;
        return undefined;
      }
    }
    const missing = entry.paths.filter((p) => !state.fs.isFile(p));
    for (const m of missing) {
      state.issues.add({
        code: "CONFIG_INCLUDE",
        message: `included file not found: ${m}`,
        path: "include",
        location: where,
        hint: "include paths are relative to the including project's directory",
      });
    }
    if (missing.length > 0) return undefined;
    const subSources = entry.paths.map((p) => ({ file: p, dir: fileDir(p, entry.projectDirectory) }));
    const set = loadFileSet(subSources, entry.projectDirectory, subEnv, subChain, state);
    if (set === undefined) return undefined;
    return { doc: resolveRelativePaths(set.doc, entry.projectDirectory), locations: set.locations };
  };
}

/** Each source loaded, with its includes and extends applied (sources that add nothing left out). */
function loadSources(sources: readonly Source[], projectDir: string, env: Record<string, string>, chain: readonly string[], state: LoadState): LoadedDoc[] {
  const loadFile = extendsFileLoader(projectDir, env, state);
  const loadSubProject = subProjectLoader(env, state);
  const out: LoadedDoc[] = [];
  for (const src of sources) {
    const unit = loadUnit(src, env, state);
    if (unit === undefined) continue;
    let doc = unit.doc;
    if (doc["include"] !== undefined) {
      doc = applyIncludes(doc, unit.locations, {
        file: src.file,
        baseDir: projectDir,
        chain: [...chain, ...(chain.includes(src.file) ? [] : [src.file])],
        issues: state.issues,
        loadSubProject,
      });
    }
    doc = applyExtends({ ...unit, doc }, { issues: state.issues, loadFile });
    out.push({ doc, locations: unit.locations, file: src.file, tagged: unit.tagged });
  }
  return out;
}

/** Sources that all turned out empty: an error, unless another issue already covers the first. */
function reportEmpty(sources: readonly Source[], state: LoadState): void {
  const first = sources[0];
  if (first !== undefined && first.object === undefined && !state.issues.issues.some((i) => i.location?.file === first.file)) {
    state.issues.add({
      code: "CONFIG_INVALID",
      message: `empty compose file: ${sources.map((x) => x.file).join(", ")}`,
      location: { file: first.file, line: 1, col: 1 },
      hint: "add a services: section (or remove the file from -f / COMPOSE_FILE)",
    });
  }
}

/**
 * As compose-go does: each file is merged over the ones before it and the model merged so far
 * is validated (an override valid only over its base loads); the first invalid step is reported.
 * An included project (`validate` false) is validated once, as part of the including model.
 */
function mergeAndValidate(docs: readonly LoadedDoc[], validate: boolean, state: LoadState): FileSet {
  // positions accumulate with the merge: at each step they are those of the files merged so far
  const locations = docs.length === 1 ? docs[0]!.locations : new Locations();
  const tagged = docs.some((d) => d.tagged);
  let merged: RawMap | undefined;
  for (let i = 0; i < docs.length; i++) {
    merged = merged === undefined ? docs[i]!.doc : mergeDocuments(merged, docs[i]!.doc);
    if (docs.length > 1) locations.absorb(docs[i]!.locations);
    // mergeDocuments and mergeService drop tags; a lone tagged file still holds its own
    if (tagged && hasTags(merged)) merged = stripTags(merged) as RawMap;
    if (!validate) continue;
    const before = state.issues.size;
    validateDocument(merged, locations, state.issues, { file: docs[i]!.file });
    if (state.issues.size > before) {
      for (let j = i + 1; j < docs.length; j++) locations.absorb(docs[j]!.locations);
      break;
    }
  }
  return { doc: merged!, locations };
}

/** Loads `sources` as one project; undefined when none of them holds anything (issues say why). */
export function loadFileSet(
  sources: readonly Source[],
  projectDir: string,
  env: Record<string, string>,
  chain: readonly string[],
  state: LoadState,
): FileSet | undefined {
  const docs = loadSources(sources, projectDir, env, chain, state);
  if (docs.length === 0) {
    reportEmpty(sources, state);
    return undefined;
  }
  return mergeAndValidate(docs, chain.length === 0, state);
}

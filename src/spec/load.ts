/**
 * The loader's composition root: discover → environment → per file (read, parse, interpolate,
 * validate, include, extends) → merge → project name → normalize → profiles → checks.
 * Issues are collected across stages and thrown as one ConfigError; the stages after merging
 * run only when parsing and validation found nothing.
 */
import { resolve } from "node:path";
import { ConfigError, IssueCollector, type SourceLocation } from "../errors.js";
import { checkFiles, checkModel, checkRawModel } from "./checks.js";
import { BadTextError, badTextIssue, discoverComposeFiles, nodeFs, STDIN_FILE, type LoaderFs } from "./discover.js";
import { discoveryEnvironment, layerEnvironment, projectEnvironment, readEnvFiles, type Env } from "./environment.js";
import { applyExtends, fileDir, type ExtendsUnit } from "./extends.js";
import { applyIncludes, cloneRaw, resolveRelativePaths, type IncludeEntry, type IncludedProject } from "./include.js";
import { envLookup, interpolateTree } from "./interpolate.js";
import { Locations } from "./locations.js";
import { mergeDocuments } from "./merge.js";
import type { ComposeModel, LoadedProject } from "./model.js";
import { normalizeModel } from "./normalize.js";
import type { LoadOptions } from "./options.js";
import { activeProfiles, applyProfiles } from "./profiles.js";
import { resolveProjectName } from "./project-name.js";
import { OverrideTag, ResetTag, isRawMap, type RawMap } from "./tags.js";
import { validateDocument } from "./validate.js";
import { parseComposeYaml } from "./yaml.js";

/** A compose source: a file on disk, stdin, or an inline document. */
interface Source {
  /** Name used in messages and locations. */
  file: string;
  /** Directory relative `extends.file` values resolve against. */
  dir: string;
  text?: string;
  object?: Record<string, unknown>;
}

interface State {
  fs: LoaderFs;
  issues: IssueCollector;
  warnings: string[];
  /** Interpolation warnings (deduplicated by interpolateTree). */
  interpolationWarnings: Set<string>;
  interpolate: boolean;
  /** Key `<env id>\0<file>` → loaded unit, for files read by `extends`. */
  extendsCache: Map<string, ExtendsUnit | undefined>;
}

/** Removes `!reset` / `!override` markers: a reset value is absent, an override is its value. */
export function stripTags(v: unknown): unknown {
  if (v instanceof OverrideTag) return stripTags(v.value);
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const x of v) if (!(x instanceof ResetTag)) out.push(stripTags(x));
    return out;
  }
  if (isRawMap(v)) {
    const out: RawMap = {};
    for (const k of Object.keys(v)) {
      const x = v[k];
      if (x instanceof ResetTag) continue;
      out[k] = stripTags(x);
    }
    return out;
  }
  return v;
}

function hasTags(v: unknown): boolean {
  if (v instanceof OverrideTag || v instanceof ResetTag) return true;
  if (Array.isArray(v)) return v.some(hasTags);
  if (isRawMap(v)) {
    for (const k in v) if (hasTags(v[k])) return true;
  }
  return false;
}

/** Parses one source into a document (several YAML documents are merged in order). */
function parseSource(src: Source, state: State): { doc: RawMap | null; locations: Locations; tagged: boolean } {
  if (src.object !== undefined) {
    const doc = cloneRaw(src.object as RawMap);
    return { doc, locations: new Locations(), tagged: hasTags(doc) };
  }
  let text = src.text;
  if (text === undefined) {
    try {
      text = state.fs.readFile(src.file);
    } catch (e) {
      if (e instanceof BadTextError) {
        state.issues.add(badTextIssue(e));
        return { doc: null, locations: new Locations(), tagged: false };
      }
      state.issues.add({
        code: "CONFIG_READ",
        message: `cannot read ${src.file}: ${(e as Error).message}`,
        hint: "check that the file exists and is readable",
      });
      return { doc: null, locations: new Locations(), tagged: false };
    }
  }
  const parsed = parseComposeYaml(text, src.file, state.issues);
  state.warnings.push(...parsed.warnings);
  const docs = parsed.documents;
  if (docs.length > 1) {
    let acc = docs[0]!;
    for (const d of docs.slice(1)) acc = mergeDocuments(acc, d);
    return { doc: acc, locations: parsed.locations, tagged: parsed.tagged };
  }
  return { doc: parsed.value, locations: parsed.locations, tagged: parsed.tagged };
}

/** Parse → interpolate → validate one source. `tagged` says whether it holds !reset / !override. */
function loadUnit(src: Source, env: Record<string, string>, state: State): (ExtendsUnit & { tagged: boolean }) | undefined {
  const parsed = parseSource(src, state);
  // An empty file adds nothing (Compose merges it as nothing); only a project with no content at all is an error.
  if (parsed.doc === null) return undefined;
  const locations = parsed.locations;
  let doc = parsed.doc;
  if (state.interpolate) {
    doc = interpolateTree(doc, envLookup(env), {
      locations,
      path: [],
      issues: state.issues,
      warnings: state.interpolationWarnings,
    }) as RawMap;
  }
  omitEmptyDns(doc);
  // interpolation makes no tags: those the parser read are all there are
  const tagged = parsed.tagged;
  // validated once merged (Compose validates the merged model: an override may be valid only over its base)
  if ("version" in doc) {
    state.warnings.push(`${src.file}: the attribute \`version\` is obsolete, it will be ignored, please remove it to avoid potential confusion`);
    const { version: _v, ...rest } = doc;
    doc = rest;
  }
  return { file: src.file, dir: src.dir, doc, locations, tagged };
}

/**
 * compose-go drops empty `dns` entries (its OmitEmpty step, after reading `dns: x` as `[x]`):
 * `dns: ${UNSET}` is no DNS server at all, not one empty one.
 */
function omitEmptyDns(doc: RawMap): void {
  const services = doc["services"];
  if (!isRawMap(services)) return;
  for (const name of Object.keys(services)) {
    const svc = services[name];
    if (!isRawMap(svc)) continue;
    const dns = svc["dns"];
    if (dns === "") svc["dns"] = [];
    else if (Array.isArray(dns) && dns.some((d) => d === "" || d === null)) svc["dns"] = dns.filter((d) => d !== "" && d !== null);
  }
}

interface FileSet {
  doc: RawMap;
  locations: Locations;
}

/**
 * Loads a list of sources as one project: each is parsed, interpolated, validated, gets its
 * includes and extends applied; then they are merged in order.
 */
function loadFileSet(
  sources: readonly Source[],
  projectDir: string,
  env: Record<string, string>,
  chain: readonly string[],
  state: State,
): FileSet | undefined {
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

  const loadSubProject = (
    entry: IncludeEntry,
    subChain: readonly string[],
    where: SourceLocation | undefined,
  ): IncludedProject | undefined => {
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
    if (missing.length > 0) {
      for (const m of missing) {
        state.issues.add({
          code: "CONFIG_INCLUDE",
          message: `included file not found: ${m}`,
          path: "include",
          location: where,
          hint: "include paths are relative to the including project's directory",
        });
      }
      return undefined;
    }
    const subSources = entry.paths.map((p) => ({ file: p, dir: fileDir(p, entry.projectDirectory) }));
    const set = loadFileSet(subSources, entry.projectDirectory, subEnv, subChain, state);
    if (set === undefined) return undefined;
    return { doc: resolveRelativePaths(set.doc, entry.projectDirectory), locations: set.locations };
  };

  const docs: RawMap[] = [];
  const units: Locations[] = [];
  const docFiles: string[] = [];
  let tagged = false;
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
    doc = applyExtends({ ...unit, doc }, { issues: state.issues, loadFile: loadExtendsFile });
    docs.push(doc);
    units.push(unit.locations);
    docFiles.push(src.file);
    tagged ||= unit.tagged;
  }
  if (docs.length === 0) {
    const first = sources[0];
    if (first !== undefined && first.object === undefined && !state.issues.issues.some((i) => i.location?.file === first.file)) {
      state.issues.add({
        code: "CONFIG_INVALID",
        message: `empty compose file: ${sources.map((x) => x.file).join(", ")}`,
        location: { file: first.file, line: 1, col: 1 },
        hint: "add a services: section (or remove the file from -f / COMPOSE_FILE)",
      });
    }
    return undefined;
  }
  // positions accumulate with the merge: at each step they are those of the files merged so far
  const locations = units.length === 1 ? units[0]! : new Locations();
  // As compose-go does: each file is merged over the ones before it and the model merged so far
  // is validated (an override valid only over its base loads); the first invalid step is reported.
  let merged: RawMap | undefined;
  for (let i = 0; i < docs.length; i++) {
    merged = merged === undefined ? docs[i]! : mergeDocuments(merged, docs[i]!);
    if (units.length > 1) locations.absorb(units[i]!);
    // mergeDocuments and mergeService drop tags; a lone tagged file still holds its own
    if (tagged && hasTags(merged)) merged = stripTags(merged) as RawMap;
    if (chain.length > 0) continue; // an included project is validated once, as part of the including model
    const before = state.issues.size;
    validateDocument(merged, locations, state.issues, { file: docFiles[i]! });
    if (state.issues.size > before) {
      for (let j = i + 1; j < units.length; j++) locations.absorb(units[j]!);
      break;
    }
  }
  return { doc: merged!, locations };
}

/** Loads, validates and normalizes a Compose project. Throws ConfigError listing every problem found. */
export function loadProject(options: LoadOptions): Promise<LoadedProject> {
  try {
    return Promise.resolve(loadProjectSync(options));
  } catch (e) {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a ConfigError (or whatever the loader threw), as a rejection
    return Promise.reject(e);
  }
}

/**
 * Synchronous core of `loadProject` (every read is a small local file). The project carries
 * `locations`: where every key of the model came from (file:line:col), for checks made after loading.
 */
export function loadProjectSync(options: LoadOptions, fs: LoaderFs = nodeFs): LoadedProject & { locations: Locations } {
  const cwd = resolve(options.cwd);
  const osEnv: Env = options.env;
  const state: State = {
    fs,
    issues: new IssueCollector(),
    warnings: [],
    interpolationWarnings: new Set(),
    interpolate: options.interpolate !== false,
    extendsCache: new Map(),
  };

  // 1. environment seen from the working directory, then discovery
  // (Compose's working directory is --project-directory when given: its .env is read first.)
  const startDir = options.projectDirectory !== undefined && options.projectDirectory !== "" ? resolve(cwd, options.projectDirectory) : cwd;
  const phase1 = discoveryEnvironment(startDir, cwd, osEnv, options.envFiles, fs);
  let sources: Source[];
  let configFiles: string[];
  let projectDir: string;
  const documents = options.documents ?? [];
  const inline = (dir: string): Source[] =>
    documents.map((d, i) => (typeof d === "string" ? { file: `<inline-${i}>`, dir, text: d } : { file: `<inline-${i}>`, dir, object: d }));
  if (documents.length > 0 && (options.files === undefined || options.files.length === 0)) {
    projectDir = options.projectDirectory !== undefined ? resolve(cwd, options.projectDirectory) : cwd;
    sources = inline(projectDir);
    configFiles = sources.map((s) => s.file);
  } else {
    const found = discoverComposeFiles({
      cwd,
      files: options.files,
      env: phase1.environment,
      projectDirectory: options.projectDirectory,
      fs,
    });
    state.warnings.push(...found.warnings);
    projectDir = found.projectDir;
    configFiles = found.files;
    sources = found.files.map((f) =>
      f === STDIN_FILE ? { file: "<stdin>", dir: cwd, text: options.stdin ?? "" } : { file: f, dir: fileDir(f, projectDir) },
    );
    // documents given with files are merged after them, like override files (relative paths: the project directory)
    if (documents.length > 0) {
      const extra = inline(projectDir);
      sources.push(...extra);
      configFiles = [...configFiles, ...extra.map((x) => x.file)];
    }
  }

  // 2. the interpolation environment of the project
  const projEnv = projectEnvironment(phase1, projectDir, cwd, osEnv, options.envFiles, fs);
  const environment = projEnv.environment;
  if (options.projectName !== undefined && options.projectName !== "") environment["COMPOSE_PROJECT_NAME"] = options.projectName;

  // 3. per file, then merged. The project name may come from the files (`name:`) or the directory,
  // known only after this; a file that uses ${COMPOSE_PROJECT_NAME} is then read again with it.
  let nameWanted = false;
  const trapped = environment["COMPOSE_PROJECT_NAME"] === undefined || environment["COMPOSE_PROJECT_NAME"] === "";
  if (trapped) {
    delete environment["COMPOSE_PROJECT_NAME"];
    Object.defineProperty(environment, "COMPOSE_PROJECT_NAME", {
      get: () => {
        nameWanted = true;
        return undefined;
      },
      configurable: true,
      enumerable: false,
    });
  }
  const warningsBefore = state.warnings.length;
  const loadAll = (firstPass: boolean): { doc: RawMap; locations: Locations } => {
    const set = loadFileSet(sources, projectDir, environment, [], state);
    // a file that used ${COMPOSE_PROJECT_NAME} before its name was known is judged on the second pass only
    if (firstPass && nameWanted && set !== undefined) return set;
    if (state.issues.size > 0 || set === undefined) {
      if (state.issues.size === 0) {
        state.issues.add({ code: "CONFIG_INVALID", message: "no compose document to load", hint: "pass -f <file> or documents" });
      }
      state.issues.throwIfAny();
    }
    return set!;
  };
  let { doc: raw, locations } = loadAll(true);
  // what the files asked for is known now: the trap goes before the name is worked out (which reads it too)
  const reloadWithName = nameWanted;
  if (trapped) delete environment["COMPOSE_PROJECT_NAME"];

  // 4. project name
  const fileName = typeof raw["name"] === "string" ? raw["name"] : undefined;
  const { name } = resolveProjectName({
    flag: options.projectName,
    env: environment,
    fromFile: fileName !== undefined ? { value: fileName, location: locations.get(["name"]) } : undefined,
    projectDir,
  });
  environment["COMPOSE_PROJECT_NAME"] = name;
  if (reloadWithName) {
    state.issues = new IssueCollector();
    state.warnings.length = warningsBefore;
    state.interpolationWarnings.clear();
    state.extendsCache.clear();
    ({ doc: raw, locations } = loadAll(false));
  }

  // 5. checks compose-go makes on the merged model as written, then normalize
  checkRawModel(raw, locations, state.issues);
  state.issues.throwIfAny();
  const home = osEnv["HOME"] ?? osEnv["USERPROFILE"];
  const model = normalizeModel(raw, {
    projectName: name,
    workingDir: projectDir,
    environment,
    locations,
    issues: state.issues,
    readFile: (p: string) => fs.readFile(p),
    resolveEnvFiles: options.resolveEnvFiles !== false,
    ...(home !== undefined ? { homeDir: home } : {}),
    warnings: state.warnings,
  });

  // 6. profiles, then consistency checks on the enabled services
  const profiles = activeProfiles(options.profiles, environment);
  const selection = applyProfiles(model.services, profiles, options.services, locations, state.issues);
  state.issues.throwIfAny();
  const finalModel: ComposeModel = { ...model, services: selection.enabled };
  checkModel(finalModel, locations, state.issues, state.warnings);
  if (fs.kind !== undefined && options.checkFiles !== false) checkFiles(finalModel, locations, state.issues, state.warnings, (p) => fs.kind!(p));
  state.issues.throwIfAny();

  const warnings = [...state.warnings, ...state.interpolationWarnings];
  const project: LoadedProject & { locations: Locations } = {
    model: finalModel,
    workingDir: projectDir,
    configFiles,
    envFiles: projEnv.files,
    ...(options.envFiles !== undefined && options.envFiles.length > 0 ? { envFilesExplicit: true } : {}),
    environment,
    profiles: selection.profiles,
    disabledServices: selection.disabled,
    warnings,
    locations,
  };
  return project;
}

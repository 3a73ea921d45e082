/**
 * The loader's composition root: discover → environment → per file (read, parse, interpolate,
 * validate, include, extends: load/) → merge → project name → normalize → profiles → checks.
 * Issues are collected across stages and thrown as one ConfigError; the stages after merging
 * run only when parsing and validation found nothing.
 */
import { resolve } from "node:path";
import { IssueCollector } from "../errors.js";
import { checkFiles, checkModel, checkRawModel } from "./checks.js";
import { discoverComposeFiles, nodeFs, STDIN_FILE, type LoaderFs } from "./discover.js";
import { discoveryEnvironment, projectEnvironment, type Env } from "./environment.js";
import { fileDir } from "./extends.js";
import { loadFileSet, type FileSet } from "./load/file-set.js";
import { newLoadState, type LoadState } from "./load/state.js";
import type { Source } from "./load/unit.js";
import type { Locations } from "./locations.js";
import type { ComposeModel, LoadedProject } from "./model.js";
import { normalizeModel } from "./normalize.js";
import type { LoadOptions } from "./options.js";
import { activeProfiles, applyProfiles } from "./profiles.js";
import { resolveProjectName } from "./project-name.js";
import type { RawMap } from "./tags.js";

export { stripTags } from "./load/unit.js";

/** Loads, validates and normalizes a Compose project. Throws ConfigError listing every problem found. */
export function loadProject(options: LoadOptions): Promise<LoadedProject> {
  try {
    return Promise.resolve(loadProjectSync(options));
  } catch (e) {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a ConfigError (or whatever the loader threw), as a rejection
    return Promise.reject(e);
  }
}

interface ProjectSources {
  sources: Source[];
  configFiles: string[];
  projectDir: string;
}

/** The sources to load: inline documents alone, or the files found (then documents merged after them). */
function projectSources(options: LoadOptions, cwd: string, discoveryEnv: Env, state: LoadState): ProjectSources {
  const documents = options.documents ?? [];
  const inline = (dir: string): Source[] =>
    documents.map((d, i) => (typeof d === "string" ? { file: `<inline-${i}>`, dir, text: d } : { file: `<inline-${i}>`, dir, object: d }));
  if (documents.length > 0 && (options.files === undefined || options.files.length === 0)) {
    const projectDir = options.projectDirectory !== undefined ? resolve(cwd, options.projectDirectory) : cwd;
    const sources = inline(projectDir);
    return { sources, configFiles: sources.map((s) => s.file), projectDir };
  }
  const found = discoverComposeFiles({ cwd, files: options.files, env: discoveryEnv, projectDirectory: options.projectDirectory, fs: state.fs });
  state.warnings.push(...found.warnings);
  const projectDir = found.projectDir;
  const sources: Source[] = found.files.map((f) =>
    f === STDIN_FILE ? { file: "<stdin>", dir: cwd, text: options.stdin ?? "" } : { file: f, dir: fileDir(f, projectDir) },
  );
  // documents given with files are merged after them, like override files (relative paths: the project directory)
  const extra = documents.length > 0 ? inline(projectDir) : [];
  return { sources: [...sources, ...extra], configFiles: [...found.files, ...extra.map((x) => x.file)], projectDir };
}

/**
 * The merged model and its name. The name may come from the files (`name:`) or the directory,
 * known only after loading them; a file that uses ${COMPOSE_PROJECT_NAME} is then read again with
 * it (`environment` gets COMPOSE_PROJECT_NAME either way).
 */
function loadNamedProject(
  options: LoadOptions,
  at: ProjectSources,
  environment: Record<string, string>,
  state: LoadState,
): FileSet & { name: string } {
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
  const loadAll = (firstPass: boolean): FileSet => {
    const set = loadFileSet(at.sources, at.projectDir, environment, [], state);
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
  let set = loadAll(true);
  // what the files asked for is known now: the trap goes before the name is worked out (which reads it too)
  const reloadWithName = nameWanted;
  if (trapped) delete environment["COMPOSE_PROJECT_NAME"];

  const fileName = typeof set.doc["name"] === "string" ? set.doc["name"] : undefined;
  const { name } = resolveProjectName({
    flag: options.projectName,
    env: environment,
    fromFile: fileName !== undefined ? { value: fileName, location: set.locations.get(["name"]) } : undefined,
    projectDir: at.projectDir,
  });
  environment["COMPOSE_PROJECT_NAME"] = name;
  if (reloadWithName) {
    state.issues = new IssueCollector();
    state.warnings.length = warningsBefore;
    state.interpolationWarnings.clear();
    state.extendsCache.clear();
    set = loadAll(false);
  }
  return { ...set, name };
}

/** Checks compose-go makes on the merged model as written, then normalize, profiles and the model checks. */
function normalizedModel(
  options: LoadOptions,
  raw: RawMap,
  locations: Locations,
  context: { name: string; projectDir: string; environment: Record<string, string>; osEnv: Env },
  state: LoadState,
): { model: ComposeModel; profiles: LoadedProject["profiles"]; disabled: LoadedProject["disabledServices"] } {
  checkRawModel(raw, locations, state.issues);
  state.issues.throwIfAny();
  const home = context.osEnv["HOME"] ?? context.osEnv["USERPROFILE"];
  const model = normalizeModel(raw, {
    projectName: context.name,
    workingDir: context.projectDir,
    environment: context.environment,
    locations,
    issues: state.issues,
    readFile: (p: string) => state.fs.readFile(p),
    resolveEnvFiles: options.resolveEnvFiles !== false,
    ...(home !== undefined ? { homeDir: home } : {}),
    warnings: state.warnings,
  });
  // profiles, then consistency checks on the enabled services
  const profiles = activeProfiles(options.profiles, context.environment);
  const selection = applyProfiles(model.services, profiles, options.services, locations, state.issues);
  state.issues.throwIfAny();
  const finalModel: ComposeModel = { ...model, services: selection.enabled };
  checkModel(finalModel, locations, state.issues, state.warnings);
  const fs = state.fs;
  if (fs.kind !== undefined && options.checkFiles !== false) checkFiles(finalModel, locations, state.issues, state.warnings, (p) => fs.kind!(p));
  state.issues.throwIfAny();
  return { model: finalModel, profiles: selection.profiles, disabled: selection.disabled };
}

/**
 * Synchronous core of `loadProject` (every read is a small local file). The project carries
 * `locations`: where every key of the model came from (file:line:col), for checks made after loading.
 */
export function loadProjectSync(options: LoadOptions, fs: LoaderFs = nodeFs): LoadedProject & { locations: Locations } {
  const cwd = resolve(options.cwd);
  const osEnv: Env = options.env;
  const state = newLoadState(fs, options.interpolate !== false);

  // 1. environment seen from the working directory, then discovery
  // (Compose's working directory is --project-directory when given: its .env is read first.)
  const startDir = options.projectDirectory !== undefined && options.projectDirectory !== "" ? resolve(cwd, options.projectDirectory) : cwd;
  const phase1 = discoveryEnvironment(startDir, cwd, osEnv, options.envFiles, fs);
  const at = projectSources(options, cwd, phase1.environment, state);

  // 2. the interpolation environment of the project
  const projEnv = projectEnvironment(phase1, at.projectDir, cwd, osEnv, options.envFiles, fs);
  const environment = projEnv.environment;
  if (options.projectName !== undefined && options.projectName !== "") environment["COMPOSE_PROJECT_NAME"] = options.projectName;

  // 3. per file, then merged, and the project's name
  const { doc: raw, locations, name } = loadNamedProject(options, at, environment, state);

  // 4. normalize, profiles, checks
  const { model, profiles, disabled } = normalizedModel(options, raw, locations, { name, projectDir: at.projectDir, environment, osEnv }, state);

  return {
    model,
    workingDir: at.projectDir,
    configFiles: at.configFiles,
    envFiles: projEnv.files,
    ...(options.envFiles !== undefined && options.envFiles.length > 0 ? { envFilesExplicit: true } : {}),
    environment,
    profiles,
    disabledServices: disabled,
    warnings: [...state.warnings, ...state.interpolationWarnings],
    locations,
  };
}

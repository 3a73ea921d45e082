/** `environment` and `env_file`: the files are read here and their variables merged under `environment` by the service step. */
import { ConfigError } from "../../errors.js";
import { parseDotenv } from "../dotenv.js";
import { isRawMap } from "../tags.js";
import type { NormalizeFn } from "../attributes/types.js";
import type { Normalizer, Path } from "./normalizer.js";

export type EnvFileRef = { path: string; required: boolean; format?: string };

/** `environment`: a bare KEY takes its value from the interpolation environment (null when unset). */
export function environment(nz: Normalizer, v: unknown, p: Path): Record<string, string | null> {
  return nz.mapping(v, p, (k) => nz.lookup(k));
}

/**
 * `env_file`: the files in long form. Unless `--no-env-resolution`, the service step reads them
 * (through the scope) once `environment` is known, and merges their variables under it.
 */
export const envFile: NormalizeFn<EnvFileRef[]> = (nz, v, p, scope) => {
  const files = envFileRefs(nz, v, p);
  const pathOf = (i: number): Path => (Array.isArray(v) ? [...p, i] : p);
  if (nz.ctx.resolveEnvFiles === false) delete scope.readEnvFiles;
  else scope.readEnvFiles = (serviceEnv) => readEnvFiles(nz, files, pathOf, serviceEnv);
  return files;
};

function envFileRefs(nz: Normalizer, v: unknown, p: Path): EnvFileRef[] {
  const items = Array.isArray(v) ? v : [v];
  const files: EnvFileRef[] = [];
  items.forEach((item, i) => {
    const ip = Array.isArray(v) ? [...p, i] : p;
    if (item === null || item === undefined) return;
    if (isRawMap(item)) {
      const required = item["required"] === undefined ? true : nz.bool(item["required"], [...ip, "required"]) ?? true;
      const f: EnvFileRef = { path: nz.abs(String(item["path"])), required };
      if (typeof item["format"] === "string") f.format = item["format"];
      files.push(f);
    } else {
      files.push({ path: nz.abs(String(item)), required: true });
    }
  });
  return files;
}

const own = (o: Readonly<Record<string, unknown>>, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/**
 * The variables of a service's env files, read in order as compose-go's
 * `WithServicesEnvironmentResolved` reads them. A `${VAR}` in a file is looked up in the project
 * environment (the shell, then `.env` / `--env-file`) first, then in the service's `environment`,
 * then among the variables read before it — earlier files and earlier lines of the same file, the
 * last one written winning. A bare `KEY` line takes its value from the first two only. A later
 * file's variable overrides an earlier one's.
 */
function readEnvFiles(nz: Normalizer, files: readonly EnvFileRef[], pathOf: (i: number) => Path, serviceEnv: Readonly<Record<string, string | null>>): Record<string, string> {
  const lookup = (name: string): string | undefined => {
    if (own(nz.ctx.environment, name)) return nz.ctx.environment[name];
    return own(serviceEnv, name) ? (serviceEnv[name] ?? undefined) : undefined;
  };
  const env: Record<string, string> = {};
  const earlier = (name: string): string | undefined => (own(env, name) ? env[name] : undefined);
  files.forEach((f, i) => {
    let text: string;
    try {
      text = nz.ctx.readFile(f.path);
    } catch (e) {
      if (f.required) {
        const why = e instanceof Error && "code" in e && e.code === "ENOENT" ? "not found" : `cannot be read (${e instanceof Error ? e.message : String(e)})`;
        nz.issue("CONFIG_ENV_FILE", pathOf(i), `env file ${f.path} ${why}`, "create the file, fix the path, or mark it `required: false`");
      }
      return;
    }
    try {
      const vars = f.format === "raw" ? parseRawEnv(text) : parseDotenv(text, f.path, lookup, earlier);
      for (const [k, x] of Object.entries(vars)) Object.defineProperty(env, k, { value: x, writable: true, enumerable: true, configurable: true });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      for (const issue of e.issues) nz.ctx.issues.add(issue);
    }
  });
  return env;
}

function parseRawEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === "" || line.trimStart().startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq > 0) out[line.slice(0, eq).trim()] = line.slice(eq + 1);
  }
  return out;
}

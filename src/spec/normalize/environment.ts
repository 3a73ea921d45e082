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

/** `env_file`: the files in long form; their variables go to the scope, for the service step to merge under `environment`. */
export const envFile: NormalizeFn<EnvFileRef[]> = (nz, v, p, scope) => {
  const r = envFiles(nz, v, p);
  if (r.env !== undefined) scope.envFileEnv = r.env;
  else delete scope.envFileEnv;
  return r.files;
};

export function envFiles(nz: Normalizer, v: unknown, p: Path): { files: EnvFileRef[]; env: Record<string, string> | undefined } {
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
  if (nz.ctx.resolveEnvFiles === false) return { files, env: undefined };

  const env: Record<string, string> = {};
  files.forEach((f, i) => {
    const ip = Array.isArray(v) ? [...p, i] : p;
    let text: string;
    try {
      text = nz.ctx.readFile(f.path);
    } catch (e) {
      if (f.required) {
        const why = e instanceof Error && "code" in e && e.code === "ENOENT" ? "not found" : `cannot be read (${e instanceof Error ? e.message : String(e)})`;
        nz.issue("CONFIG_ENV_FILE", ip, `env file ${f.path} ${why}`, "create the file, fix the path, or mark it `required: false`");
      }
      return;
    }
    try {
      const vars = f.format === "raw" ? parseRawEnv(text) : parseDotenv(text, f.path, (name: string) => env[name] ?? nz.ctx.environment[name]);
      Object.assign(env, vars);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      for (const issue of e.issues) nz.ctx.issues.add(issue);
    }
  });
  return { files, env };
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

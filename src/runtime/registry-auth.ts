/**
 * Registry credentials the way the Docker CLI finds them, for pulls and pushes: the Docker config
 * file (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`) — a per-registry credential
 * helper (`credHelpers`), else the default store (`credsStore`), else the inline `auths` entry.
 * A helper is the `docker-credential-<name>` program on PATH, asked with `get`.
 */
import { join } from "node:path";

/** The engine's X-Registry-Auth body. */
export interface AuthConfig {
  username?: string;
  password?: string;
  identitytoken?: string;
  serveraddress: string;
}

/** Credentials for the registry of an image reference, or undefined (anonymous). */
export type RegistryAuth = (ref: string) => Promise<AuthConfig | undefined>;

type Env = Readonly<Record<string, string | undefined>>;
type ReadFile = (path: string) => string | undefined;
/** Run a credential helper: resolves with its stdout, rejects when it fails or is missing. */
export type RunHelper = (program: string, input: string, env: Env) => Promise<string>;

/** Docker Hub's key in config files and credential stores. */
export const DOCKER_HUB_KEY = "https://index.docker.io/v1/";

/** The registry host of a reference: `docker.io` unless its first component looks like a host. */
export function registryOf(ref: string): string {
  const slash = ref.indexOf("/");
  if (slash < 0) return "docker.io";
  const first = ref.slice(0, slash);
  if (first.includes(".") || first.includes(":") || first === "localhost") {
    return first === "index.docker.io" || first === "registry-1.docker.io" ? "docker.io" : first;
  }
  return "docker.io";
}

/** `https://host:5000/v1/` → `host:5000`: how config keys are compared. */
function hostOfKey(key: string): string {
  return key.replace(/^[a-z]+:\/\//i, "").replace(/\/.*$/, "");
}

function decodeAuth(auth: string): { username: string; password: string } | undefined {
  const text = Buffer.from(auth, "base64").toString("utf8");
  const colon = text.indexOf(":");
  if (colon <= 0) return undefined;
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** Runs `docker-credential-<x> get`; child_process is loaded on first use (most commands never need a helper). */
const defaultRunHelper: RunHelper = async (program, input, env) => {
  const { spawn } = await import("node:child_process");
  return new Promise((resolve, reject) => {
    const child = spawn(program, ["get"], { env: { ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error((out + err).trim() || `${program} exited with ${String(code)}`))));
    child.stdin.end(input);
  });
};

/**
 * A RegistryAuth reading the Docker config of `env`/`homeDir`. The file is read on each call (a
 * `docker login` in the middle of a session counts). `warn` hears about helpers that failed.
 */
export function dockerRegistryAuth(env: Env, homeDir: string, readFile: ReadFile, options: { runHelper?: RunHelper; warn?: (message: string) => void } = {}): RegistryAuth {
  const runHelper = options.runHelper ?? defaultRunHelper;
  return async (ref) => {
    const host = registryOf(ref);
    const file = join(env["DOCKER_CONFIG"] || join(homeDir, ".docker"), "config.json");
    const text = readFile(file);
    if (text === undefined || text.trim() === "") return undefined;
    let config: Record<string, unknown>;
    try {
      config = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return undefined; // the connection code reports an unreadable config file
    }
    const serveraddress = host === "docker.io" ? DOCKER_HUB_KEY : host;
    const matches = (key: string): boolean => {
      const h = hostOfKey(key);
      return host === "docker.io" ? h === "index.docker.io" || h === "docker.io" || h === "registry-1.docker.io" : h === host;
    };
    const helpers = (config["credHelpers"] ?? {}) as Record<string, unknown>;
    const helperKey = Object.keys(helpers).find(matches);
    const helper = helperKey !== undefined ? helpers[helperKey] : config["credsStore"];
    if (typeof helper === "string" && helper !== "") {
      try {
        const out = JSON.parse(await runHelper(`docker-credential-${helper}`, serveraddress, env)) as { Username?: string; Secret?: string };
        if (!out.Secret) return undefined;
        return out.Username === "<token>" ? { identitytoken: out.Secret, serveraddress } : { username: out.Username ?? "", password: out.Secret, serveraddress };
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        if (!/credentials not found/i.test(message)) options.warn?.(`credential helper docker-credential-${helper} failed for ${host}: ${message}`);
        return undefined;
      }
    }
    const auths = (config["auths"] ?? {}) as Record<string, { auth?: string; identitytoken?: string; username?: string; password?: string }>;
    const key = Object.keys(auths).find(matches);
    if (key === undefined) return undefined;
    const entry = auths[key] ?? {};
    if (entry.identitytoken) return { identitytoken: entry.identitytoken, serveraddress };
    const decoded = entry.auth ? decodeAuth(entry.auth) : entry.username ? { username: entry.username, password: entry.password ?? "" } : undefined;
    return decoded ? { ...decoded, serveraddress } : undefined;
  };
}

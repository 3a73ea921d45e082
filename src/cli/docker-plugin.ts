/**
 * Running as the Docker CLI plugin `docker-compose` (in ~/.docker/cli-plugins or $DOCKER_CONFIG/cli-plugins).
 *
 * What the Docker CLI does (docker/cli, cli-plugins/manager and cmd/docker):
 * - to list or validate a plugin it runs `docker-compose docker-cli-plugin-metadata` and reads one JSON
 *   object (SchemaVersion "0.1.0", Vendor, Version, ShortDescription, URL);
 * - to run `docker [GLOBAL FLAGS] compose ARGS…` it runs the plugin with the CLI's own argv unchanged:
 *   `docker-compose [GLOBAL FLAGS] compose ARGS…`, with DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND set (and
 *   DOCKER_CLI_PLUGIN_SOCKET, a socket the CLI closes when the plugin should stop).
 *
 * The Docker CLI's global flags (--config, -c/--context, -H/--host, -D/--debug, -l/--log-level, --tls…)
 * are turned into the environment variables Flotilla's engine lookup already reads (DOCKER_CONFIG,
 * DOCKER_CONTEXT, DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, FLOTILLA_DEBUG).
 * Pure apart from reading package.json (packageHomepage) and the socket (watchPluginSocket).
 */
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { UsageError } from "../errors.js";
import { COMPOSE_VERSION } from "../runtime/labels.js";

export const METADATA_COMMAND = "docker-cli-plugin-metadata";
export const REEXEC_ENV = "DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND";
export const SOCKET_ENV = "DOCKER_CLI_PLUGIN_SOCKET";

/**
 * The version Flotilla reports wherever Compose reports its own: the Compose version whose behaviour it
 * matches, with Flotilla and its version as semver build metadata (`2.40.0+flotilla.0.1.0`). Build
 * metadata is ignored when versions are compared (semver §10, PEP 440 local versions), so a tool that
 * requires Compose >= 2.x accepts it, and anyone reading it sees it is Flotilla, and which one.
 */
export function composeCompatibleVersion(flotillaVersion: string): string {
  const meta = flotillaVersion.replace(/[^0-9A-Za-z.-]/g, "-");
  return `${COMPOSE_VERSION}+flotilla.${meta}`;
}

/** `homepage`: package.json's, when it has one (the CLI's URL field is optional). */
export function pluginMetadata(flotillaVersion: string, homepage?: string): Record<string, string> {
  return {
    SchemaVersion: "0.1.0",
    Vendor: "Flotilla",
    Version: `v${composeCompatibleVersion(flotillaVersion)}`,
    ShortDescription: "Docker Compose",
    ...(homepage ? { URL: homepage } : {}),
  };
}

/** package.json's `homepage`, for the plugin metadata's URL. */
export function packageHomepage(): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { homepage?: unknown };
    return typeof pkg.homepage === "string" && /^https?:\/\//.test(pkg.homepage) ? pkg.homepage : undefined;
  } catch {
    return undefined;
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

export type PluginCall =
  | { kind: "metadata" }
  | { kind: "run"; argv: string[]; env: Record<string, string | undefined> }
  | { kind: "none" };

/** Docker CLI global flags that take a value, by every spelling. */
const VALUE_FLAGS: Record<string, string> = {
  "--config": "config",
  "-c": "context",
  "--context": "context",
  "-H": "host",
  "--host": "host",
  "-l": "log-level",
  "--log-level": "log-level",
  "--tlscacert": "tlscacert",
  "--tlscert": "tlscert",
  "--tlskey": "tlskey",
};
const BOOL_FLAGS: Record<string, string> = { "-D": "debug", "--debug": "debug", "--tls": "tls", "--tlsverify": "tlsverify" };

function parseBool(flag: string, v: string): boolean {
  if (/^(1|t|true)$/i.test(v)) return true;
  if (/^(0|f|false)$/i.test(v)) return false;
  throw new UsageError(`invalid value "${v}" for docker flag ${flag}`);
}

/** Read `docker [GLOBAL FLAGS] compose` off the front of argv; returns the flags and the rest after `compose`. */
export function splitDockerGlobals(argv: readonly string[]): { flags: Map<string, string | boolean>; rest: string[] } | undefined {
  const flags = new Map<string, string | boolean>();
  for (let i = 0, a = argv[0]; a !== undefined; a = argv[++i]) {
    if (a === "compose") return { flags, rest: argv.slice(i + 1) };
    if (!a.startsWith("-")) return undefined;
    const eq = a.indexOf("=");
    const name = eq > 0 ? a.slice(0, eq) : a;
    const inline = eq > 0 ? a.slice(eq + 1) : undefined;
    const valueFlag = VALUE_FLAGS[name];
    const boolFlag = BOOL_FLAGS[name];
    const combined = /^-[A-Za-z]{2,}$/.test(a) ? [...a.slice(1)].map((c) => BOOL_FLAGS[`-${c}`]) : [];
    if (valueFlag !== undefined) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`docker flag ${name} needs a value`);
      flags.set(valueFlag, value);
    } else if (boolFlag !== undefined) {
      flags.set(boolFlag, inline === undefined ? true : parseBool(name, inline));
    } else if (combined.length > 0 && combined.every((f): f is string => f !== undefined)) {
      for (const f of combined) flags.set(f, true); // -D combined shorthands
    } else {
      throw new UsageError(`unknown docker flag "${a}" before "compose"`);
    }
  }
  return undefined;
}

/** The environment the Docker CLI's global flags stand for (flags win over the environment, as in the CLI). */
export function envForDockerFlags(flags: Map<string, string | boolean>, env: Env): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...env };
  const str = (k: string): string | undefined => {
    const v = flags.get(k);
    return typeof v === "string" ? v : undefined;
  };
  const config = str("config");
  if (config !== undefined) out["DOCKER_CONFIG"] = config;
  const host = str("host");
  const context = str("context");
  if (host !== undefined && context !== undefined) {
    throw new UsageError('conflicting options: cannot specify both "--host" and "--context"');
  }
  if (host !== undefined) {
    out["DOCKER_HOST"] = host;
    delete out["DOCKER_CONTEXT"];
  }
  if (context !== undefined) {
    // An explicit --context beats DOCKER_HOST (docker/cli resolveContextName); "default" is the env/socket one.
    delete out["DOCKER_HOST"];
    out["DOCKER_CONTEXT"] = context;
  }
  if (flags.get("tlsverify") === true) out["DOCKER_TLS_VERIFY"] = "1";
  const certs = ["tlscacert", "tlscert", "tlskey"].map(str).filter((x): x is string => x !== undefined);
  if (certs.length > 0) {
    const dirs = new Set(certs.map((c) => dirname(c)));
    const names = ["ca.pem", "cert.pem", "key.pem"];
    const standard = ["tlscacert", "tlscert", "tlskey"].every((k, i) => str(k) === undefined || str(k)!.endsWith(`/${names[i]}`));
    if (dirs.size !== 1 || !standard) {
      throw new UsageError(
        "--tlscacert/--tlscert/--tlskey: Flotilla reads TLS files as ca.pem, cert.pem and key.pem in one directory",
        "put them in one directory and set DOCKER_CERT_PATH to it",
      );
    }
    out["DOCKER_CERT_PATH"] = [...dirs][0]!;
  }
  if (flags.get("debug") === true || str("log-level") === "debug") out["FLOTILLA_DEBUG"] = "1";
  return out;
}

/**
 * How Flotilla was invoked: for the plugin metadata, by the Docker CLI as a plugin (argv and env
 * rewritten to a plain `flotilla ARGS…` call), or directly.
 */
export function pluginCall(argv: readonly string[], env: Env): PluginCall {
  if (argv[0] === METADATA_COMMAND) return { kind: "metadata" };
  if (env[REEXEC_ENV] === undefined) return { kind: "none" };
  const split = splitDockerGlobals(argv);
  if (split === undefined) return { kind: "none" };
  return { kind: "run", argv: split.rest, env: envForDockerFlags(split.flags, env) };
}

/**
 * The Docker CLI closes DOCKER_CLI_PLUGIN_SOCKET when the user interrupts a plugin whose output is not a
 * terminal (a terminal forwards the signal itself): `onClose` is then called. The connection never keeps
 * the process alive.
 */
export function watchPluginSocket(env: Env, onClose: () => void): void {
  const addr = env[SOCKET_ENV];
  if (addr === undefined || addr === "") return;
  void import("node:net").then(({ connect }) => {
    // "@name" is a Linux abstract socket address.
    const sock = connect({ path: addr.startsWith("@") ? `\0${addr.slice(1)}` : addr });
    let connected = false;
    sock.on("connect", () => {
      connected = true;
      sock.unref();
    });
    sock.on("data", () => {});
    sock.on("error", () => {});
    sock.on("close", () => {
      if (connected) onClose();
    });
  });
}

/**
 * Normalization: one merged, interpolated, schema-valid raw document → the typed `ComposeModel`,
 * i.e. what `docker compose config --format json` prints. Everything goes to long syntax, paths
 * become absolute, resource names are filled in, implicit dependencies and the default network
 * are added, and values that interpolation left as strings are cast back to their types.
 *
 * Pure: the environment, the working directory and file reading come in through the context.
 * Problems are collected as issues (with the source location), never thrown.
 */
import * as posix from "node:path/posix";
import { ConfigError, type ErrorCode, type IssueCollector } from "../errors.js";
import { formatPath, type Locations, type PathSegment } from "./locations.js";
import type {
  BuildConfig,
  ComposeModel,
  ConfigConfig,
  DependsOnCondition,
  DependsOnEntry,
  NetworkConfig,
  PortConfig,
  SecretConfig,
  ServiceConfig,
  ServiceNetworkConfig,
  ServiceSecretRef,
  UlimitConfig,
  VolumeConfig,
  VolumeMount,
  WatchRule,
} from "./model.js";
import { isRawMap, type RawMap } from "./tags.js";
import { parseDotenv } from "./dotenv.js";
import { splitShellWords, ShellWordsError } from "./shell-words.js";

export interface NormalizeContext {
  projectName: string;
  /** Absolute project directory: relative paths resolve against it. */
  workingDir: string;
  /** The interpolation environment: used to resolve `environment` / `build.args` entries without a value. */
  environment: Readonly<Record<string, string>>;
  locations: Locations;
  issues: IssueCollector;
  /** Reads a file (env_file); throws if it cannot (e.g. ENOENT). */
  readFile: (absPath: string) => string;
  /** false = keep `env_file` but do not merge its content into `environment` (`--no-env-resolution`). */
  resolveEnvFiles?: boolean;
  /** Expansion of `~` in bind sources; without it `~` paths are kept as written. */
  homeDir?: string;
  /** Where warnings go (deprecated spellings, YAML 1.1 booleans); none are kept without it. */
  warnings?: string[];
}

type Path = PathSegment[];

class Normalizer {
  constructor(readonly ctx: NormalizeContext) {}

  issue(code: ErrorCode, path: Path, message: string, hint?: string): void {
    const loc = this.ctx.locations.find(path);
    this.ctx.issues.add({
      code,
      message,
      path: formatPath(path),
      ...(loc ? { location: loc } : {}),
      ...(hint !== undefined ? { hint } : {}),
    });
  }

  // ---- scalar casts (interpolation leaves strings where the schema wants other types) ----

  warn(path: Path, message: string): void {
    const loc = this.ctx.locations.find(path);
    this.ctx.warnings?.push(`${loc ? `${loc.file}:${loc.line}:${loc.col}: ` : ""}${formatPath(path)}: ${message}`);
  }

  bool(v: unknown, path: Path): boolean | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === "boolean") return v;
    if (typeof v === "string") {
      const lower = v.toLowerCase();
      if (lower === "true") return true;
      if (lower === "false") return false;
      const yaml11 = { y: true, yes: true, on: true, n: false, no: false, off: false }[lower];
      if (yaml11 !== undefined) {
        // accepted as Compose does, with its warning: YAML 1.2 has only true and false
        this.warn(path, `${JSON.stringify(v)} is a YAML 1.1 boolean, read as ${String(yaml11)}: write ${String(yaml11)}`);
        return yaml11;
      }
    }
    this.issue("CONFIG_INVALID", path, `invalid boolean ${JSON.stringify(v)}`, "use true or false");
    return undefined;
  }

  int(v: unknown, path: Path): number | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === "number" && Number.isInteger(v)) return v;
    if (typeof v === "string" && /^\s*[-+]?\d+\s*$/.test(v)) return Number.parseInt(v, 10);
    this.issue("CONFIG_INVALID", path, `invalid integer ${JSON.stringify(v)}`, "use a whole number");
    return undefined;
  }

  num(v: unknown, path: Path): number | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === "number") return v;
    if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
    this.issue("CONFIG_INVALID", path, `invalid number ${JSON.stringify(v)}`);
    return undefined;
  }

  /** File modes: a number as written, or an octal string ("0440"). */
  mode(v: unknown, path: Path): number | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === "number") return v;
    if (typeof v === "string" && /^[0-7]+$/.test(v)) return Number.parseInt(v, 8);
    this.issue("CONFIG_INVALID", path, `invalid file mode ${JSON.stringify(v)}`, 'use an octal string like "0440"');
    return undefined;
  }

  // ---- paths ----

  abs(p: string): string {
    let out = p;
    if (out === "~" || out.startsWith("~/")) {
      if (this.ctx.homeDir === undefined) return out;
      out = posix.join(this.ctx.homeDir, out.slice(1));
    }
    return cleanPath(posix.isAbsolute(out) ? out : posix.join(this.ctx.workingDir, out));
  }

  lookup(name: string): string | null {
    const v = this.ctx.environment[name];
    return v === undefined ? null : v;
  }

  // ---- generic shapes ----

  /** Map or `KEY=VAL` list → map of strings. `missing` decides the value of a bare `KEY`. */
  mapping(v: unknown, path: Path, missing: (key: string) => string | null): Record<string, string | null> {
    const out: Record<string, string | null> = {};
    if (Array.isArray(v)) {
      for (const item of v) {
        if (item === null || item === undefined) continue;
        const s = String(item);
        const eq = s.indexOf("=");
        if (eq < 0) out[s] = missing(s);
        else out[s.slice(0, eq)] = s.slice(eq + 1);
      }
    } else if (isRawMap(v)) {
      for (const [k, val] of Object.entries(v)) {
        out[k] = val === null || val === undefined ? missing(k) : scalarString(val);
      }
    } else if (v !== null && v !== undefined) {
      this.issue("CONFIG_INVALID", path, "must be a mapping or a list of KEY=VALUE strings");
    }
    return out;
  }

  /** Like `mapping` but every value a string (labels: a bare key means ""). */
  stringMap(v: unknown, path: Path): Record<string, string> {
    const m = this.mapping(v, path, () => "");
    const out: Record<string, string> = {};
    for (const [k, val] of Object.entries(m)) out[k] = val ?? "";
    return out;
  }

  stringList(v: unknown): string[] {
    if (v === null || v === undefined) return [];
    if (Array.isArray(v)) return v.filter((x) => x !== null && x !== undefined).map((x) => scalarString(x));
    return [scalarString(v)];
  }

  command(v: unknown, path: Path): string[] | undefined {
    if (v === null || v === undefined) return undefined;
    if (Array.isArray(v)) return v.map((x) => scalarString(x));
    try {
      return splitShellWords(String(v));
    } catch (e) {
      if (e instanceof ShellWordsError) {
        this.issue("CONFIG_INVALID", path, `cannot split command: ${e.message}`, "close the quote, or write the command as a list");
        return undefined;
      }
      throw e;
    }
  }

  // ---- top level ----

  model(raw: RawMap): ComposeModel {
    const model: ComposeModel = { name: this.ctx.projectName, services: {}, networks: {}, volumes: {}, secrets: {}, configs: {} };
    const services = isRawMap(raw["services"]) ? raw["services"] : {};
    for (const [name, svc] of Object.entries(services)) {
      model.services[name] = this.service(name, isRawMap(svc) ? svc : {});
    }

    const rawNetworks = isRawMap(raw["networks"]) ? raw["networks"] : {};
    for (const [key, def] of Object.entries(rawNetworks)) model.networks[key] = this.network(key, def);
    const usesDefault = Object.values(model.services).some((s) => s.networks !== undefined && "default" in s.networks);
    if (usesDefault && !("default" in model.networks)) model.networks["default"] = { name: `${this.ctx.projectName}_default` };

    const rawVolumes = isRawMap(raw["volumes"]) ? raw["volumes"] : {};
    for (const [key, def] of Object.entries(rawVolumes)) model.volumes[key] = this.volume(key, def);
    const rawSecrets = isRawMap(raw["secrets"]) ? raw["secrets"] : {};
    for (const [key, def] of Object.entries(rawSecrets)) model.secrets[key] = this.fileObject("secrets", key, def);
    const rawConfigs = isRawMap(raw["configs"]) ? raw["configs"] : {};
    for (const [key, def] of Object.entries(rawConfigs)) model.configs[key] = this.fileObject("configs", key, def) as ConfigConfig;

    const out = model as ComposeModel & Record<string, unknown>;
    for (const [k, v] of Object.entries(raw)) {
      if (k.startsWith("x-")) out[k] = clone(v);
      else if (k === "models") out[k] = clone(v);
    }
    return model;
  }

  /** Fill the name (`<project>_<key>`, or `<key>` when external) and move the legacy `external: {name}`. */
  resourceName(kind: string, key: string, def: RawMap, out: { name: string; external?: boolean }): void {
    const ext = def["external"];
    if (isRawMap(ext)) {
      out.external = true;
      if (typeof ext["name"] === "string") {
        if (typeof def["name"] === "string" && def["name"] !== ext["name"]) {
          this.issue("CONFIG_INVALID", [kind, key, "external", "name"], "cannot use both 'external.name' (deprecated) and 'name'", "keep only `name:`");
        }
        out.name = ext["name"];
      }
    } else if (ext !== undefined) {
      const b = this.bool(ext, [kind, key, "external"]);
      if (b !== undefined) out.external = b;
      if (b === false) delete out.external;
    }
    if (typeof def["name"] === "string") out.name = def["name"];
    if (!out.name) out.name = out.external ? key : `${this.ctx.projectName}_${key}`;
  }

  network(key: string, raw: unknown): NetworkConfig {
    const def = isRawMap(raw) ? raw : {};
    const out = { name: "" } as NetworkConfig & Record<string, unknown>;
    this.resourceName("networks", key, def, out);
    for (const [k, v] of Object.entries(def)) {
      const p = ["networks", key, k];
      switch (k) {
        case "name":
        case "external":
          break;
        case "internal":
        case "attachable":
        case "enable_ipv4":
        case "enable_ipv6": {
          const b = this.bool(v, p);
          if (b !== undefined) out[k] = b;
          break;
        }
        case "labels":
          out.labels = this.stringMap(v, p);
          break;
        case "driver_opts":
          out.driver_opts = this.stringMap(v, p);
          break;
        default:
          out[k] = clone(v);
      }
    }
    return reorder(out, ["name"]);
  }

  volume(key: string, raw: unknown): VolumeConfig {
    const def = isRawMap(raw) ? raw : {};
    const out = { name: "" } as VolumeConfig & Record<string, unknown>;
    this.resourceName("volumes", key, def, out);
    for (const [k, v] of Object.entries(def)) {
      const p = ["volumes", key, k];
      switch (k) {
        case "name":
        case "external":
          break;
        case "labels":
          out.labels = this.stringMap(v, p);
          break;
        case "driver_opts":
          out.driver_opts = this.stringMap(v, p);
          break;
        default:
          out[k] = clone(v);
      }
    }
    // A local volume with `o: bind` is a bind mount in disguise: its device is a host path.
    const opts = out.driver_opts;
    if ((out.driver === undefined || out.driver === "local") && opts && opts["o"] === "bind" && typeof opts["device"] === "string") {
      opts["device"] = this.abs(opts["device"]);
    }
    return reorder(out, ["name"]);
  }

  fileObject(kind: "secrets" | "configs", key: string, raw: unknown): SecretConfig {
    const def = isRawMap(raw) ? raw : {};
    const out = { name: "" } as SecretConfig & Record<string, unknown>;
    this.resourceName(kind, key, def, out);
    for (const [k, v] of Object.entries(def)) {
      const p = [kind, key, k];
      switch (k) {
        case "name":
        case "external":
          break;
        case "file":
          out.file = this.abs(String(v));
          break;
        case "labels":
          out.labels = this.stringMap(v, p);
          break;
        case "driver_opts":
          out.driver_opts = this.stringMap(v, p);
          break;
        default:
          out[k] = clone(v);
      }
    }
    return reorder(out, ["name"]);
  }

  // ---- services ----

  service(name: string, raw: RawMap): ServiceConfig {
    const base: Path = ["services", name];
    const out: ServiceConfig = {};
    let envFileEnv: Record<string, string> | undefined;

    for (const [key, v] of Object.entries(raw)) {
      const p = [...base, key];
      switch (key) {
        case "extends":
          break; // already resolved by the loader
        case "build":
          out.build = this.build(v, p);
          break;
        case "command":
        case "entrypoint": {
          const c = this.command(v, p);
          if (c !== undefined) out[key] = c;
          break;
        }
        case "environment":
          out.environment = this.mapping(v, p, (k) => this.lookup(k));
          break;
        case "env_file": {
          const r = this.envFiles(v, p);
          out.env_file = r.files;
          envFileEnv = r.env;
          break;
        }
        case "labels":
        case "annotations":
        case "sysctls":
        case "storage_opt":
          out[key] = this.stringMap(v, p);
          break;
        case "ports":
          out.ports = this.ports(v, p);
          break;
        case "expose":
          out.expose = this.stringList(v);
          break;
        case "volumes":
          out.volumes = Array.isArray(v) ? v.map((item, i) => this.mount(item, [...p, i])).filter((m): m is VolumeMount => !!m) : [];
          break;
        case "tmpfs":
        case "dns":
        case "dns_search":
        case "dns_opt":
        case "cap_add":
        case "cap_drop":
        case "security_opt":
        case "group_add":
        case "profiles":
        case "links":
        case "external_links":
        case "volumes_from":
        case "device_cgroup_rules":
          out[key] = this.stringList(v);
          break;
        case "devices":
          out.devices = this.devices(v, p);
          break;
        case "networks":
          out.networks = this.serviceNetworks(v, p);
          break;
        case "extra_hosts":
          out.extra_hosts = this.extraHosts(v, p);
          break;
        case "depends_on":
          out.depends_on = this.dependsOn(v, p);
          break;
        case "healthcheck":
          out.healthcheck = this.healthcheck(v, p);
          break;
        case "secrets":
          out.secrets = this.fileRefs(v, p, true);
          break;
        case "configs":
          out.configs = this.fileRefs(v, p, false);
          break;
        case "ulimits":
          out.ulimits = this.ulimits(v, p);
          break;
        case "pull_policy":
          out.pull_policy = v === "if_not_present" ? "missing" : String(v);
          break;
        case "init":
        case "attach": {
          // optional booleans in Compose's model: false is kept, it differs from unset
          const b = this.bool(v, p);
          if (b !== undefined) out[key] = b;
          break;
        }
        case "tty":
        case "stdin_open":
        case "privileged":
        case "read_only":
        case "oom_kill_disable":
        case "use_api_socket": {
          // plain booleans in Compose's model: false is the same as unset and is not printed
          const b = this.bool(v, p);
          if (b === true) out[key] = true;
          break;
        }
        case "scale":
        case "cpu_shares":
        case "cpu_quota":
        case "cpu_period":
        case "cpu_count":
        case "cpu_rt_period":
        case "cpu_rt_runtime":
        case "oom_score_adj":
        case "pids_limit": {
          const n = this.int(v, p);
          if (n !== undefined) out[key] = n;
          break;
        }
        case "cpus":
        case "cpu_percent": {
          const n = this.num(v, p);
          if (n !== undefined) out[key] = n;
          break;
        }
        case "deploy":
          out.deploy = this.deploy(v, p);
          break;
        case "develop":
          out.develop = this.develop(v, p);
          break;
        case "x-develop":
          // the experimental spelling, still read (with a warning) when there is no develop section
          out[key] = clone(v);
          if (raw["develop"] === undefined) {
            this.warn(p, "x-develop is deprecated: rename it to develop");
            out.develop = this.develop(v, p);
          }
          break;
        case "logging": {
          const l = isRawMap(v) ? v : {};
          const lo: { driver?: string; options?: Record<string, string> } = {};
          if (typeof l["driver"] === "string") lo.driver = l["driver"];
          if (l["options"] !== undefined && l["options"] !== null) lo.options = this.stringMap(l["options"], [...p, "options"]);
          out.logging = lo;
          break;
        }
        case "post_start":
        case "pre_stop":
        case "pre_start":
          out[key] = Array.isArray(v) ? v.map((h, i) => this.hook(h, [...p, i])) : clone(v);
          break;
        case "label_file":
          out[key] = this.stringList(v).map((f) => this.abs(f));
          break;
        default:
          out[key] = clone(v);
      }
    }

    if (envFileEnv !== undefined) {
      const merged: Record<string, string | null> = { ...envFileEnv };
      for (const [k, val] of Object.entries(out.environment ?? {})) {
        // `environment` wins; a bare KEY the shell does not set keeps the env_file value.
        if (val !== null || !(k in merged)) merged[k] = val;
      }
      out.environment = merged;
    }

    if (out.networks === undefined && out.network_mode === undefined && raw["provider"] === undefined) {
      out.networks = { default: null };
    }

    this.implicitDependencies(out);

    const replicas = out.deploy?.replicas;
    if (out.scale !== undefined && replicas !== undefined && out.scale !== replicas) {
      this.issue("CONFIG_INVALID", [...base, "scale"], `scale (${out.scale}) and deploy.replicas (${replicas}) disagree`, "set only one of them");
    }
    return out;
  }

  implicitDependencies(s: ServiceConfig): void {
    const add = (svc: string, restart: boolean): void => {
      if (!svc) return;
      s.depends_on ??= {};
      if (svc in s.depends_on) return;
      const entry: DependsOnEntry = { condition: "service_started", required: true };
      if (restart) entry.restart = true;
      s.depends_on[svc] = entry;
    };
    for (const link of s.links ?? []) add(link.split(":")[0]!, true);
    for (const ns of [s.network_mode, s.ipc, s.pid, s.uts, s.cgroup]) {
      if (typeof ns === "string" && ns.startsWith("service:")) add(ns.slice("service:".length), true);
    }
    for (const from of s.volumes_from ?? []) {
      if (from.startsWith("container:")) continue;
      add(from.split(":")[0]!, false);
    }
  }

  build(v: unknown, p: Path): BuildConfig {
    if (typeof v === "string") return { context: this.context(v), dockerfile: "Dockerfile" };
    const b = isRawMap(v) ? v : {};
    const out = { context: this.context(typeof b["context"] === "string" ? b["context"] : ".") } as BuildConfig & Record<string, unknown>;
    for (const [k, val] of Object.entries(b)) {
      const bp = [...p, k];
      switch (k) {
        case "context":
          break;
        case "args":
          out.args = this.mapping(val, bp, (name) => this.lookup(name));
          break;
        case "labels":
          out.labels = this.stringMap(val, bp);
          break;
        case "additional_contexts": {
          const m = this.stringMap(val, bp);
          for (const [name, c] of Object.entries(m)) m[name] = this.context(c);
          out.additional_contexts = m;
          break;
        }
        case "extra_hosts":
          out.extra_hosts = this.extraHosts(val, bp);
          break;
        case "ssh":
          out.ssh = Array.isArray(val) ? this.stringList(val) : Object.entries(this.stringMap(val, bp)).map(([id, path]) => (path ? `${id}=${path}` : id));
          break;
        case "no_cache":
        case "pull":
        case "privileged": {
          const x = this.bool(val, bp);
          if (x !== undefined) out[k] = x;
          break;
        }
        case "secrets":
          out.secrets = this.fileRefs(val, bp, false);
          break;
        case "ulimits":
          out.ulimits = this.ulimits(val, bp);
          break;
        case "cache_from":
        case "cache_to":
        case "tags":
        case "platforms":
          out[k] = this.stringList(val);
          break;
        default:
          out[k] = clone(val);
      }
    }
    if (out.dockerfile === undefined && out.dockerfile_inline === undefined) out.dockerfile = "Dockerfile";
    return out;
  }

  /** Build contexts: local paths become absolute; URLs, git remotes and named contexts stay. */
  context(c: string): string {
    if (c.includes("://") || c.startsWith("git@") || c.startsWith("github.com/") || c.startsWith("service:")) return c;
    return this.abs(c);
  }

  envFiles(v: unknown, p: Path): { files: { path: string; required: boolean; format?: string }[]; env: Record<string, string> | undefined } {
    const items = Array.isArray(v) ? v : [v];
    const files: { path: string; required: boolean; format?: string }[] = [];
    items.forEach((item, i) => {
      const ip = Array.isArray(v) ? [...p, i] : p;
      if (item === null || item === undefined) return;
      if (isRawMap(item)) {
        const required = item["required"] === undefined ? true : this.bool(item["required"], [...ip, "required"]) ?? true;
        const f: { path: string; required: boolean; format?: string } = { path: this.abs(String(item["path"])), required };
        if (typeof item["format"] === "string") f.format = item["format"];
        files.push(f);
      } else {
        files.push({ path: this.abs(String(item)), required: true });
      }
    });
    if (this.ctx.resolveEnvFiles === false) return { files, env: undefined };

    const env: Record<string, string> = {};
    files.forEach((f, i) => {
      const ip = Array.isArray(v) ? [...p, i] : p;
      let text: string;
      try {
        text = this.ctx.readFile(f.path);
      } catch (e) {
        if (f.required) {
          const why = e instanceof Error && "code" in e && e.code === "ENOENT" ? "not found" : `cannot be read (${e instanceof Error ? e.message : String(e)})`;
          this.issue("CONFIG_ENV_FILE", ip, `env file ${f.path} ${why}`, "create the file, fix the path, or mark it `required: false`");
        }
        return;
      }
      try {
        const vars = f.format === "raw" ? parseRawEnv(text) : parseDotenv(text, f.path, (name: string) => env[name] ?? this.ctx.environment[name]);
        Object.assign(env, vars);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        for (const issue of e.issues) this.ctx.issues.add(issue);
      }
    });
    return { files, env };
  }

  ports(v: unknown, p: Path): PortConfig[] {
    const out: PortConfig[] = [];
    const items = Array.isArray(v) ? v : [];
    items.forEach((item, i) => {
      const ip = [...p, i];
      if (typeof item === "number") {
        out.push({ mode: "ingress", target: item, protocol: "tcp" });
      } else if (typeof item === "string") {
        try {
          out.push(...parsePortSpec(item));
        } catch (e) {
          this.issue("CONFIG_INVALID", ip, `invalid port ${JSON.stringify(item)}: ${e instanceof Error ? e.message : String(e)}`, "use [[IP:](port|range):](port|range)[/protocol], e.g. 127.0.0.1:8080:80/tcp");
        }
      } else if (isRawMap(item)) {
        const port = { mode: "ingress", target: 0, protocol: "tcp" } as PortConfig & Record<string, unknown>;
        for (const [k, val] of Object.entries(item)) {
          switch (k) {
            case "target": {
              const n = this.int(val, [...ip, k]);
              if (n !== undefined) port.target = n;
              break;
            }
            case "published":
              if (val !== null && val !== undefined && val !== "") port.published = String(val);
              break;
            case "mode":
            case "protocol":
            case "host_ip":
            case "name":
            case "app_protocol":
              port[k] = String(val) as never;
              break;
            default:
              port[k] = clone(val);
          }
        }
        out.push(reorder(port, ["name", "mode", "host_ip", "target", "published", "protocol", "app_protocol"]));
      }
    });
    return out;
  }

  mount(item: unknown, p: Path): VolumeMount | undefined {
    if (typeof item === "string") {
      try {
        const m = parseVolumeSpec(item);
        if (m.type === "bind" && m.source !== undefined) m.source = this.abs(m.source);
        return m;
      } catch (e) {
        this.issue("CONFIG_INVALID", p, `invalid volume ${JSON.stringify(item)}: ${e instanceof Error ? e.message : String(e)}`, "use SOURCE:TARGET[:OPTIONS] or the long syntax");
        return undefined;
      }
    }
    if (!isRawMap(item)) return undefined;
    const out = {} as VolumeMount & Record<string, unknown>;
    for (const [k, val] of Object.entries(item)) {
      const kp = [...p, k];
      switch (k) {
        case "target":
          out.target = cleanPath(String(val));
          break;
        case "source":
          out.source = String(val);
          break;
        case "read_only": {
          if (this.bool(val, kp) === true) out.read_only = true;
          break;
        }
        case "bind": {
          const b = isRawMap(val) ? (clone(val) as NonNullable<VolumeMount["bind"]> & RawMap) : {};
          if (b["create_host_path"] === undefined) b.create_host_path = true;
          else b.create_host_path = this.bool(b["create_host_path"], [...kp, "create_host_path"]) ?? true;
          out.bind = b;
          break;
        }
        case "volume": {
          const vv = isRawMap(val) ? (clone(val) as NonNullable<VolumeMount["volume"]> & RawMap) : {};
          if (vv["nocopy"] !== undefined) {
            const b = this.bool(vv["nocopy"], [...kp, "nocopy"]);
            if (b === true) vv.nocopy = true;
            else delete vv.nocopy;
          }
          if (vv["labels"] !== undefined) vv.labels = this.stringMap(vv["labels"], [...kp, "labels"]);
          out.volume = vv;
          break;
        }
        default:
          out[k] = clone(val);
      }
    }
    if (out.type === "bind" && typeof out.source === "string") out.source = this.abs(out.source);
    return reorder(out, ["type", "source", "target", "read_only", "consistency", "bind", "volume", "tmpfs", "image"]);
  }

  devices(v: unknown, p: Path): { source: string; target: string; permissions?: string }[] {
    const out: { source: string; target: string; permissions?: string }[] = [];
    (Array.isArray(v) ? v : []).forEach((d, i) => {
      if (typeof d === "string") {
        const parts = d.split(":");
        if (parts.length === 1) out.push({ source: d, target: d, permissions: "rwm" });
        else if (parts.length === 2) out.push({ source: parts[0]!, target: parts[1]!, permissions: "rwm" });
        else if (parts.length === 3) out.push({ source: parts[0]!, target: parts[1]!, permissions: parts[2]! });
        else this.issue("CONFIG_INVALID", [...p, i], `confusing device mapping ${JSON.stringify(d)}`, "use the long syntax {source, target, permissions}");
      } else if (isRawMap(d)) {
        const dev = clone(d) as { source: string; target: string; permissions?: string };
        if (dev.target === undefined) dev.target = dev.source;
        out.push(dev);
      }
    });
    return out;
  }

  serviceNetworks(v: unknown, p: Path): Record<string, ServiceNetworkConfig | null> {
    const out: Record<string, ServiceNetworkConfig | null> = {};
    if (Array.isArray(v)) {
      for (const n of v) out[String(n)] = null;
    } else if (isRawMap(v)) {
      for (const [k, val] of Object.entries(v)) {
        if (!isRawMap(val)) {
          out[k] = null;
          continue;
        }
        const cfg = clone(val) as ServiceNetworkConfig & RawMap;
        if (cfg["aliases"] !== undefined) cfg.aliases = this.stringList(cfg["aliases"]);
        for (const nk of ["priority", "gw_priority"] as const) {
          if (cfg[nk] !== undefined) {
            const n = this.int(cfg[nk], [...p, k, nk]);
            if (n === undefined) delete cfg[nk];
            else cfg[nk] = n;
          }
        }
        out[k] = cfg;
      }
    }
    return out;
  }

  /** `host=ip` strings, sorted, as Compose v2 prints them. */
  extraHosts(v: unknown, p: Path): string[] {
    const out: string[] = [];
    const add = (host: string, ip: string): void => {
      out.push(`${host}=${ip.replace(/^\[(.*)\]$/, "$1")}`);
    };
    if (Array.isArray(v)) {
      v.forEach((item, i) => {
        const s = String(item);
        const eq = s.indexOf("=");
        const sep = eq >= 0 ? eq : s.indexOf(":");
        if (sep < 0) {
          this.issue("CONFIG_INVALID", [...p, i], `invalid extra host ${JSON.stringify(s)}`, "use host=ip");
          return;
        }
        add(s.slice(0, sep), s.slice(sep + 1));
      });
    } else if (isRawMap(v)) {
      for (const [host, ip] of Object.entries(v)) {
        for (const one of Array.isArray(ip) ? ip : [ip]) add(host, String(one));
      }
    }
    return out.sort();
  }

  dependsOn(v: unknown, p: Path): Record<string, DependsOnEntry> {
    const out: Record<string, DependsOnEntry> = {};
    if (Array.isArray(v)) {
      for (const s of v) out[String(s)] = { condition: "service_started", required: true };
    } else if (isRawMap(v)) {
      for (const [svc, val] of Object.entries(v)) {
        const d = isRawMap(val) ? val : {};
        const entry: DependsOnEntry = {
          condition: (typeof d["condition"] === "string" ? d["condition"] : "service_started") as DependsOnCondition,
          required: d["required"] === undefined ? true : this.bool(d["required"], [...p, svc, "required"]) ?? true,
        };
        if (d["restart"] !== undefined && this.bool(d["restart"], [...p, svc, "restart"]) === true) entry.restart = true;
        out[svc] = entry;
      }
    }
    return out;
  }

  healthcheck(v: unknown, p: Path): ServiceConfig["healthcheck"] {
    const h = isRawMap(v) ? v : {};
    const out = {} as NonNullable<ServiceConfig["healthcheck"]> & Record<string, unknown>;
    for (const [k, val] of Object.entries(h)) {
      switch (k) {
        case "test":
          if (typeof val === "string") out.test = ["CMD-SHELL", val];
          else if (Array.isArray(val)) out.test = val.map((x) => scalarString(x));
          break;
        case "retries": {
          const n = this.int(val, [...p, k]);
          if (n !== undefined) out.retries = n;
          break;
        }
        case "disable": {
          const b = this.bool(val, [...p, k]);
          if (b !== undefined) out.disable = b;
          break;
        }
        case "interval":
        case "timeout":
        case "start_period":
        case "start_interval":
          out[k] = String(val);
          break;
        default:
          out[k] = clone(val);
      }
    }
    return out;
  }

  fileRefs(v: unknown, p: Path, secret: boolean): ServiceSecretRef[] {
    const out: ServiceSecretRef[] = [];
    (Array.isArray(v) ? v : []).forEach((item, i) => {
      if (typeof item === "string") {
        out.push(secret ? { source: item, target: `/run/secrets/${item}` } : { source: item });
      } else if (isRawMap(item)) {
        const ref = clone(item) as ServiceSecretRef & RawMap;
        if (secret && (ref.target === undefined || ref.target === "")) ref.target = `/run/secrets/${ref.source}`;
        if (ref["mode"] !== undefined) {
          const m = this.mode(ref["mode"], [...p, i, "mode"]);
          if (m === undefined) delete ref.mode;
          else ref.mode = m;
        }
        for (const k of ["uid", "gid"] as const) if (ref[k] !== undefined) ref[k] = String(ref[k]);
        out.push(reorder(ref, ["source", "target", "uid", "gid", "mode"]));
      }
    });
    return out;
  }

  ulimits(v: unknown, p: Path): Record<string, UlimitConfig> {
    const out: Record<string, UlimitConfig> = {};
    for (const [k, val] of Object.entries(isRawMap(v) ? v : {})) {
      if (isRawMap(val)) {
        const soft = this.int(val["soft"], [...p, k, "soft"]);
        const hard = this.int(val["hard"], [...p, k, "hard"]);
        if (soft !== undefined && hard !== undefined) out[k] = { soft, hard };
      } else {
        const n = this.int(val, [...p, k]);
        if (n !== undefined) out[k] = { soft: n, hard: n };
      }
    }
    return out;
  }

  deploy(v: unknown, p: Path): ServiceConfig["deploy"] {
    const out = (isRawMap(v) ? clone(v) : {}) as NonNullable<ServiceConfig["deploy"]> & RawMap;
    if (out["replicas"] !== undefined) {
      const n = this.int(out["replicas"], [...p, "replicas"]);
      if (n === undefined) delete out.replicas;
      else out.replicas = n;
    }
    if (out["labels"] !== undefined) out.labels = this.stringMap(out["labels"], [...p, "labels"]);
    const rp = out["restart_policy"];
    if (isRawMap(rp) && rp["max_attempts"] !== undefined) {
      const n = this.int(rp["max_attempts"], [...p, "restart_policy", "max_attempts"]);
      if (n === undefined) delete rp["max_attempts"];
      else rp["max_attempts"] = n;
    }
    return out;
  }

  develop(v: unknown, p: Path): ServiceConfig["develop"] {
    const d = (isRawMap(v) ? clone(v) : {}) as RawMap;
    if (Array.isArray(d["watch"])) {
      d["watch"] = d["watch"].map((rule, i) => {
        const r = (isRawMap(rule) ? rule : {}) as RawMap;
        const rp = [...p, "watch", i];
        const out = { ...r } as WatchRule & RawMap;
        if (typeof r["path"] === "string") out.path = this.abs(r["path"]);
        if (r["include"] !== undefined) out.include = this.stringList(r["include"]);
        if (r["ignore"] !== undefined) out.ignore = this.stringList(r["ignore"]);
        if (r["initial_sync"] === undefined && r["x-initialSync"] !== undefined) {
          this.warn([...rp, "x-initialSync"], "x-initialSync is deprecated: rename it to initial_sync");
          out.initial_sync = this.bool(r["x-initialSync"], [...rp, "x-initialSync"]) ?? false;
        }
        if (r["initial_sync"] !== undefined) {
          const b = this.bool(r["initial_sync"], [...rp, "initial_sync"]);
          if (b === undefined) delete out.initial_sync;
          else out.initial_sync = b;
        }
        if (isRawMap(r["exec"])) out.exec = this.hook(r["exec"], [...rp, "exec"]) as WatchRule["exec"] & object;
        return out;
      });
    }
    return d as ServiceConfig["develop"];
  }

  hook(h: unknown, p: Path): unknown {
    if (!isRawMap(h)) return clone(h);
    const out = clone(h) as RawMap;
    if (h["command"] !== undefined) out["command"] = this.command(h["command"], [...p, "command"]) ?? [];
    if (h["environment"] !== undefined) out["environment"] = this.mapping(h["environment"], [...p, "environment"], (k) => this.lookup(k));
    if (h["privileged"] !== undefined) out["privileged"] = this.bool(h["privileged"], [...p, "privileged"]);
    if (h["per_replica"] !== undefined) out["per_replica"] = this.bool(h["per_replica"], [...p, "per_replica"]);
    return out;
  }
}

// ---- pure helpers (exported for tests and other spec stages) ----

/** `path.Clean` for POSIX paths: no trailing slash (except "/"), no `.`/`..` segments. */
export function cleanPath(p: string): string {
  if (p === "") return ".";
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith("/") ? n.slice(0, -1) : n;
}

function scalarString(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  return JSON.stringify(v);
}

function clone<T>(v: T): T {
  return v === undefined ? v : (structuredClone(v) as T);
}

/** Put the listed keys first, in that order; the rest keep their order. */
function reorder<T extends object>(o: T, first: readonly string[]): T {
  const out: Record<string, unknown> = {};
  const src = o as Record<string, unknown>;
  for (const k of first) if (k in src && src[k] !== undefined) out[k] = src[k];
  for (const [k, v] of Object.entries(src)) if (!(k in out) && v !== undefined) out[k] = v;
  return out as T;
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

function parsePortNumber(s: string, what: string): number {
  if (!/^\d+$/.test(s)) throw new Error(`${what} ${JSON.stringify(s)} is not a number`);
  return Number.parseInt(s, 10);
}

function parseRange(s: string, what: string): [number, number] {
  const dash = s.indexOf("-");
  if (dash < 0) {
    const n = parsePortNumber(s, what);
    return [n, n];
  }
  const start = parsePortNumber(s.slice(0, dash), what);
  const end = parsePortNumber(s.slice(dash + 1), what);
  if (end < start) throw new Error(`${what} range ${s} ends before it starts`);
  return [start, end];
}

/**
 * Short port syntax `[[IP:](port|range):](port|range)[/proto]` → long entries. A container range
 * expands to one entry per port (host range alongside, same size); a host range for a single
 * container port stays a range in `published`.
 */
export function parsePortSpec(spec: string): PortConfig[] {
  let rest = spec.trim();
  let protocol = "tcp";
  const slash = rest.lastIndexOf("/");
  if (slash >= 0) {
    protocol = rest.slice(slash + 1).toLowerCase();
    rest = rest.slice(0, slash);
    if (!["tcp", "udp", "sctp"].includes(protocol)) throw new Error(`unknown protocol ${JSON.stringify(protocol)}`);
  }
  let hostIp = "";
  let hostPart = "";
  let containerPart: string;
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]");
    if (close < 0) throw new Error("unclosed [ in IPv6 address");
    hostIp = rest.slice(1, close);
    const after = rest.slice(close + 1);
    const parts = after.split(":");
    if (parts.length !== 3 || parts[0] !== "") throw new Error("expected [IP]:HOST:CONTAINER");
    hostPart = parts[1]!;
    containerPart = parts[2]!;
  } else {
    const parts = rest.split(":");
    const n = parts.length;
    containerPart = parts[n - 1]!;
    if (n === 2) hostPart = parts[0]!;
    else if (n === 3) {
      hostIp = parts[0]!;
      hostPart = parts[1]!;
    } else if (n > 3) {
      hostIp = parts.slice(0, n - 2).join(":");
      hostPart = parts[n - 2]!;
    }
  }
  if (containerPart === "") throw new Error("no container port");
  const [start, end] = parseRange(containerPart, "container port");
  let hostStart = 0;
  let hostEnd = 0;
  if (hostPart !== "") {
    [hostStart, hostEnd] = parseRange(hostPart, "host port");
    if (end - start !== hostEnd - hostStart && end !== start) {
      throw new Error(`container range ${containerPart} and host range ${hostPart} have different sizes`);
    }
  }
  const out: PortConfig[] = [];
  for (let i = 0; i <= end - start; i++) {
    const port: PortConfig = { mode: "ingress", target: start + i, protocol: protocol as PortConfig["protocol"] };
    if (hostIp) port.host_ip = hostIp;
    if (hostPart !== "") {
      port.published = start === end && hostStart !== hostEnd ? `${hostStart}-${hostEnd}` : String(hostStart + i);
    }
    out.push(reorder(port, ["mode", "host_ip", "target", "published", "protocol"]));
  }
  return out;
}

const PROPAGATIONS = new Set(["rprivate", "private", "rshared", "shared", "rslave", "slave"]);

function isFilePath(source: string): boolean {
  if (source === "") return false;
  if (source[0] === "." || source[0] === "/" || source[0] === "~") return true;
  if (source.startsWith("\\\\")) return true;
  return /^[a-zA-Z]:/.test(source);
}

/**
 * Short volume syntax `[SOURCE:]TARGET[:OPTIONS]` → a long mount (source left as written; the
 * caller makes bind sources absolute). Throws on empty sections or too many colons.
 */
export function parseVolumeSpec(spec: string): VolumeMount {
  if (spec.length === 0) throw new Error("empty volume spec");
  const sections: string[] = [];
  let buf = "";
  for (let i = 0; i < spec.length; i++) {
    const ch = spec[i]!;
    // A Windows drive letter ("C:") is part of the path, not a separator.
    if (ch === ":" && !(buf.length === 1 && /[a-zA-Z]/.test(buf))) {
      sections.push(buf);
      buf = "";
    } else buf += ch;
  }
  sections.push(buf);
  if (sections.some((s) => s === "")) throw new Error("empty section between colons");
  if (sections.length > 3) throw new Error("too many colons");
  const m = {} as VolumeMount;
  let source = "";
  if (sections.length === 1) m.target = cleanPath(sections[0]!);
  else {
    source = sections[0]!;
    m.target = cleanPath(sections[1]!);
  }
  let readOnly: boolean | undefined;
  let nocopy = false;
  const bind: NonNullable<VolumeMount["bind"]> = {};
  let bindOpts = false;
  for (const opt of sections.length === 3 ? sections[2]!.split(",") : []) {
    if (opt === "ro") readOnly = true;
    else if (opt === "rw") readOnly = false;
    else if (opt === "nocopy") nocopy = true;
    else if (opt === "z" || opt === "Z") {
      bind.selinux = opt;
      bindOpts = true;
    } else if (PROPAGATIONS.has(opt)) {
      bind.propagation = opt;
      bindOpts = true;
    }
    // other options are ignored, as Compose does
  }
  const out = {} as VolumeMount;
  if (isFilePath(source)) {
    out.type = "bind";
    out.source = source;
    out.target = m.target;
    if (readOnly) out.read_only = true;
    out.bind = { ...bind, create_host_path: true };
    if (nocopy) out.volume = { nocopy: true };
  } else {
    out.type = "volume";
    if (source) out.source = source;
    out.target = m.target;
    if (readOnly) out.read_only = true;
    if (bindOpts) out.bind = bind;
    out.volume = nocopy ? { nocopy: true } : {};
  }
  return out;
}

/** Normalize a merged, interpolated, schema-valid raw document into the typed model. Issues go to `ctx.issues`. */
export function normalizeModel(raw: RawMap, ctx: NormalizeContext): ComposeModel {
  return new Normalizer(ctx).model(raw);
}

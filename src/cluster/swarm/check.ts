/**
 * Checks a loaded project against the Swarm column of the capabilities table: every key the files
 * actually use that Swarm cannot take as written gives a warning or a refusal at its
 * file:line:col. Refusals are all collected; `stack deploy` sends nothing while any is left
 * (`assertSwarmReady`). `--ignore KEY` turns a refusal into a warning (the key is then dropped).
 *
 * A few answers depend on the value, not only on the key (the rest come from the column as data):
 * `network_mode: host` is warned (attached to the host network), `build:` without an `image:` is
 * refused unless `--push`, bind mounts and node-local named volumes are warned, `replicas` with a
 * global mode is refused. Pure: no I/O, no engine.
 */
import { ConfigError, type ConfigIssue, type SourceLocation } from "../../errors.js";
import { formatPath, type Locations, type PathSegment } from "../../spec/locations.js";
import type { ComposeModel } from "../../spec/model.js";
import { swarmColumn } from "../capabilities/swarm.js";
import type { Capability, CapabilityColumn } from "../capabilities/types.js";

export interface SwarmCheckOptions {
  /** `--ignore KEY` values: a key path (`privileged`, `services.privileged`, `deploy.resources.reservations.devices`) or one service's key (`web.privileged`). */
  ignore?: readonly string[];
  /** `--push`: services with `build:` are built and pushed, so a missing `image:` is fine. */
  push?: boolean;
}

export interface SwarmCheckResult {
  /** Keys carried over approximately or dropped on purpose (including ignored refusals). */
  warnings: ConfigIssue[];
  /** Keys Swarm cannot take: nothing may be sent while there is one. */
  refusals: ConfigIssue[];
}

export interface CheckInput {
  model: ComposeModel;
  locations?: Locations;
}

const SECTIONS = ["services", "networks", "volumes", "secrets", "configs"] as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The key paths that have sub-keys in the column (their other keys are entry names: depends_on.<svc>, networks.<net>). */
function structuredPaths(column: CapabilityColumn): Set<string> {
  const out = new Set<string>();
  for (const k of Object.keys(column)) {
    const i = k.lastIndexOf(".");
    if (i > 0) out.add(k.slice(0, i));
  }
  return out;
}

interface Use {
  /** Key path, e.g. `services.deploy.resources.limits.cpus`. */
  key: string;
  /** Model path, e.g. ["services", "web", "deploy", "resources", "limits", "cpus"]. */
  path: PathSegment[];
  value: unknown;
}

/** Every key of the model with its key path, parents before children (plain recursion: generators were 3× slower). */
function uses(model: ComposeModel, column: CapabilityColumn): Use[] {
  const structured = structuredPaths(column);
  const out: Use[] = [];
  const walk = (key: string, path: PathSegment[], value: unknown): void => {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) walk(key, [...path, i], value[i]);
      return;
    }
    if (!isObject(value) || !structured.has(key)) return;
    for (const [k, v] of Object.entries(value)) {
      if (k.startsWith("x-")) continue;
      const child = `${key}.${k}`;
      if (column[child] !== undefined) {
        out.push({ key: child, path: [...path, k], value: v });
        walk(child, [...path, k], v);
      } else if (!key.startsWith("services.") || key.split(".").length === 2) {
        // a name-keyed entry (services.web.depends_on.db, services.web.networks.front): same key path below
        walk(key, [...path, k], v);
      }
    }
  };
  for (const section of SECTIONS) {
    for (const [name, entry] of Object.entries(model[section] ?? {})) {
      if (!isObject(entry)) continue;
      for (const [k, v] of Object.entries(entry)) {
        const key = `${section}.${k}`;
        if (column[key] === undefined) continue;
        out.push({ key, path: [section, name, k], value: v });
        walk(key, [section, name, k], v);
      }
    }
  }
  return out;
}

/** `services.deploy.resources` → `deploy.resources` (the spelling users type after --ignore). */
const shortKey = (key: string): string => (key.startsWith("services.") ? key.slice("services.".length) : key);

function ignoredBy(ignore: readonly string[], key: string, path: PathSegment[]): string | undefined {
  const instance = formatPath(path.filter((s) => typeof s === "string"));
  const serviceScoped = path[0] === "services" ? instance.slice("services.".length) : undefined;
  return ignore.find((i) => i === key || i === shortKey(key) || i === instance || (serviceScoped !== undefined && i === serviceScoped));
}

export function checkForSwarm(project: CheckInput, options: SwarmCheckOptions = {}, column: CapabilityColumn = swarmColumn): SwarmCheckResult {
  const { model, locations } = project;
  const ignore = options.ignore ?? [];
  const result: SwarmCheckResult = { warnings: [], refusals: [] };
  const written = (path: PathSegment[]): boolean => locations === undefined || locations.get(path) !== undefined;
  const where = (path: PathSegment[]): SourceLocation | undefined => locations?.find(path);
  /** Model paths already reported: their sub-keys are not reported again. */
  const reported: string[] = [];
  const coveredBy = (p: string): boolean => reported.some((r) => p === r || p.startsWith(`${r}.`) || p.startsWith(`${r}[`));

  const warn = (path: PathSegment[], message: string, hint?: string): void => {
    const loc = where(path);
    result.warnings.push({ code: "CONFIG_INVALID", message, path: formatPath(path), ...(loc ? { location: loc } : {}), ...(hint ? { hint } : {}) });
  };
  const refuse = (key: string, path: PathSegment[], why: string, hint?: string): void => {
    const ignoredAs = ignoredBy(ignore, key, path);
    if (ignoredAs !== undefined) {
      warn(path, `not sent to Swarm (--ignore ${ignoredAs}): ${why}`);
      return;
    }
    const loc = where(path);
    const ignoreHint = `or use --ignore ${shortKey(key)} to drop it knowingly`;
    result.refusals.push({
      code: "CONFIG_INVALID",
      message: `refused for stack deploy: ${why}`,
      path: formatPath(path),
      ...(loc ? { location: loc } : {}),
      hint: hint !== undefined ? `${hint}, ${ignoreHint}` : ignoreHint.replace(/^or /, ""),
    });
  };
  const report = (use: Use, cap: Capability): void => {
    reported.push(formatPath(use.path));
    if (cap.status === "refused") refuse(use.key, use.path, cap.why, cap.hint);
    else if (cap.status === "warned") warn(use.path, `${cap.why}${cap.to ? ` (${cap.to})` : ""}`, cap.hint);
  };

  for (const use of uses(model, column)) {
    if (!written(use.path) || coveredBy(formatPath(use.path))) continue;
    const special = refine(use, model, options, written);
    if (special === "skip") continue;
    const cap = special ?? column[use.key];
    if (cap !== undefined && cap.status !== "mapped") report(use, cap); // uses() yields only the column's keys
  }

  checkValues(model, options, written, warn, refuse);
  return result;
}

/** Value-dependent answers for keys whose column row is only the general case. */
function refine(use: Use, model: ComposeModel, options: SwarmCheckOptions, written: (p: PathSegment[]) => boolean): Capability | "skip" | undefined {
  if (use.key === "services.network_mode" && use.value === "host") {
    return { status: "warned", why: "attached to the Swarm `host` network: the task uses the network stack of the node it runs on", to: "Networks [host]" };
  }
  if (use.key === "services.build") {
    const name = use.path[1] as string;
    const imageWritten = model.services[name]?.image !== undefined && written(["services", name, "image"]);
    if (options.push) return "skip";
    if (!imageWritten) {
      return {
        status: "refused",
        why: "the service has build: but no image:, so the nodes have nothing to pull (stack deploy does not build)",
        hint: "pass --push to build and push it to a registry the nodes reach, or give an image: they can pull",
      };
    }
  }
  return undefined;
}

/** Whole-service checks that are not about one key's presence. */
function checkValues(
  model: ComposeModel,
  options: SwarmCheckOptions,
  written: (p: PathSegment[]) => boolean,
  warn: (path: PathSegment[], message: string, hint?: string) => void,
  refuse: (key: string, path: PathSegment[], why: string, hint?: string) => void,
): void {
  void options;
  for (const [name, svc] of Object.entries(model.services)) {
    const mode = svc.deploy?.mode ?? "replicated";
    if ((mode === "global" || mode === "global-job") && svc.deploy?.replicas !== undefined && written(["services", name, "deploy", "replicas"])) {
      refuse("services.deploy.replicas", ["services", name, "deploy", "replicas"], `replicas cannot be used with mode ${mode} (one task per node)`, "remove replicas, or use mode: replicated");
    }
    (svc.volumes ?? []).forEach((v, i) => {
      const path: PathSegment[] = ["services", name, "volumes", i];
      if (v.type === "bind") {
        warn(path, `bind mount of ${v.source ?? "?"}: a path on whichever node runs the task, not on this machine`, "make sure the path exists on every node the service can be placed on, or use a named volume");
      } else if (v.type === "volume" && v.source !== undefined) {
        const vol = model.volumes[v.source];
        if (vol && !vol.external && vol.driver === undefined) {
          warn(path, `volume ${v.source} is local to each node: tasks on different nodes do not share its data`, "use a volume driver that shares data across nodes, or pin the service with placement constraints");
        }
      } else if (v.type === "npipe" || v.type === "cluster") {
        // sent as such; the engine decides
      }
    });
    const replicas = svc.deploy?.replicas ?? svc.scale ?? 1;
    (svc.ports ?? []).forEach((p, i) => {
      if (p.mode === "host" && mode === "replicated" && replicas > 1) {
        warn(["services", name, "ports", i], `host-mode port ${p.published ?? p.target}: only one task per node can publish it, so ${replicas} replicas need ${replicas} nodes`, "use max_replicas_per_node: 1 with enough nodes, or the ingress mode");
      }
    });
  }
}

/** Throws one ConfigError listing every refusal (nothing is sent). */
export function assertSwarmReady(result: SwarmCheckResult): void {
  if (result.refusals.length > 0) throw new ConfigError(result.refusals);
}

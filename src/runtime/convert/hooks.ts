/** Lifecycle hooks: `post_start` / `pre_stop` (exec in the container) and `pre_start` (init containers). */
import type { ServiceConfig } from "../../spec/model.js";
import type { ContainerCreateSpec, ExecOptions } from "../engine.js";
import { COMPOSE_VERSION, Label } from "../labels.js";
import type { InitHook, ServiceHook } from "./types.js";

/** The hooks of a service (`post_start` or `pre_stop`), skipping malformed entries. */
export function serviceHooks(svc: ServiceConfig, kind: "post_start" | "pre_stop"): ServiceHook[] {
  const raw = svc[kind];
  if (!Array.isArray(raw)) return [];
  return raw.filter((h): h is ServiceHook => h !== null && typeof h === "object" && Array.isArray((h as ServiceHook).command) && (h as ServiceHook).command.length > 0);
}

/** The exec request that runs a hook inside the service's container. */
export function hookExecOptions(hook: ServiceHook): ExecOptions {
  const opts: ExecOptions = { cmd: [...hook.command] };
  if (hook.user) opts.user = hook.user;
  if (hook.privileged !== undefined) opts.privileged = hook.privileged;
  if (hook.working_dir) opts.workingDir = hook.working_dir;
  const env = Object.entries(hook.environment ?? {})
    .filter((e): e is [string, string] => e[1] !== null && e[1] !== undefined)
    .map(([k, v]) => `${k}=${v}`);
  if (env.length > 0) opts.env = env;
  return opts;
}

/** The `pre_start` steps of a service, in order, skipping malformed entries. */
export function preStartHooks(svc: ServiceConfig): InitHook[] {
  const raw = svc["pre_start"];
  if (!Array.isArray(raw)) return [];
  return raw.filter((h): h is InitHook => h !== null && typeof h === "object" && Array.isArray((h as InitHook).command) && (h as InitHook).command.length > 0);
}

/**
 * The create body of one `pre_start` step for a created (not yet started) service container: the
 * hook's image (default: the service's), command, user, working_dir and environment; the service
 * container's mounts, anonymous volumes included (VolumesFrom), and its first network. The
 * service's other networks are connected after create (the `extraNetworks` of its own spec).
 * Ports, aliases and fixed addresses stay with the service container.
 */
export function preStartSpec(hook: InitHook, service: { spec: ContainerCreateSpec; id: string; name: string; service: string; project: string }, index: number): ContainerCreateSpec {
  const networkMode = service.spec.HostConfig?.["NetworkMode"];
  const host: Record<string, unknown> = { VolumesFrom: [service.id] };
  if (typeof networkMode === "string") host["NetworkMode"] = networkMode;
  if (hook.privileged) host["Privileged"] = true;
  const spec: ContainerCreateSpec = {
    name: `${service.name}-pre_start-${index + 1}`,
    Image: hook.image ?? service.spec.Image,
    Cmd: [...hook.command],
    Labels: {
      [Label.project]: service.project,
      [Label.service]: service.service,
      [Label.oneoff]: "True",
      [Label.hook]: "pre_start",
      [Label.version]: COMPOSE_VERSION,
    },
    HostConfig: host,
  };
  if (hook.user) spec.User = hook.user;
  if (hook.working_dir) spec.WorkingDir = hook.working_dir;
  const env = Object.entries(hook.environment ?? {})
    .filter((e): e is [string, string] => e[1] !== null && e[1] !== undefined)
    .map(([k, v]) => `${k}=${v}`);
  if (env.length > 0) spec.Env = env;
  return spec;
}

/**
 * `run`: a one-off container of a service (`<project>-<service>-run-<slug>`, labelled oneoff=True
 * with its slug), created from the service's configuration with the command, entrypoint,
 * environment, user and working directory overridden as asked. Unlike the service's containers it
 * publishes no ports unless asked (`servicePorts`), is not an alias of the service on its networks,
 * and does not restart. Attached, its output is streamed and its exit code returned.
 */
import { randomBytes } from "node:crypto";
import { ServiceError } from "../errors.js";
import type { LoadedProject, PortConfig, ServiceConfig, VolumeMount } from "../spec/model.js";
import { abortError } from "./conditions.js";
import { containerSpec, type ConvertContext } from "./convert.js";
import type { Engine, LogChunk, TtySize } from "./engine.js";
import { createWithSecrets, dropSecretsOf } from "./secrets-volume.js";

export interface OneOffOptions {
  /** Replaces the service's command (and, with `entrypoint`, its entrypoint). */
  command?: string[];
  entrypoint?: string[];
  /** Added to (and overriding) the service's environment. */
  env?: Record<string, string>;
  labels?: Record<string, string>;
  user?: string;
  workdir?: string;
  /** Container name (default `<project>-<service>-run-<slug>`). */
  name?: string;
  /** Publish the service's ports (default: none). */
  servicePorts?: boolean;
  /** Ports to publish (`run -p`), besides the service's with `servicePorts`. */
  publish?: PortConfig[];
  /** Extra mounts (`run -v`); one with the target of a service mount replaces it. */
  volumes?: VolumeMount[];
  capAdd?: string[];
  capDrop?: string[];
  /** Answer to the service's name and aliases on its networks (`--use-aliases`). */
  useAliases?: boolean;
  /** Start and return at once (no output, no exit code). */
  detach?: boolean;
  /** Remove the container once it exited (attached runs). */
  remove?: boolean;
  signal?: AbortSignal;
  /** Where the output of an attached run goes. */
  onOutput?: (chunk: LogChunk) => void;
  /** Allocate a TTY (with `stdin` from a terminal: an interactive shell). */
  tty?: boolean;
  /** With `tty`: its size once started, and a hook receiving a function that resizes it. */
  ttySize?: TtySize;
  onResizable?: (resize: (size: TtySize) => void) => void;
  /** Fed to the command's stdin (attached runs), closed at its end: `run -T app sh < script.sh`. */
  stdin?: AsyncIterable<Buffer | string>;
  /** Called once the container started, before its output (e.g. to close a progress display). */

  onStarted?: () => void | Promise<void>;
}

export interface OneOffResult {
  id: string;
  name: string;
  /** Attached runs: the exit code of the command. */
  exitCode?: number;
}

/** The service as a one-off container sees it. */
export function oneOffService(svc: ServiceConfig, opts: OneOffOptions): ServiceConfig {
  const out: ServiceConfig = { ...svc };
  if (opts.command) out.command = [...opts.command];
  if (opts.entrypoint) {
    out.entrypoint = [...opts.entrypoint];
    // A new entrypoint drops the service's command unless one was given (as with docker run).
    if (!opts.command) delete out.command;
  }
  if (opts.env) out.environment = { ...(svc.environment ?? {}), ...opts.env };
  if (opts.labels) out.labels = { ...(svc.labels ?? {}), ...opts.labels };
  if (opts.user) out.user = opts.user;
  if (opts.workdir) out.working_dir = opts.workdir;
  if (!opts.servicePorts) delete out.ports;
  if (opts.publish && opts.publish.length > 0) out.ports = [...(out.ports ?? []), ...opts.publish];
  if (opts.volumes && opts.volumes.length > 0) {
    const targets = new Set(opts.volumes.map((v) => v.target));
    out.volumes = [...(svc.volumes ?? []).filter((v) => !targets.has(v.target)), ...opts.volumes];
  }
  if (opts.capAdd && opts.capAdd.length > 0) out.cap_add = [...new Set([...(svc.cap_add ?? []), ...opts.capAdd])];
  if (opts.capDrop && opts.capDrop.length > 0) out.cap_drop = [...new Set([...(svc.cap_drop ?? []), ...opts.capDrop])];
  delete out.restart;
  delete out.container_name;
  if (out.deploy?.restart_policy) out.deploy = { ...out.deploy, restart_policy: { condition: "none" } };
  return out;
}

export async function runOneOff(project: LoadedProject, engine: Engine, service: string, opts: OneOffOptions & { resolveContainer?: (s: string) => string | undefined; configHash: string }): Promise<OneOffResult> {
  const model = project.model;
  const svc = oneOffService(model.services[service]!, opts);
  const slug = randomBytes(32).toString("hex");
  const name = opts.name ?? `${model.name}-${service}-run-${slug.slice(0, 12)}`;
  const ctx: ConvertContext = { project, configHash: opts.configHash };
  if (opts.resolveContainer) ctx.resolveContainer = opts.resolveContainer;
  const out = containerSpec(svc, service, { project: model.name, service, number: 1, name, oneoff: true, slug, ...(opts.useAliases ? { useAliases: true } : {}) }, ctx);
  const withStdin = opts.stdin !== undefined && !opts.detach;
  if (withStdin && !engine.attachStdin) throw new ServiceError("CONTAINER_FAILED", service, "this engine cannot pass stdin to a one-off container");
  const spec = { ...out.spec, name, ...(withStdin ? { OpenStdin: true, StdinOnce: true, AttachStdin: true } : {}), ...(opts.tty ? { Tty: true } : {}) };
  // Injected files (secrets, configs from environment/content) are mounted read-only from a volume of their own.
  const { id, secretsVolume } = await createWithSecrets(engine, spec, out.filesToInject, { project: model.name, container: name, oneoff: true });
  const stopFeeding = new AbortController();
  let feeding: Promise<void> = Promise.resolve();
  const removeIt = async (): Promise<void> => {
    const removed = await engine.removeContainer(id, { force: true }).then(
      () => true,
      () => false,
    );
    if (removed) await dropSecretsOf(engine, secretsVolume);
  };
  try {
    for (const n of out.extraNetworks ?? []) await engine.connectNetwork(n.name, id, n.endpoint);
    // Attached before the start, so the command's first read finds the input.
    if (withStdin) {
      feeding = engine.attachStdin!(id, opts.stdin!, stopFeeding.signal);
      feeding.catch(() => {});
    }
    await engine.startContainer(id);
  } catch (err) {
    stopFeeding.abort();
    await removeIt();
    throw err instanceof ServiceError ? err : new ServiceError("CONTAINER_FAILED", service, `cannot start one-off container ${name}: ${err instanceof Error ? err.message : String(err)}`);
  }
  await opts.onStarted?.();
  if (opts.tty && engine.resizeTty) {
    const resize = (size: TtySize): void => void engine.resizeTty!(id, size).catch(() => {});
    if (opts.ttySize) resize(opts.ttySize);
    opts.onResizable?.(resize);
  }
  if (opts.detach) return { id, name };

  const stop = (): void => {
    void engine.stopContainer(id, 0).catch(() => {});
  };
  opts.signal?.addEventListener("abort", stop, { once: true });
  try {
    // The engine keeps the output from the start: following it now loses nothing.
    for await (const chunk of engine.logs(id, { follow: true, stdout: true, stderr: true })) opts.onOutput?.(chunk);
    const exitCode = await engine.waitContainer(id);
    // Exited: stop reading stdin (it may be a pipe that never closes).
    stopFeeding.abort();
    await feeding.catch(() => {});
    if (opts.signal?.aborted) throw abortError();
    return { id, name, exitCode };
  } finally {
    stopFeeding.abort(); // also when following the output failed: never leave stdin being read
    opts.signal?.removeEventListener("abort", stop);
    if (opts.remove) await removeIt();
  }
}

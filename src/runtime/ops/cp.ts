/**
 * `cp`: one side is `SERVICE:PATH` (its container number `index`, default 1), the other a host
 * path; `docker cp`'s rules for where the copy lands.
 */
import { FlotillaError } from "../../errors.js";
import { copyFromContainer, copyToContainer, type CopyOptions } from "../cp.js";
import { containerId, engineOf, type EngineLike, type ProjectRef } from "./project-ref.js";

export interface ServiceCopyOptions extends CopyOptions {
  /** Container number (default 1). */
  index?: number;
}

/** `web:/etc/app.conf` → { service, path }; a host path (no colon before the first slash) → undefined. */
export function splitServicePath(arg: string): { service: string; path: string } | undefined {
  const m = /^([a-zA-Z0-9][a-zA-Z0-9._-]*):(.*)$/.exec(arg);
  if (!m) return undefined;
  return { service: m[1]!, path: m[2] === "" ? "/" : m[2]! };
}

export async function copyFiles(engine: EngineLike, project: ProjectRef, source: string, dest: string, opts: ServiceCopyOptions = {}): Promise<void> {
  const from = splitServicePath(source);
  const to = splitServicePath(dest);
  if ((from === undefined) === (to === undefined)) {
    throw new FlotillaError("USAGE", "cp copies between a service and the host: one of the two paths must be SERVICE:PATH", { hint: "e.g. cp web:/etc/nginx/nginx.conf ./nginx.conf" });
  }
  const connected = await engineOf(engine);
  const { index, ...copy } = opts;
  if (from) await copyFromContainer(connected, await containerId(connected, project, from.service, index ?? 1), from.path, dest, copy);
  else await copyToContainer(connected, await containerId(connected, project, to!.service, index ?? 1), source, to!.path, copy);
}

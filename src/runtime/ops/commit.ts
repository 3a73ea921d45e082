/** `commit` and `export`: a service container's filesystem, as a new image or as a tar stream. */
import type { Readable } from "node:stream";
import { FlotillaError } from "../../errors.js";
import type { CommitOptions } from "../engine.js";
import { containerId, engineOf, type EngineLike, type ProjectRef } from "./project-ref.js";

export interface ServiceCommitOptions extends CommitOptions {
  /** Container number (default 1). */
  index?: number;
}

/** A new image from a service container's changes; resolves with the image id. */
export async function commitService(engine: EngineLike, project: ProjectRef, service: string, opts: ServiceCommitOptions = {}): Promise<string> {
  const { index, ...rest } = opts;
  const connected = await engineOf(engine);
  const commit = connected.commitContainer?.bind(connected);
  if (!commit) throw new FlotillaError("ENGINE", "this engine cannot commit containers");
  return commit(await containerId(connected, project, service, index ?? 1), rest);
}

/** A service container's filesystem as a tar stream. */
export async function exportService(engine: EngineLike, project: ProjectRef, service: string, opts: { index?: number } = {}): Promise<Readable> {
  const connected = await engineOf(engine);
  const exportContainer = connected.exportContainer?.bind(connected);
  if (!exportContainer) throw new FlotillaError("ENGINE", "this engine cannot export containers");
  return exportContainer(await containerId(connected, project, service, opts.index ?? 1));
}

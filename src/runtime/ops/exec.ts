/** `exec`: run a command in a service's container (like `exec -T`). */
import type { ExecOptions, ExecResult } from "../engine.js";
import { containerId, engineOf, type EngineLike, type ProjectRef } from "./project-ref.js";

export type ServiceExecOptions = Omit<ExecOptions, "cmd"> & {
  /** Container number (default 1). */
  index?: number;
  signal?: AbortSignal;
};

export async function execInService(engine: EngineLike, project: ProjectRef, service: string, cmd: string[], opts: ServiceExecOptions = {}): Promise<ExecResult> {
  const { index, signal, ...rest } = opts;
  const connected = await engineOf(engine);
  const id = await containerId(connected, project, service, index ?? 1);
  return connected.exec(id, { ...rest, cmd }, signal);
}

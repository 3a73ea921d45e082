/**
 * `wait`: resolve when the first container of the services stops, with its name and exit code
 * (the others go on running). Containers already stopped count at once.
 */
import { FlotillaError } from "../../errors.js";
import { checkServices, engineOf, serviceContainers, type EngineLike, type ProjectRef } from "./project-ref.js";

export interface WaitOptions {
  signal?: AbortSignal;
}

export async function waitServices(engine: EngineLike, project: ProjectRef, services: string[], opts: WaitOptions = {}): Promise<{ container: string; exitCode: number }> {
  checkServices(project, services);
  const connected = await engineOf(engine);
  // No service named is nothing to wait for (the helper would read it as "all").
  const targets = services.length > 0 ? await serviceContainers(connected, project, services, true) : [];
  if (targets.length === 0) throw new FlotillaError("NO_SUCH_SERVICE", `no containers for service(s): ${services.join(", ")}`, { hint: "create them first with `up`" });
  // Each wait ends when its container stops; the first one decides, the others are cancelled.
  const stop = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
  try {
    return await Promise.any(targets.map(async (c) => ({ container: c.name, exitCode: await connected.waitContainer(c.id, signal) })));
  } catch (err) {
    throw err instanceof AggregateError ? err.errors[0] : err;
  } finally {
    stop.abort();
  }
}

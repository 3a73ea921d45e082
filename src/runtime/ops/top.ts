/** `top`: the processes of each running container of the services (or all). */
import { FlotillaError } from "../../errors.js";
import type { ProcessList } from "../engine.js";
import { Label } from "../labels.js";
import { checkServices, engineOf, serviceContainers, type EngineLike, type ProjectRef } from "./project-ref.js";

export async function serviceProcesses(engine: EngineLike, project: ProjectRef, services?: string[]): Promise<{ container: string; service: string; replica: string; processes: ProcessList }[]> {
  checkServices(project, services);
  const connected = await engineOf(engine);
  const top = connected.top?.bind(connected);
  if (!top) throw new FlotillaError("ENGINE", "this engine cannot list container processes");
  const running = await serviceContainers(connected, project, services, false);
  return Promise.all(
    running.map(async (c) => ({ container: c.name, service: c.labels[Label.service] ?? "", replica: c.labels[Label.containerNumber] ?? "", processes: await top(c.id) })),
  );
}

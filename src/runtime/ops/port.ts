/** `port`: the host port published for a container port of a service. */
import { containerId, engineOf, type EngineLike, type ProjectRef } from "./project-ref.js";

/** Undefined when the port is not published. */
export async function publishedPort(engine: EngineLike, project: ProjectRef, service: string, privatePort: number, protocol: "tcp" | "udp" = "tcp", index = 1): Promise<number | undefined> {
  const connected = await engineOf(engine);
  const d = await connected.inspectContainer(await containerId(connected, project, service, index));
  const b = d?.ports.find((p) => p.privatePort === privatePort && p.protocol === protocol && p.publicPort);
  return b?.publicPort;
}

/** `port`: the host address and port published for a container port of a service. */
import type { ContainerSummary } from "../engine.js";
import { serviceContainer, type EngineLike, type ProjectRef } from "./project-ref.js";

/** A published binding: the host address (`0.0.0.0` when the engine names none) and port. */
export interface PublishedBinding {
  hostIp: string;
  port: number;
}

/**
 * The binding of `privatePort`/`protocol` in a container's list entry: the first published one,
 * IPv4 before IPv6 (the adapter's order), as `docker compose port` prints it. Undefined when the
 * port is not published.
 */
export function bindingOf(container: Pick<ContainerSummary, "ports">, privatePort: number, protocol: "tcp" | "udp"): PublishedBinding | undefined {
  const b = container.ports.find((p) => p.privatePort === privatePort && p.protocol === protocol && p.publicPort);
  return b?.publicPort ? { hostIp: b.hostIp || "0.0.0.0", port: b.publicPort } : undefined;
}

/**
 * The binding of a port of the service's container number `index` (default 1). One engine call:
 * the container list carries the published ports, so no inspect follows it.
 */
export async function publishedBinding(engine: EngineLike, project: ProjectRef, service: string, privatePort: number, protocol: "tcp" | "udp" = "tcp", index = 1): Promise<PublishedBinding | undefined> {
  return bindingOf(await serviceContainer(engine, project, service, index), privatePort, protocol);
}

/** Undefined when the port is not published. */
export async function publishedPort(engine: EngineLike, project: ProjectRef, service: string, privatePort: number, protocol: "tcp" | "udp" = "tcp", index = 1): Promise<number | undefined> {
  return (await publishedBinding(engine, project, service, privatePort, protocol, index))?.port;
}

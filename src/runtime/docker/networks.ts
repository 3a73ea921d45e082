/** Networks: list, inspect, create, remove, connect and disconnect containers. */
import type Docker from "dockerode";
import { setTimeout as sleep } from "node:timers/promises";
import { EngineError } from "../../errors.js";
import type { EndpointSpec, LabelFilter, NetworkCreateSpec, NetworkSummary } from "../engine.js";
import type { DockerContext } from "./context.js";
import { is404, messageOf, statusOf, type CodeFor } from "./errors.js";
import { filtersParam, labelFilters, matchesLabels } from "./filters.js";
import { isInterfaceRaceMessage, isNetworkInUseMessage } from "./podman.js";
import type { NetworkDoc } from "./types.js";

function toNetwork(n: NetworkDoc & { ID?: string }): NetworkSummary {
  const containers: NetworkSummary["containers"] = {};
  for (const [id, c] of Object.entries(n.Containers ?? {})) containers[id] = { name: c?.Name ?? "" };
  const ipam = n.IPAM ?? {};
  return {
    id: n.Id ?? n.ID ?? "",
    name: n.Name ?? "",
    driver: n.Driver ?? "",
    labels: n.Labels ?? {},
    internal: n.Internal === true,
    attachable: n.Attachable === true,
    enableIPv6: n.EnableIPv6 === true,
    ipam: {
      driver: ipam.Driver ?? "default",
      config: (Array.isArray(ipam.Config) ? ipam.Config : []).map((c) => {
        const out: NetworkSummary["ipam"]["config"][number] = {};
        if (c.Subnet) out.subnet = c.Subnet;
        if (c.Gateway) out.gateway = c.Gateway;
        if (c.IPRange) out.ipRange = c.IPRange;
        return out;
      }),
      options: ipam.Options ?? {},
    },
    options: n.Options ?? {},
    containers,
  };
}

/** `name` matches exactly (the engine's name filter matches substrings; we narrow it). */
export async function listNetworks(ctx: DockerContext, filter: { labels?: LabelFilter; name?: string }): Promise<NetworkSummary[]> {
  try {
    const filters: Record<string, string[]> = { label: labelFilters(filter.labels) };
    if (filter.name !== undefined) filters["name"] = [filter.name];
    const list: NetworkDoc[] = await ctx.docker.listNetworks({ filters: filtersParam(filters) });
    return list.map(toNetwork).filter((n) => (filter.name === undefined || n.name === filter.name) && matchesLabels(n.labels, filter.labels));
  } catch (e) {
    throw ctx.fail(e, "cannot list networks");
  }
}

export async function inspectNetwork(ctx: DockerContext, idOrName: string): Promise<NetworkSummary | undefined> {
  try {
    return toNetwork(await ctx.docker.getNetwork(idOrName).inspect());
  } catch (e) {
    if (is404(e)) return undefined;
    throw ctx.fail(e, `cannot inspect network ${idOrName}`);
  }
}

export async function createNetwork(ctx: DockerContext, spec: NetworkCreateSpec): Promise<string> {
  const options: Docker.NetworkCreateOptions = { CheckDuplicate: true, ...spec };
  for (let attempt = 1; ; attempt++) {
    try {
      const n = await ctx.docker.createNetwork(options);
      return n.id;
    } catch (e) {
      // Podman picks a free subnet by reading the host's routes; an interface that vanishes
      // meanwhile (another engine removing a container) fails it: a try later passes.
      if (attempt < 4 && isInterfaceRaceMessage(messageOf(e))) {
        await sleep(100 * attempt);
        continue;
      }
      throw ctx.fail(e, `cannot create network ${spec.Name}`);
    }
  }
}

/** A network that still has endpoints (Docker: 403 "has active endpoints"; Podman: "is being used"). */
const networkInUse: CodeFor = (_status, message) => (isNetworkInUseMessage(message) ? "IN_USE" : undefined);

/** A missing network is fine; one still in use throws IN_USE (see removeNetworkPatiently, which retries it). */
export async function removeNetwork(ctx: DockerContext, idOrName: string): Promise<void> {
  try {
    await ctx.docker.getNetwork(idOrName).remove();
  } catch (e) {
    if (is404(e)) return;
    const f = ctx.fail(e, `cannot remove network ${idOrName}`, networkInUse);
    // Podman says "... has associated containers with it ...: network is being used": say it in
    // Docker's words, so the message reads the same on both engines.
    if (f.code === "IN_USE" && !/active endpoints/i.test(f.message)) {
      const status = statusOf(e);
      throw new EngineError("IN_USE", `cannot remove network ${idOrName}: network has active endpoints (${messageOf(e)})`, {
        ...(status !== undefined ? { statusCode: status } : {}),
        cause: e,
      });
    }
    throw f;
  }
}

export async function connectNetwork(ctx: DockerContext, network: string, containerId: string, endpoint: EndpointSpec): Promise<void> {
  try {
    await ctx.docker.getNetwork(network).connect({ Container: containerId, EndpointConfig: endpoint });
  } catch (e) {
    throw ctx.fail(e, `cannot connect container ${containerId} to network ${network}`);
  }
}

export async function disconnectNetwork(ctx: DockerContext, network: string, containerId: string, force?: boolean): Promise<void> {
  try {
    await ctx.docker.getNetwork(network).disconnect({ Container: containerId, Force: force ?? false });
  } catch (e) {
    throw ctx.fail(e, `cannot disconnect container ${containerId} from network ${network}`);
  }
}

/** The `networks` group: network_mode or the service's networks (the first at create, the others after), links. */
import type { ServiceConfig } from "../../spec/model.js";
import type { EndpointSpec } from "../engine.js";
import type { Converter } from "./converter.js";
import { containerName } from "./labels.js";

/** The networks a service joins, ordered as Compose attaches them: priority (desc), then key. */
export function orderedNetworks(svc: ServiceConfig): string[] {
  const nets = svc.networks ?? {};
  return Object.keys(nets).sort((a, b) => (nets[b]?.priority ?? 0) - (nets[a]?.priority ?? 0) || a.localeCompare(b));
}

export function convertNetworking(c: Converter): void {
  const { svc, service, id, ctx, spec } = c;
  const model = ctx.project.model;
  if (svc.network_mode) {
    c.host.NetworkMode = c.serviceRef("network_mode", svc.network_mode);
    if (svc.networks && Object.keys(svc.networks).length > 0) c.warn("networks", "is ignored because network_mode is set");
  } else {
    const keys = orderedNetworks(svc);
    if (keys.length === 0 && model.networks["default"]) keys.push("default");
    keys.forEach((key, i) => {
      const cfg = svc.networks?.[key] ?? null;
      const netName = model.networks[key]?.name ?? key;
      const ref = ctx.networkId?.(netName) ?? netName;
      const endpoint: EndpointSpec = {};
      const aliases = id.oneoff && !id.useAliases ? [...(cfg?.aliases ?? [])] : [service, ...(cfg?.aliases ?? [])];
      const uniq = [...new Set(aliases)];
      if (uniq.length > 0) endpoint.Aliases = uniq;
      const ipam: NonNullable<EndpointSpec["IPAMConfig"]> = {};
      if (cfg?.ipv4_address) ipam.IPv4Address = cfg.ipv4_address;
      if (cfg?.ipv6_address) ipam.IPv6Address = cfg.ipv6_address;
      if (cfg?.link_local_ips && cfg.link_local_ips.length > 0) ipam.LinkLocalIPs = [...cfg.link_local_ips];
      if (Object.keys(ipam).length > 0) endpoint.IPAMConfig = ipam;
      if (cfg?.mac_address) endpoint.MacAddress = cfg.mac_address;
      if (cfg?.driver_opts && Object.keys(cfg.driver_opts).length > 0) endpoint.DriverOpts = { ...cfg.driver_opts };
      if (cfg?.interface_name) c.warn(`networks.${key}.interface_name`, "is not supported by this engine API and is ignored");
      if (cfg?.gw_priority !== undefined) c.warn(`networks.${key}.gw_priority`, "is not supported by this engine API and is ignored");
      if (i === 0) {
        c.host.NetworkMode = ref;
        spec.NetworkingConfig = { EndpointsConfig: { [ref]: endpoint } };
      } else {
        c.extraNetworks.push({ name: ref, endpoint });
      }
    });
  }
  // links: "svc" or "svc:alias" → "<container>:<alias>"; external_links are container names already.
  const links: string[] = [];
  for (const l of svc.links ?? []) {
    const i = l.indexOf(":");
    const target = i < 0 ? l : l.slice(0, i);
    const alias = i < 0 ? l : l.slice(i + 1);
    const targetSvc = model.services[target];
    const container = ctx.resolveContainer?.(target) ?? (targetSvc ? containerName(model.name, target, 1, targetSvc) : target);
    links.push(`${container}:${alias}`);
  }
  for (const l of svc.external_links ?? []) links.push(l.includes(":") ? l : `${l}:${l}`);
  if (links.length > 0) c.host.Links = links;
}

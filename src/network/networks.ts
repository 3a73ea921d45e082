/**
 * Network and volume create specs from the model. Pure: the executor decides when to create
 * (external resources are never created — callers check `external` first).
 */
import type { NetworkConfig, VolumeConfig } from "../spec/model.js";
import { resourceConfigHash } from "../spec/hash.js";
import type { Engine, NetworkCreateSpec, VolumeCreateSpec } from "../runtime/engine.js";
import { COMPOSE_VERSION, Label } from "../runtime/labels.js";

function nonEmpty<T extends object>(o: T | undefined): o is T {
  return o !== undefined && Object.keys(o).length > 0;
}

/** The create body of a project network: `<key>` is the model key, `net.name` the engine name. */
export function networkSpec(key: string, net: NetworkConfig, project: string): NetworkCreateSpec {
  const spec: NetworkCreateSpec = {
    Name: net.name,
    CheckDuplicate: true,
    Labels: {
      ...(net.labels ?? {}),
      [Label.network]: key,
      [Label.project]: project,
      [Label.version]: COMPOSE_VERSION,
      [Label.configHash]: resourceConfigHash(net),
    },
  };
  if (net.driver) spec.Driver = net.driver;
  if (nonEmpty(net.driver_opts)) spec.Options = { ...net.driver_opts };
  if (net.ipam) {
    const ipam: NonNullable<NetworkCreateSpec["IPAM"]> = {};
    if (net.ipam.driver) ipam.Driver = net.ipam.driver;
    if (net.ipam.config && net.ipam.config.length > 0) {
      ipam.Config = net.ipam.config.map((c) => {
        const out: NonNullable<NonNullable<NetworkCreateSpec["IPAM"]>["Config"]>[number] = {};
        if (c.subnet) out.Subnet = c.subnet;
        if (c.ip_range) out.IPRange = c.ip_range;
        if (c.gateway) out.Gateway = c.gateway;
        if (nonEmpty(c.aux_addresses)) out.AuxiliaryAddresses = { ...c.aux_addresses };
        return out;
      });
    }
    if (nonEmpty(net.ipam.options)) ipam.Options = { ...net.ipam.options };
    if (Object.keys(ipam).length > 0) spec.IPAM = ipam;
  }
  if (net.internal !== undefined) spec.Internal = net.internal;
  if (net.attachable !== undefined) spec.Attachable = net.attachable;
  if (net.enable_ipv6 !== undefined) spec.EnableIPv6 = net.enable_ipv6;
  return spec;
}

/**
 * Remove a network, retrying while the engine still counts endpoints of containers just removed or
 * disconnected (it lags a moment). Resolves false when it was already gone; throws the last error.
 */
/** The engine's "no such …" (404): the resource is already gone. */
export function isNotFound(err: unknown): boolean {
  return (err instanceof Error && /no such|not found/i.test(err.message)) || (err as { statusCode?: number })?.statusCode === 404;
}

export async function removeNetworkPatiently(engine: Pick<Engine, "removeNetwork">, name: string): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    try {
      await engine.removeNetwork(name);
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      if (err instanceof Error && /active endpoints/i.test(err.message) && attempt < 5) {
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
        continue;
      }
      throw err;
    }
  }
}

/** The create body of a project volume. */
export function volumeSpec(key: string, vol: VolumeConfig, project: string): VolumeCreateSpec {
  const spec: VolumeCreateSpec = {
    Name: vol.name,
    Labels: {
      ...(vol.labels ?? {}),
      [Label.volume]: key,
      [Label.project]: project,
      [Label.version]: COMPOSE_VERSION,
      [Label.configHash]: resourceConfigHash(vol),
    },
  };
  if (vol.driver) spec.Driver = vol.driver;
  if (nonEmpty(vol.driver_opts)) spec.DriverOpts = { ...vol.driver_opts };
  return spec;
}

/** Attributes of a network definition the engine cannot honour; one message each. */
export function networkWarnings(key: string, net: NetworkConfig): string[] {
  const out: string[] = [];
  if (net.enable_ipv4 === false) out.push(`network ${key}: enable_ipv4: false is not supported by this engine API and is ignored`);
  return out;
}

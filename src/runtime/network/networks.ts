/**
 * Network and volume create specs from the model (pure: the executor decides when to create;
 * external resources are never created — callers check `external` first), and the one place that
 * removes a network patiently.
 */
import type { NetworkConfig, VolumeConfig } from "../../spec/model.js";
import { resourceConfigHash } from "../../spec/hash.js";
import type { Engine, NetworkCreateSpec, VolumeCreateSpec } from "../engine.js";
import { COMPOSE_VERSION, Label } from "../labels.js";
import { isFlotillaError } from "../../errors.js";
import { setTimeout as sleep } from "node:timers/promises";

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

/** The engine has no such resource (NOT_FOUND): it is already gone. */
export function isNotFound(err: unknown): boolean {
  return isFlotillaError(err) && err.code === "NOT_FOUND";
}

/** The engine still counts users of the resource (IN_USE): a network's endpoints, a mounted volume. */
export function isInUse(err: unknown): boolean {
  return isFlotillaError(err) && err.code === "IN_USE";
}

/**
 * Waits between attempts while a network is still IN_USE: from 10 ms, doubling, 3.27 s in all. The
 * engine usually lets go of a removed container's endpoint within a few milliseconds, so the first
 * retries come quickly; the long tail is for its stale-endpoint bug under parallel load.
 */
export const NETWORK_REMOVAL_BACKOFF_MS: readonly number[] = [10, 20, 40, 80, 160, 320, 640, 1000, 1000];

/**
 * Remove a network, retrying while the engine still counts endpoints of containers just removed or
 * disconnected (it lags a moment, and under parallel load more): a short exponential backoff.
 * Resolves false when it was already gone; throws the last error. `down`, `up`'s recreate and the
 * reaper all remove networks through this.
 */
export async function removeNetworkPatiently(
  engine: Pick<Engine, "removeNetwork">,
  name: string,
  backoffMs: readonly number[] = NETWORK_REMOVAL_BACKOFF_MS,
): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    try {
      await engine.removeNetwork(name);
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      const wait = backoffMs[attempt];
      if (!isInUse(err) || wait === undefined) throw err;
      await sleep(wait);
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

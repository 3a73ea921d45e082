/**
 * Observe what exists for a project, using only Compose's labels (labels are the state):
 * containers grouped by service, the project's networks and volumes, and external resources
 * looked up by name. One list call per resource kind: no per-container inspect, so a no-op
 * `up` of a large project stays cheap.
 */
import type { ComposeModel, ServiceConfig } from "../spec/model.js";
import type { ContainerState, ContainerSummary, Engine, Labels, NetworkSummary, VolumeSummary } from "./engine.js";
import { Label, SecretsLabel } from "./labels.js";
import { CONFIG_LABEL, parseConfigLabel, type StoredConfig } from "./config-label.js";
import type { EventListener } from "../events.js";
import { networksByName, pickKeeper, repairNetworkTwins } from "./network-twins.js";
import { compareText } from "./text-order.js";

/** Flotilla's own label (salted per-key hashes, no values: see config-label.ts). */
export { CONFIG_LABEL, CONFIG_LABEL_MAX } from "./config-label.js";

export type HealthState = "starting" | "healthy" | "unhealthy" | "none";

export interface ObservedContainer {
  id: string;
  name: string;
  service: string;
  /** com.docker.compose.container-number (0 when absent, e.g. one-offs). */
  number: number;
  oneoff: boolean;
  configHash?: string;
  /** com.docker.compose.image (the image id/digest the container was created from, if recorded). */
  imageLabel?: string;
  /** The image id the engine reports for the container. */
  imageId: string;
  image: string;
  state: ContainerState;
  /** Parsed from the engine's status text ("Up 3 seconds (healthy)"). */
  health: HealthState;
  /** Exit code parsed from "Exited (N) …", if exited. */
  exitCode?: number;
  labels: Labels;
  /** What Flotilla's config label says (per-key hashes; or, from an old Flotilla, the whole config). */
  stored?: StoredConfig;
  /** The service config the container was created from: only from an old-format label (values in clear). */
  config?: ServiceConfig;
  /** The secrets volume it mounts its injected files from (see secrets-volume.ts). */
  secretsVolume?: string;
  /** Name looks like `<12 hex>_<name>`: the temporary name of an interrupted recreate. */
  replacing: boolean;
  summary: ContainerSummary;
}

export interface ObservedState {
  project: string;
  containers: ObservedContainer[];
  /** Non-one-off containers by service label, sorted by number. */
  byService: Record<string, ObservedContainer[]>;
  /** Networks by engine name (project-labelled ones plus model networks found by name). */
  networks: Record<string, NetworkSummary>;
  /** Volumes by engine name (project-labelled ones plus model volumes found by name). */
  volumes: Record<string, VolumeSummary>;
  /** The containers' secrets volumes (derived data, not project volumes: see secrets-volume.ts). */
  secretsVolumes?: VolumeSummary[];
}

/** Parse "(healthy)", "(unhealthy)", "(health: starting)" out of an engine status line. */
export function healthFromStatus(status: string): HealthState {
  if (/\(healthy\)/.test(status)) return "healthy";
  if (/\(unhealthy\)/.test(status)) return "unhealthy";
  if (/\(health: starting\)/.test(status)) return "starting";
  return "none";
}

export function exitCodeFromStatus(status: string): number | undefined {
  const m = /^Exited \((-?\d+)\)/.exec(status);
  return m ? Number(m[1]) : undefined;
}

export function toObservedContainer(c: ContainerSummary): ObservedContainer {
  const labels = c.labels ?? {};
  const num = Number(labels[Label.containerNumber] ?? "0");
  const stored = parseConfigLabel(labels[CONFIG_LABEL]);
  const exitCode = exitCodeFromStatus(c.status ?? "");
  const o: ObservedContainer = {
    id: c.id,
    name: c.name,
    service: labels[Label.service] ?? "",
    number: Number.isFinite(num) ? num : 0,
    oneoff: labels[Label.oneoff] === "True",
    imageId: c.imageId,
    image: c.image,
    state: c.state,
    health: healthFromStatus(c.status ?? ""),
    labels,
    replacing: /^[0-9a-f]{12}_/.test(c.name),
    summary: c,
  };
  if (labels[Label.configHash] !== undefined) o.configHash = labels[Label.configHash];
  if (labels[Label.image] !== undefined) o.imageLabel = labels[Label.image];
  if (labels[SecretsLabel.container] !== undefined) o.secretsVolume = labels[SecretsLabel.container];
  if (stored) o.stored = stored;
  if (stored?.format === "legacy") o.config = stored.config;
  if (exitCode !== undefined) o.exitCode = exitCode;
  return o;
}

/** Group containers (excluding one-offs) by service, each list sorted by container number. */
export function groupByService(containers: readonly ObservedContainer[]): Record<string, ObservedContainer[]> {
  const out: Record<string, ObservedContainer[]> = {};
  for (const c of containers) {
    if (c.oneoff) continue;
    (out[c.service] ??= []).push(c);
  }
  for (const list of Object.values(out)) list.sort((a, b) => a.number - b.number || compareText(a.name, b.name));
  return out;
}

export interface ObserveOptions {
  model?: ComposeModel;
  /**
   * Remove the empty same-name twins of the project's networks (see network-twins.ts), saying so
   * through `onEvent`; without it twins are only reported (the in-use one is observed).
   */
  repairNetworks?: boolean;
  onEvent?: EventListener;
}

/** The project's networks by name; same-name twins reduced to the one in use (and repaired if asked). */
async function indexNetworks(engine: Engine, networks: readonly NetworkSummary[], options: ObserveOptions): Promise<Record<string, NetworkSummary>> {
  const out: Record<string, NetworkSummary> = {};
  for (const [name, twins] of networksByName(networks)) {
    if (twins.length === 1) out[name] = twins[0]!;
    else if (options.repairNetworks) {
      const kept = await repairNetworkTwins(engine, name, options.onEvent, twins);
      if (kept) out[name] = kept;
    } else {
      options.onEvent?.({ type: "warning", message: `network ${name}: ${twins.length} networks have this name (up repairs it)` });
      out[name] = pickKeeper(twins);
    }
  }
  return out;
}

/**
 * Read the project's state from the engine. With a model, networks and volumes it names
 * (external ones, and ones with an explicit `name:` that may lack our labels) are also looked up by name.
 */
export async function observeProject(engine: Engine, projectName: string, options: ObserveOptions = {}): Promise<ObservedState> {
  const byProject = { [Label.project]: projectName };
  const [containers, networks, volumes] = await Promise.all([
    engine.listContainers({ labels: byProject, all: true }),
    engine.listNetworks({ labels: byProject }),
    engine.listVolumes({ labels: byProject }),
  ]);
  const state: ObservedState = {
    project: projectName,
    containers: containers.map(toObservedContainer),
    byService: {},
    networks: {},
    volumes: {},
  };
  state.byService = groupByService(state.containers);
  state.networks = await indexNetworks(engine, networks, options);
  for (const v of volumes) {
    if (v.labels[SecretsLabel.volume] === undefined) state.volumes[v.name] = v;
    else (state.secretsVolumes ??= []).push(v);
  }

  const model = options.model;
  if (model) {
    const lookups: Promise<void>[] = [];
    for (const net of Object.values(model.networks ?? {})) {
      if (!net?.name || state.networks[net.name]) continue;
      lookups.push(
        engine.inspectNetwork(net.name).then((found) => {
          if (found) state.networks[net.name] = found;
        }),
      );
    }
    for (const vol of Object.values(model.volumes ?? {})) {
      if (!vol?.name || state.volumes[vol.name]) continue;
      lookups.push(
        engine.inspectVolume(vol.name).then((found) => {
          if (found) state.volumes[vol.name] = found;
        }),
      );
    }
    await Promise.all(lookups);
  }
  return state;
}

/** An empty observation (nothing exists yet): handy for dry runs and tests. */
export function emptyObservedState(project: string): ObservedState {
  return { project, containers: [], byService: {}, networks: {}, volumes: {} };
}

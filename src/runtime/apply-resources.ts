/**
 * The first step of applying an `up` plan: orphans removed (if asked), networks and volumes
 * created (or, a network whose definition changed, recreated), all in parallel.
 */
import type { LoadedProject } from "../spec/model.js";
import { networkSpec, removeNetworkPatiently, volumeSpec } from "./network/networks.js";
import type { EventListener } from "../events.js";
import type { Engine } from "./engine.js";
import { Label } from "./labels.js";
import { repairNetworkTwins } from "./network-twins.js";
import type { Plan } from "./plan.js";
import type { ResourceReporter } from "./report.js";
import { dropSecretsOf } from "./secrets-volume.js";

interface ResourceStep {
  engine: Engine;
  project: LoadedProject;
  plan: Plan;
  /** Stop timeout (seconds) for the containers stopped here. */
  timeout: number | undefined;
  limit: <T>(job: () => Promise<T>) => Promise<T>;
  res: ResourceReporter;
  /** Where the twin-network repair line goes. */
  emit?: EventListener;
}

/**
 * Every job of the step runs to its end; the first failure is then thrown. Resolves with the engine
 * id of each project network by name (existing ones from the plan, created ones as made): containers attach by id.
 */
export async function applyResources(step: ResourceStep): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const a of step.plan.networks) if (a.id) ids.set(a.target, a.id);
  const jobs = [...removeOrphans(step), ...createNetworks(step, ids), ...createVolumes(step)];
  const failure = (await Promise.allSettled(jobs)).find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failure) throw failure.reason;
  return ids;
}

function removeOrphans({ engine, plan, timeout, limit, res }: ResourceStep): Promise<void>[] {
  const jobs: Promise<void>[] = [];
  for (const o of plan.orphans) {
    if (o.kind !== "remove" || !o.containerId) continue;
    const id = o.containerId;
    jobs.push(
      limit(async () => {
        res("container", o.target, "Stopping", o.service);
        await engine.stopContainer(id, timeout);
        res("container", o.target, "Removing", o.service);
        await engine.removeContainer(id, { force: true });
        await dropSecretsOf(engine, o.secretsVolume);
        res("container", o.target, "Removed", o.service);
      }),
    );
  }
  return jobs;
}

function createNetworks({ engine, project, plan, timeout, limit, res, emit: onEvent }: ResourceStep, ids: Map<string, string>): Promise<void>[] {
  const model = project.model;
  const jobs: Promise<void>[] = [];
  for (const a of plan.networks) {
    if (a.kind === "recreate") {
      jobs.push(limit(async () => void ids.set(a.target, await recreateNetwork(engine, model.name, a, networkSpec(a.key, model.networks[a.key]!, model.name), timeout, res))));
      continue;
    }
    if (a.kind !== "create") continue;
    const net = model.networks[a.key]!;
    jobs.push(
      limit(async () => {
        res("network", a.target, "Creating");
        let id: string | undefined;
        try {
          id = await engine.createNetwork(networkSpec(a.key, net, model.name));
        } catch (err) {
          // Created meanwhile by someone else: fine.
          if ((await engine.listNetworks({ name: a.target })).every((n) => n.name !== a.target)) throw err;
        }
        // The engine's duplicate check races (a command without the lock, Compose): a twin made at
        // the same time is removed here, every racer keeping the same one — and attaching to it.
        id = (await repairNetworkTwins(engine, a.target, onEvent))?.id ?? id;
        if (id) ids.set(a.target, id);
        res("network", a.target, "Created");
      }),
    );
  }
  return jobs;
}

function createVolumes({ engine, project, plan, limit, res }: ResourceStep): Promise<void>[] {
  const model = project.model;
  const jobs: Promise<void>[] = [];
  for (const a of plan.volumes) {
    if (a.kind !== "create") continue;
    const vol = model.volumes[a.key]!;
    jobs.push(
      limit(async () => {
        res("volume", a.target, "Creating");
        await engine.createVolume(volumeSpec(a.key, vol, model.name));
        res("volume", a.target, "Created");
      }),
    );
  }
  return jobs;
}

/**
 * Replace a network whose definition changed, as Compose does: the project's service containers on
 * it are stopped (the plan recreates them), everything on it is disconnected, then it is removed
 * and created again from the file.
 */
async function recreateNetwork(
  engine: Engine,
  project: string,
  a: { target: string; reason: string },
  spec: Parameters<Engine["createNetwork"]>[0],
  timeout: number | undefined,
  res: ResourceReporter,
): Promise<string> {
  res("network", a.target, "Recreate", undefined, a.reason);
  const attached = Object.keys((await engine.inspectNetwork(a.target))?.containers ?? {});
  const ours = new Map((await engine.listContainers({ labels: { [Label.project]: project }, all: true })).map((c) => [c.id, c]));
  for (const id of attached) {
    const c = ours.get(id);
    // one-off and foreign containers keep running, only off this network
    if (c && c.labels[Label.oneoff] !== "True" && c.state !== "exited" && c.state !== "created") await engine.stopContainer(id, timeout);
    await engine.disconnectNetwork(a.target, id, true).catch(() => {});
  }
  await removeNetworkPatiently(engine, a.target);
  const id = await engine.createNetwork(spec);
  res("network", a.target, "Recreated");
  return id;
}

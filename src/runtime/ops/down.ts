/**
 * `down`: stop and remove the project's containers (reverse dependency order), then its networks,
 * (with `volumes`) the named volumes its file declares, (with `rmi`) its images. Everything is found
 * by the project label, so down works after the file changed or without a file.
 */
import { limiter } from "../../graph/scheduler.js";
import type { LoadedProject } from "../../spec/model.js";
import { isNotFound, removeNetworkPatiently } from "../network/networks.js";
import type { Engine } from "../engine.js";
import { imageName } from "../images.js";
import { Label } from "../labels.js";
import type { ObservedContainer } from "../observe.js";
import type { DownOptions } from "../options.js";
import type { ResourceReporter } from "../report.js";
import { emitter, graphFor, isActive, listProject, selectServices, walkContainers } from "./lifecycle.js";
import { modelOption, type EngineLike, type ProjectRef } from "./project-ref.js";
import { dropSecretsOf, leftoverSecretsVolumes, listSecretsVolumes, removeSecretsVolumes } from "../secrets-volume.js";
import { locked } from "./locked.js";
import { stopContainerWithHooks } from "./stop.js";

export interface DownResult {
  containers: string[];
  networks: string[];
  volumes: string[];
  images: string[];
  warnings: string[];
}

type DownRunOptions = DownOptions & { project?: LoadedProject };

/** One `down` in progress: what it was asked, what it removed, how it reports. */
interface DownRun {
  engine: Engine;
  projectName: string;
  opts: DownRunOptions;
  project: LoadedProject | undefined;
  result: DownResult;
  res: ResourceReporter;
  warn: (message: string) => void;
  emitInfo: (message: string) => void;
  /** Ids of the networks down tried to remove (a same-name twin made meanwhile has another id). */
  triedNetworks: Set<string>;
  limit: <T>(job: () => Promise<T>) => Promise<T>;
}

/** `down`: stop and remove containers, then networks, (with volumes:true) named volumes, (with rmi) images. */
export async function downProject(engine: Engine, projectName: string, opts: DownRunOptions = {}): Promise<DownResult> {
  const { emit, res } = emitter(opts.onEvent);
  const result: DownResult = { containers: [], networks: [], volumes: [], images: [], warnings: [] };
  const warn = (message: string): void => {
    result.warnings.push(message);
    emit({ type: "warning", message });
  };
  const emitInfo = (message: string): void => emit({ type: "info", message });
  const run: DownRun = { engine, projectName, opts, project: opts.project, result, res, warn, emitInfo, triedNetworks: new Set(), limit: limiter(Math.max(1, opts.parallel ?? 4)) };
  const whole = !opts.services || opts.services.length === 0;
  // The networks are listed with the containers, so each can go as soon as its last container is gone.
  const [all, early, secrets] = await Promise.all([
    listProject(engine, projectName),
    whole && !opts.dryRun ? listResources(run) : undefined,
    whole && !opts.dryRun ? listSecretsVolumes(engine, projectName).catch(() => []) : [],
  ]);
  const containers = withoutOrphans(run, selectServices(all, opts.services));
  if (opts.dryRun) {
    result.containers = containers.map((c) => c.name);
    if (opts.services && opts.services.length > 0) return result;
    const [networks, volumes] = await listResources(run);
    await Promise.all([...removeNetworks(run, networks), ...removeVolumes(run, volumes), ...(opts.rmi ? removeImages(run, imagesToRemove(projectName, all, run.project, opts.rmi)) : [])]);
    return result;
  }
  // With services named, only their containers go (networks/volumes may still be in use).
  if (!early) {
    await removeContainers(run, containers);
    await removeLateContainers(run, 0);
    return result;
  }
  const [networks, volumes] = early;
  const networkJobs: Promise<void>[] = [];
  await removeContainers(run, containers, networkReleaser(run, networks, all, containers, networkJobs));
  await Promise.all([...networkJobs, ...removeNetworks(run, networks.filter((n) => !run.triedNetworks.has(n.id))), ...removeVolumes(run, volumes), ...(opts.rmi ? removeImages(run, imagesToRemove(projectName, all, run.project, opts.rmi)) : [])]);
  // Something of the project made meanwhile (a concurrent up): list again until nothing is left.
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const [late, listed] = await Promise.all([removeLateContainers(run, round), engine.listNetworks({ labels: { [Label.project]: projectName } })]);
    // A container that appeared may have brought networks: list them again after removing it.
    const current = late > 0 ? await engine.listNetworks({ labels: { [Label.project]: projectName } }) : listed;
    const left = removableNetworks(run, current).filter((n) => !run.triedNetworks.has(n.id) || late > 0);
    if (late === 0 && left.length === 0) break;
    if (left.length > 0) await Promise.all(removeNetworks(run, left));
  }
  // Secrets volumes no container names now (the removed ones' went with them; this is what an
  // interrupted command left). Derived data: removed silently, with or without --volumes.
  const gone = new Set(result.containers);
  const dropped = new Set(all.filter((c) => gone.has(c.name)).map((c) => c.secretsVolume));
  const candidates = secrets.filter((v) => !dropped.has(v.name));
  if (candidates.length > 0) await removeSecretsVolumes(engine, leftoverSecretsVolumes(candidates, await listProject(engine, projectName), { oneoffs: true }));
  return result;
}

/** How many times down lists the project again after its first pass. */
const MAX_ROUNDS = 5;

function listResources(run: DownRun) {
  const byProject = { [Label.project]: run.projectName };
  return Promise.all([run.engine.listNetworks({ labels: byProject }), run.opts.volumes ? run.engine.listVolumes({ labels: byProject }) : Promise.resolve([])]);
}

/** List the project's containers again; those that appeared since (a concurrent up) are removed too, saying so. */
async function removeLateContainers(run: DownRun, round: number): Promise<number> {
  const again = selectServices(await listProject(run.engine, run.projectName), run.opts.services);
  const known = run.project ? new Set([...Object.keys(run.project.model.services), ...Object.keys(run.project.disabledServices)]) : undefined;
  const late = again.filter((c) => run.opts.removeOrphans || !known || (known.has(c.service) && !(c.oneoff && c.labels[Label.hook] === undefined)));
  if (late.length === 0) return 0;
  run.emitInfo(`down: ${late.length} container(s) appeared while removing the project (${late.map((c) => c.name).join(", ")}): removing them too${round > 1 ? ` (pass ${round})` : ""}`);
  await removeContainers(run, late);
  return late.length;
}

/** Project.down. */
export async function downServices(engine: EngineLike, project: ProjectRef, opts: DownOptions = {}): Promise<DownResult> {
  return locked(engine, project, "down", opts, (connected) => downProject(connected, project.name, { ...opts, ...modelOption(project) }));
}

/**
 * The containers down removes: with the model at hand, orphans (services no longer in the file,
 * one-offs) are kept and named in a warning unless `removeOrphans`; a leftover pre_start hook
 * container always goes.
 */
function withoutOrphans(run: DownRun, containers: ObservedContainer[]): ObservedContainer[] {
  const { project, opts } = run;
  if (!project) return containers;
  const known = new Set([...Object.keys(project.model.services), ...Object.keys(project.disabledServices)]);
  const orphans = containers.filter((c) => !known.has(c.service) || (c.oneoff && c.labels[Label.hook] === undefined));
  if (opts.removeOrphans || orphans.length === 0) return containers;
  if (!opts.ignoreOrphans) {
    run.warn(
      `Found orphan containers ([${orphans.map((c) => c.name).join(", ")}]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.`,
    );
  }
  return containers.filter((c) => !orphans.includes(c));
}

const ANONYMOUS_VOLUME = /^[0-9a-f]{64}$/;

async function anonymousVolumesOf(engine: Engine, id: string): Promise<string[]> {
  const d = await engine.inspectContainer(id);
  return (d?.mounts ?? []).filter((m) => m.type === "volume" && m.name !== undefined && ANONYMOUS_VOLUME.test(m.name)).map((m) => m.name!);
}

type NetworkSummaryLike = { id: string; name: string; labels: Readonly<Record<string, string>> };

/**
 * A callback for each removed container that starts removing a network once the last of the
 * containers being removed that were attached to it is gone (jobs collected in `jobs`). A network
 * that a container down keeps (an orphan) is attached to waits for the end, as do networks no
 * container is attached to. Container networks are known from the first list (by name).
 */
function networkReleaser(run: DownRun, networks: readonly NetworkSummaryLike[], all: readonly ObservedContainer[], removing: readonly ObservedContainer[], jobs: Promise<void>[]): (c: ObservedContainer) => void {
  const gone = new Set(removing.map((c) => c.id));
  const kept = new Set(all.filter((c) => !gone.has(c.id)).flatMap((c) => c.summary.networks));
  const byName = new Map(removableNetworks(run, networks).filter((n) => !kept.has(n.name)).map((n) => [n.name, n]));
  const attached = new Map<string, number>();
  for (const c of removing) for (const n of c.summary.networks) if (byName.has(n)) attached.set(n, (attached.get(n) ?? 0) + 1);
  return (c) => {
    for (const n of c.summary.networks) {
      const left = attached.get(n);
      if (left === undefined) continue;
      attached.set(n, left - 1);
      if (left === 1) jobs.push(...removeNetworks(run, [byName.get(n)!]));
    }
  };
}

/**
 * Stop the containers in reverse dependency order and remove each once it stopped. Only the stops
 * need the order (a dependency keeps running until its dependents have stopped): each removal is
 * queued once its container has stopped, so the walk moves on to the dependencies while removals
 * fill the gaps between its steps.
 */
async function removeContainers(run: DownRun, containers: ObservedContainer[], removed?: (c: ObservedContainer) => void): Promise<void> {
  const { engine, opts, res, result } = run;
  const graph = graphFor(containers, run.project);
  const removeLimit = limiter(Math.max(1, opts.parallel ?? 4));
  const removals: Promise<void>[] = [];
  const remove = async (c: ObservedContainer): Promise<void> => {
    res("container", c.name, "Removing", c.service);
    // An anonymous volume a recreate handed over is mounted by name, so the engine's `volumes`
    // flag no longer removes it: with -v, remove the container's anonymous volumes explicitly.
    const anonymous = opts.volumes ? await anonymousVolumesOf(engine, c.id) : [];
    await engine.removeContainer(c.id, { force: true, volumes: !!opts.volumes });
    for (const v of anonymous) await engine.removeVolume(v).catch(() => {});
    res("container", c.name, "Removed", c.service);
    result.containers.push(c.name);
    removed?.(c);
    // (after the network release above: the two removals overlap)
    await dropSecretsOf(engine, c.labels);
  };
  const walked = walkContainers(containers, graph, "down", opts, async (c) => {
    if (isActive(c)) {
      res("container", c.name, "Stopping", c.service);
      await stopContainerWithHooks(engine, c, { project: run.project, timeout: opts.timeout, signal: opts.signal }, run.warn);
      res("container", c.name, "Stopped", c.service);
    }
    removals.push(removeLimit(() => remove(c)));
  });
  const outcome = await Promise.allSettled([walked]);
  // Every queued removal has finished (or failed) before down reports anything.
  const failed = [...outcome, ...(await Promise.allSettled(removals))].find((o): o is PromiseRejectedResult => o.status === "rejected");
  if (failed) throw failed.reason;
}

/** The project's own networks (not external ones), each removed patiently; one still in use is a warning. */
function removableNetworks<N extends { name: string; labels: Readonly<Record<string, string>> }>(run: DownRun, networks: readonly N[]): N[] {
  const external = new Set(Object.values(run.project?.model.networks ?? {}).filter((n) => n?.external).map((n) => n.name));
  return networks.filter((n) => !external.has(n.name) && n.labels[Label.network] !== undefined);
}

function removeNetworks(run: DownRun, networks: readonly { id: string; name: string; labels: Readonly<Record<string, string>> }[]): Promise<void>[] {
  const { engine, opts, res, result } = run;
  return removableNetworks(run, networks)
    .map((n) =>
      run.limit(async () => {
        run.triedNetworks.add(n.id);
        res("network", n.name, "Removing");
        if (opts.dryRun) return;
        try {
          if (!(await removeNetworkPatiently(engine, n.id || n.name))) return;
          res("network", n.name, "Removed");
          if (!result.networks.includes(n.name)) result.networks.push(n.name);
        } catch (err) {
          res("network", n.name, "Warning", undefined, "still in use");
          run.warn(`network ${n.name}: not removed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }),
    );
}

/**
 * The project's named volumes (listed only with `volumes`). With the file at hand, only the volumes
 * it declares go, as Compose does; a labelled volume the file no longer has is kept (its data may
 * still be wanted) and named.
 */
function removeVolumes(run: DownRun, volumes: readonly { name: string; labels: Readonly<Record<string, string>> }[]): Promise<void>[] {
  const { engine, opts, res, result } = run;
  const external = new Set(Object.values(run.project?.model.volumes ?? {}).filter((v) => v?.external).map((v) => v.name));
  const declared = run.project ? new Set(Object.values(run.project.model.volumes ?? {}).filter((v) => v && !v.external).map((v) => v.name)) : undefined;
  const jobs: Promise<void>[] = [];
  for (const v of volumes) {
    if (external.has(v.name) || v.labels[Label.volume] === undefined) continue;
    if (declared && !declared.has(v.name)) {
      run.warn(`volume ${v.name} belongs to the project but is no longer in the file: kept (remove it with docker volume rm ${v.name})`);
      continue;
    }
    jobs.push(
      run.limit(async () => {
        res("volume", v.name, "Removing");
        if (opts.dryRun) return;
        try {
          await engine.removeVolume(v.name);
          res("volume", v.name, "Removed");
          result.volumes.push(v.name);
        } catch (err) {
          if (isNotFound(err)) return;
          run.warn(`volume ${v.name}: not removed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }),
    );
  }
  return jobs;
}

/** `--rmi`: remove the images; one already gone is no warning. */
function removeImages(run: DownRun, refs: readonly string[]): Promise<void>[] {
  const { engine, opts, res, result } = run;
  return refs.map((ref) =>
    run.limit(async () => {
      res("image", ref, "Removing");
      if (opts.dryRun) return;
      try {
        await engine.removeImage(ref);
        res("image", ref, "Removed");
        result.images.push(ref);
      } catch (err) {
        if (isNotFound(err)) return;
        run.warn(`image ${ref}: not removed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }),
  );
}

/** Images for `down --rmi`: local = built for services without `image:`; all = every service image. */
export function imagesToRemove(projectName: string, containers: readonly ObservedContainer[], project: LoadedProject | undefined, mode: "local" | "all"): string[] {
  const out = new Set<string>();
  if (project) {
    for (const [s, svc] of Object.entries(project.model.services)) {
      if (mode === "local" && svc.image) continue;
      out.add(imageName(projectName, s, svc));
    }
  } else {
    for (const c of containers) {
      const isLocal = c.image === `${projectName}-${c.service}` || c.image === `${projectName}-${c.service}:latest`;
      if (mode === "local" && !isLocal) continue;
      out.add(c.image);
    }
  }
  return [...out].sort();
}

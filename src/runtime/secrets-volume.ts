/**
 * Files a container is given from memory (secrets and configs taken from `environment:` or inline
 * `content:`, registry credentials) live on a small volume of their own, one per container, and
 * each is bind-mounted READ-ONLY at its target: root in the container cannot change them (a file
 * written into the container's own layer could be). The volume is:
 *
 * - named `<project>_<container>_secrets_<random>` (never derived from the content: a hash of a
 *   short secret is guessable) and labelled with the project and the container it serves; the
 *   container carries the volume's name in `io.flotilla.secrets-volume`, which is what ties them;
 * - filled before the container exists, through a helper container that is created (never
 *   started) from the service's own image with the volume mounted, then removed: the engine
 *   extracts the tar (with its mode, uid and gid) into the volume;
 * - mounted by path: each file's bind source is `<volume Mountpoint>/<file>`, a path on the
 *   engine's host, where bind sources resolve (so a remote engine works too);
 * - removed with its container (recreate, scale down, orphans, rm, down, run --rm); one left by an
 *   interrupted command (no container names it) is removed by the next `up` or `down`.
 *
 * It is derived data, not user data: it is never listed or reported as a project volume.
 */
import { randomBytes } from "node:crypto";
import { EngineError, FlotillaError } from "../errors.js";
import type { ContainerCreateSpec, Engine, Labels, VolumeSummary } from "./engine.js";
import type { FileToInject } from "./convert/types.js";
import { tarFiles } from "./hooks.js";
import { Label, SecretsLabel } from "./labels.js";

const SECRETS_LABEL = SecretsLabel.volume;
const SECRETS_ONEOFF_LABEL = SecretsLabel.oneoff;
const SECRETS_VOLUME_LABEL = SecretsLabel.container;
const SECRETS_FILL_LABEL = SecretsLabel.fill;

/** Where the helper container mounts the volume (a path no image is expected to have). */
const FILL_PATH = "/.flotilla-secrets";

export interface SecretsOwner {
  project: string;
  /** The name the container will have (a recreate's final name, not its temporary one). */
  container: string;
  oneoff?: boolean;
}

/** Whether a volume is a secrets volume (not a project volume a user declared). */
export function isSecretsVolume(v: { labels: Readonly<Labels> }): boolean {
  return v.labels[SECRETS_LABEL] !== undefined;
}

/** The secrets volume a container mounts, from its labels. */
export function secretsVolumeOf(labels: Readonly<Labels> | undefined): string | undefined {
  return labels?.[SECRETS_VOLUME_LABEL];
}

/** A fresh volume name: readable, unique, and saying nothing about the content. */
export function secretsVolumeName(owner: SecretsOwner): string {
  return `${owner.project}_${owner.container}_secrets_${randomBytes(4).toString("hex")}`;
}

/** The file's name on the volume: its index and the target's base name (unique, and readable in `inspect`). */
function fileName(f: FileToInject, index: number): string {
  const base = f.containerPath.slice(f.containerPath.lastIndexOf("/") + 1).replace(/[^A-Za-z0-9._-]/g, "_");
  return `${index}-${base || "file"}`;
}

/**
 * Create the container of `spec` with its injected files on a fresh secrets volume, each mounted
 * read-only at its target (no files: a plain create). A failed create removes the volume again.
 * Resolves with the container's id and the volume's name.
 */
export async function createWithSecrets(engine: Engine, spec: ContainerCreateSpec, files: readonly FileToInject[] | undefined, owner: SecretsOwner): Promise<{ id: string; secretsVolume?: string }> {
  if (!files || files.length === 0) return { id: await engine.createContainer(spec) };
  const { volume, helperGone } = await fillSecretsVolume(engine, spec, files, owner);
  try {
    // The helper's removal overlaps the container's creation (which does not need it gone).
    const [id] = await Promise.all([engine.createContainer(withSecretMounts(spec, volume, files)), helperGone]);
    return { id, secretsVolume: volume.name };
  } catch (err) {
    await helperGone;
    await removeSecretsVolume(engine, volume.name).catch(() => {});
    throw err;
  }
}

/** The create body with the volume's files bind-mounted read-only and the volume named in a label. */
function withSecretMounts(spec: ContainerCreateSpec, volume: VolumeSummary, files: readonly FileToInject[]): ContainerCreateSpec {
  const mounts = [...((spec.HostConfig["Mounts"] as unknown[] | undefined) ?? [])];
  files.forEach((f, i) => mounts.push({ Type: "bind", Source: `${volume.mountpoint}/${fileName(f, i)}`, Target: f.containerPath, ReadOnly: true }));
  return { ...spec, Labels: { ...(spec.Labels ?? {}), [SECRETS_VOLUME_LABEL]: volume.name }, HostConfig: { ...spec.HostConfig, Mounts: mounts } };
}

/** The helper container that fills a volume: the service's image (present), never started, no network. */
function helperSpec(spec: ContainerCreateSpec, volume: string): ContainerCreateSpec {
  return {
    name: `${volume}-fill`,
    ...(spec.platform ? { platform: spec.platform } : {}),
    Image: spec.Image,
    // Never started: the entrypoint need not exist (create does not look for it).
    Entrypoint: [`${FILL_PATH}/none`],
    Cmd: [],
    Labels: { [SECRETS_FILL_LABEL]: volume },
    HostConfig: { NetworkMode: "none", Mounts: [{ Type: "volume", Source: volume, Target: FILL_PATH, VolumeOptions: { NoCopy: true } }] },
  };
}

/**
 * Create the volume and fill it through a helper container that is never started. Resolves once
 * the files are in, with the helper's removal under way (`helperGone` never rejects: a helper that
 * outlives it holds the volume, and removing the volume removes it first).
 */
async function fillSecretsVolume(engine: Engine, spec: ContainerCreateSpec, files: readonly FileToInject[], owner: SecretsOwner): Promise<{ volume: VolumeSummary; helperGone: Promise<void> }> {
  const name = secretsVolumeName(owner);
  const labels: Labels = { [Label.project]: owner.project, [SECRETS_LABEL]: owner.container };
  if (owner.oneoff) labels[SECRETS_ONEOFF_LABEL] = "True";
  await engine.createVolume({ Name: name, Driver: "local", Labels: labels });
  let helperGone: Promise<void> = Promise.resolve();
  try {
    const [helper, volume] = await Promise.all([engine.createContainer(helperSpec(spec, name)), engine.inspectVolume(name)]);
    try {
      await engine.putArchive(helper, FILL_PATH, await tarFiles(files.map((f, i) => ({ ...f, containerPath: fileName(f, i) }))));
    } finally {
      helperGone = engine.removeContainer(helper, { force: true }).catch(() => {});
    }
    if (!volume?.mountpoint) throw new EngineError("ENGINE", `volume ${name} was created but the engine reports no mount point for it: its files cannot be mounted`, { hint: "secrets and configs from environment: or content: need a volume driver with a local mount point (the engine's local driver)" });
    return { volume, helperGone };
  } catch (err) {
    await helperGone;
    await removeSecretsVolume(engine, name).catch(() => {});
    throw err;
  }
}

/**
 * Remove a secrets volume (gone already: fine). A helper container left by an interrupted fill
 * holds it: that helper is removed first.
 */
export async function removeSecretsVolume(engine: Engine, name: string): Promise<void> {
  try {
    await engine.removeVolume(name);
  } catch (err) {
    if (!(err instanceof FlotillaError && err.code === "IN_USE")) throw err;
    const helpers = await engine.listContainers({ labels: { [SECRETS_FILL_LABEL]: name }, all: true });
    if (helpers.length === 0) throw err;
    for (const h of helpers) await engine.removeContainer(h.id, { force: true });
    await engine.removeVolume(name);
  }
}

/** After a container was removed: its secrets volume (named by its labels, or by name) goes too. Best effort. */
export async function dropSecretsOf(engine: Engine, owner: Readonly<Labels> | string | undefined): Promise<void> {
  const volume = typeof owner === "string" ? owner : secretsVolumeOf(owner);
  if (volume) await removeSecretsVolume(engine, volume).catch(() => {});
}

/**
 * The secrets volumes no container names: left by a command interrupted between creating the
 * volume and the container, or by a container removed behind Flotilla's back. `oneoffs: false`
 * leaves those of one-off containers alone (a `run` creates its container outside the project
 * lock, so one may be between its two steps right now).
 */
export function leftoverSecretsVolumes(volumes: readonly VolumeSummary[], containers: readonly { labels: Readonly<Labels> }[], opts: { oneoffs: boolean }): string[] {
  const used = new Set(containers.map((c) => secretsVolumeOf(c.labels)).filter((v): v is string => v !== undefined));
  return volumes.filter((v) => isSecretsVolume(v) && !used.has(v.name) && (opts.oneoffs || v.labels[SECRETS_ONEOFF_LABEL] !== "True")).map((v) => v.name);
}

/** Remove the given secrets volumes (best effort: one that cannot go now is left for a later sweep). */
export async function removeSecretsVolumes(engine: Engine, names: readonly string[]): Promise<void> {
  await Promise.all(names.map((n) => removeSecretsVolume(engine, n).catch(() => {})));
}

/** The project's secrets volumes (a label-filtered list). */
export function listSecretsVolumes(engine: Engine, project: string): Promise<VolumeSummary[]> {
  return engine.listVolumes({ labels: { [Label.project]: project, [SECRETS_LABEL]: undefined } });
}

/** Containers: list, inspect, create and the lifecycle calls. */
import type Docker from "dockerode";
import type { Readable } from "node:stream";
import { EngineError } from "../../errors.js";
import type { CommitOptions, ContainerCreateSpec, ContainerDetails, ContainerSummary, LabelFilter } from "../engine.js";
import { toDetails, toSummary } from "./container-docs.js";
import type { DockerContext } from "./context.js";
import { abortedError, is404, messageOf, statusOf } from "./errors.js";
import { filtersParam, labelFilters, matchesLabels } from "./filters.js";
import { splitTag } from "./images.js";
import { podmanNetworkIds, podmanSummaries, runHealthcheck } from "./libpod.js";
import { dockerImageId, healthcheckOverdue, platformMismatch, withDockerStopTimeout } from "./podman.js";
import type { ContainerDoc, ContainerListDoc, ImageDoc } from "./types.js";

export async function listContainers(ctx: DockerContext, filter: { labels: LabelFilter; all?: boolean }): Promise<ContainerSummary[]> {
  try {
    const filters = filtersParam({ label: labelFilters(filter.labels) });
    const found: ContainerListDoc[] = await ctx.docker.listContainers({ all: filter.all ?? false, filters });
    const list = found.filter((c) => matchesLabels(c.Labels, filter.labels));
    const api = list.length > 0 ? await ctx.podman() : undefined;
    if (api !== undefined) await Promise.all([podmanSummaries(ctx, api, list, filter.all ?? false, filters), podmanNetworkIds(ctx, list)]);
    return list.map(toSummary);
  } catch (e) {
    throw ctx.fail(e, "cannot list containers");
  }
}

/** Undefined when there is no such container. */
export async function inspectContainer(ctx: DockerContext, idOrName: string): Promise<ContainerDetails | undefined> {
  try {
    let raw: ContainerDoc = await ctx.docker.getContainer(idOrName).inspect();
    if (healthcheckOverdue(raw, Date.now())) {
      const api = await ctx.podman();
      if (api !== undefined) {
        await runHealthcheck(ctx, api, String(raw.Id));
        raw = await ctx.docker.getContainer(idOrName).inspect();
      }
    }
    await podmanNetworkIds(ctx, [raw]);
    return toDetails(raw);
  } catch (e) {
    if (is404(e)) return undefined;
    throw ctx.fail(e, `cannot inspect container ${idOrName}`);
  }
}

export async function createContainer(ctx: DockerContext, spec: ContainerCreateSpec): Promise<string> {
  const podman = (await ctx.podman()) !== undefined;
  if (podman && spec.platform) await refuseOtherPlatform(ctx, spec.Image, spec.platform);
  try {
    const body = podman ? withDockerStopTimeout(spec) : spec;
    // Our spec is the Engine API's create body (plus `name` and `platform`, which dockerode sends as query parameters).
    const options: Docker.ContainerCreateOptions = { ...body };
    const c = await ctx.docker.createContainer(options);
    return c.id;
  } catch (e) {
    throw ctx.fail(e, `cannot create container ${spec.name}`, (status, message) => (status === 404 || /no such image/i.test(message) ? "IMAGE_NOT_FOUND" : undefined));
  }
}

/** As Docker does at create (Podman does not): a local image of another platform is refused, in Docker's words. */
async function refuseOtherPlatform(ctx: DockerContext, image: string, platform: string): Promise<void> {
  let doc: ImageDoc;
  try {
    doc = await ctx.docker.getImage(image).inspect();
  } catch {
    return; // missing or unreadable: the create answers for it
  }
  const mismatch = platformMismatch(image, platform, doc);
  if (mismatch) {
    throw new EngineError("IMAGE_NOT_FOUND", mismatch, { hint: "the local image is for another platform: pull or build it for the service's platform, or remove platform:" });
  }
}

export async function startContainer(ctx: DockerContext, id: string): Promise<void> {
  try {
    await ctx.docker.getContainer(id).start();
  } catch (e) {
    if (statusOf(e) === 304) return; // already started
    throw ctx.fail(e, `cannot start container ${id}`);
  }
}

export async function stopContainer(ctx: DockerContext, id: string, timeout?: number): Promise<void> {
  try {
    await ctx.docker.getContainer(id).stop(timeout !== undefined ? { t: timeout } : {});
  } catch (e) {
    if (statusOf(e) === 304) return; // already stopped
    throw ctx.fail(e, `cannot stop container ${id}`);
  }
}

export async function restartContainer(ctx: DockerContext, id: string, timeout?: number): Promise<void> {
  try {
    await ctx.docker.getContainer(id).restart(timeout !== undefined ? { t: timeout } : {});
  } catch (e) {
    throw ctx.fail(e, `cannot restart container ${id}`);
  }
}

export async function killContainer(ctx: DockerContext, id: string, signal?: string): Promise<void> {
  try {
    await ctx.docker.getContainer(id).kill(signal !== undefined ? { signal } : {});
  } catch (e) {
    throw ctx.fail(e, `cannot kill container ${id}`);
  }
}

export async function pauseContainer(ctx: DockerContext, id: string): Promise<void> {
  try {
    await ctx.docker.getContainer(id).pause();
  } catch (e) {
    throw ctx.fail(e, `cannot pause container ${id}`);
  }
}

export async function unpauseContainer(ctx: DockerContext, id: string): Promise<void> {
  try {
    await ctx.docker.getContainer(id).unpause();
  } catch (e) {
    // Unpausing a container that is not paused: Docker answers 500, Podman 500 "container state
    // improper" (a CONFLICT elsewhere); the same code on both.
    throw ctx.fail(e, `cannot unpause container ${id}`, (status) => (status === 500 ? "ENGINE" : undefined));
  }
}

export async function removeContainer(ctx: DockerContext, id: string, options: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
  try {
    await ctx.docker.getContainer(id).remove({ force: options.force ?? false, v: options.volumes ?? false });
  } catch (e) {
    if (is404(e)) return; // already gone
    // "removal of container X is already in progress" — someone else is removing it.
    if (statusOf(e) === 409 && /already in progress/i.test(messageOf(e))) return;
    throw ctx.fail(e, `cannot remove container ${id}`);
  }
}

export async function renameContainer(ctx: DockerContext, id: string, name: string): Promise<void> {
  try {
    await ctx.docker.getContainer(id).rename({ name });
  } catch (e) {
    throw ctx.fail(e, `cannot rename container ${id} to ${name}`);
  }
}

/** Resolves with the exit code once the container is not running. */
export async function waitContainer(ctx: DockerContext, id: string, signal?: AbortSignal): Promise<number> {
  if (signal?.aborted) throw abortedError(signal.reason);
  try {
    const r = (await ctx.docker.getContainer(id).wait(signal ? { abortSignal: signal } : {})) as { StatusCode?: number; Error?: { Message?: string } | null };
    if (r.Error?.Message) throw new EngineError("ENGINE", `waiting for container ${id}: ${r.Error.Message}`);
    return Number(r.StatusCode ?? 0);
  } catch (e) {
    if (signal?.aborted) throw abortedError(signal.reason);
    throw ctx.fail(e, `cannot wait for container ${id}`);
  }
}

/** Whether the container was created with a TTY (its logs are then not multiplexed). */
export async function isTty(ctx: DockerContext, id: string): Promise<boolean> {
  const details = await inspectContainer(ctx, id);
  if (!details) throw new EngineError("NOT_FOUND", `no such container: ${id}`, { statusCode: 404 });
  return details.tty;
}

/** A new image from the container's changes (`docker commit`); resolves with the image id. */
export async function commitContainer(ctx: DockerContext, id: string, options: CommitOptions): Promise<string> {
  const query: Record<string, unknown> = { pause: options.pause !== false };
  if (options.reference) {
    const { repository, tag } = splitTag(options.reference);
    query["repo"] = repository;
    if (tag) query["tag"] = tag;
  }
  if (options.author) query["author"] = options.author;
  if (options.message) query["comment"] = options.message;
  if (options.changes && options.changes.length > 0) query["changes"] = options.changes;
  try {
    const res = (await ctx.docker.getContainer(id).commit(query)) as { Id?: string };
    return dockerImageId(String(res.Id ?? ""));
  } catch (e) {
    throw ctx.fail(e, `cannot commit container ${id}`);
  }
}

/** The container's filesystem as a tar stream (`docker export`). */
export async function exportContainer(ctx: DockerContext, id: string): Promise<Readable> {
  try {
    return (await ctx.docker.getContainer(id).export()) as Readable;
  } catch (e) {
    throw ctx.fail(e, `cannot export container ${id}`);
  }
}

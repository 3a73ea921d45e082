/** Files in containers: tar archives in and out (`cp`, watch sync) and path lookups. */
import type { Readable } from "node:stream";
import { EngineError } from "../../errors.js";
import type { DockerContext } from "./context.js";
import { is404 } from "./errors.js";

/** Extract a tar archive at `path` inside the container. */
export async function putArchive(ctx: DockerContext, id: string, path: string, tar: Readable | Buffer, options: { copyUIDGID?: boolean } = {}): Promise<void> {
  try {
    await ctx.docker.getContainer(id).putArchive(tar, { path, ...(options.copyUIDGID ? { copyUIDGID: true } : {}) });
  } catch (e) {
    throw ctx.fail(e, `cannot copy files to ${path} in container ${id}`);
  }
}

/** A tar archive of `path` inside the container. */
export async function getArchive(ctx: DockerContext, id: string, path: string): Promise<Readable> {
  try {
    return (await ctx.docker.getContainer(id).getArchive({ path })) as Readable;
  } catch (e) {
    if (is404(e)) throw new EngineError("NOT_FOUND", `no such file or directory in container ${id}: ${path}`, { statusCode: 404 });
    throw ctx.fail(e, `cannot copy ${path} from container ${id}`);
  }
}

/** Whether `path` exists in the container and is a directory (undefined: it does not exist). */
export async function statPath(ctx: DockerContext, id: string, path: string): Promise<{ isDirectory: boolean } | undefined> {
  try {
    // HEAD /containers/{id}/archive: the X-Docker-Container-Path-Stat header, base64 JSON with the mode.
    // dockerode hands back the response itself (a stream): read its headers, then close it, or
    // its socket keeps the process alive.
    const res = (await ctx.docker.getContainer(id).infoArchive({ path })) as { headers: Record<string, string | undefined>; destroy?: () => void };
    const raw = res.headers["x-docker-container-path-stat"];
    res.destroy?.();
    if (!raw) return { isDirectory: false };
    const stat = JSON.parse(Buffer.from(raw, "base64").toString("utf8")) as { mode?: number };
    // Go's os.ModeDir is the top bit of a 32-bit mode.
    return { isDirectory: ((stat.mode ?? 0) & 0x80000000) !== 0 };
  } catch (e) {
    if (is404(e)) return undefined;
    throw ctx.fail(e, `cannot look up ${path} in container ${id}`);
  }
}

/** Images: inspect, pull, push, tag and remove. */
import type { Readable } from "node:stream";
import { EngineError, FlotillaError } from "../../errors.js";
import type { ImageInfo, ProgressMessage } from "../engine.js";
import type { AuthConfig } from "../registry-auth.js";
import type { DockerContext } from "./context.js";
import { abortedError, is404, isAbort, messageOf, statusOf } from "./errors.js";
import { familiarRepoTags } from "./podman.js";
import { followProgress, streamError, toProgress } from "./streams.js";
import type { ImageDoc } from "./types.js";

/** `host:5000/app:1` → repository `host:5000/app`, tag `1` (`latest` when none; a digest is kept whole). */
export function splitTag(ref: string): { repository: string; tag: string } {
  if (ref.includes("@")) return { repository: ref, tag: "" };
  const slash = ref.lastIndexOf("/");
  const colon = ref.lastIndexOf(":");
  return colon > slash ? { repository: ref.slice(0, colon), tag: ref.slice(colon + 1) } : { repository: ref, tag: "latest" };
}

export async function inspectImage(ctx: DockerContext, ref: string): Promise<ImageInfo | undefined> {
  try {
    const i: ImageDoc = await ctx.docker.getImage(ref).inspect();
    const lastTagTime = i.Metadata?.LastTagTime;
    return {
      id: i.Id ?? "",
      repoTags: familiarRepoTags(Array.isArray(i.RepoTags) ? i.RepoTags : [], ref),
      repoDigests: i.RepoDigests ?? [],
      labels: i.Config?.Labels ?? {},
      created: i.Created ?? "",
      ...(typeof i.Size === "number" ? { size: i.Size } : {}),
      ...(typeof lastTagTime === "string" ? { lastTagTime } : {}),
      ...(typeof i.Os === "string" ? { platform: { os: i.Os, architecture: String(i.Architecture ?? ""), ...(i.Variant ? { variant: String(i.Variant) } : {}) } } : {}),
    };
  } catch (e) {
    if (is404(e)) return undefined;
    throw ctx.fail(e, `cannot inspect image ${ref}`);
  }
}

async function registryAuth(ctx: DockerContext, ref: string): Promise<AuthConfig | undefined> {
  return ctx.auth ? ctx.auth(ref) : undefined;
}

type Verb = "pull" | "push";

function transferFailed(verb: Verb, ref: string, message: string, status?: number, cause?: unknown): EngineError {
  return new EngineError(verb === "pull" ? "PULL_FAILED" : "PUSH_FAILED", `cannot ${verb} image ${ref}: ${message}`, {
    hint: `check the image name and tag, your network and registry credentials (docker login${verb === "push" ? "; pushing needs write access" : ""})`,
    ...(status !== undefined ? { statusCode: status } : {}),
    ...(cause !== undefined ? { cause } : {}),
  });
}

/** A pull or push: the engine reports failures inside the progress stream, so every message is checked. */
async function transfer(
  ctx: DockerContext,
  verb: Verb,
  ref: string,
  open: (abort: { abortSignal?: AbortSignal }) => Promise<unknown>,
  onProgress?: (m: ProgressMessage) => void,
  signal?: AbortSignal,
): Promise<void> {
  if (signal?.aborted) throw abortedError(signal.reason);
  let stream: Readable;
  try {
    stream = (await open(signal ? { abortSignal: signal } : {})) as Readable;
  } catch (e) {
    if (signal?.aborted || isAbort(e)) throw abortedError(e);
    const f = ctx.fail(e, `cannot ${verb} image ${ref}`);
    if (f.code === "ENGINE_UNREACHABLE" || f.code === "ABORTED") throw f;
    throw transferFailed(verb, ref, messageOf(e), statusOf(e), e);
  }
  try {
    await followProgress(
      ctx,
      stream,
      (m) => {
        const error = streamError(m);
        // A push of a tag that is not there locally fails inside the stream: report it as the 404 it is.
        if (error !== undefined) throw transferFailed(verb, ref, error, verb === "push" && /does not exist locally|no such image/i.test(error) ? 404 : undefined);
        onProgress?.(toProgress(m));
      },
      signal,
    );
  } catch (e) {
    if (e instanceof FlotillaError) throw e;
    throw transferFailed(verb, ref, e instanceof Error ? e.message : String(e), undefined, e);
  }
}

export async function pullImage(ctx: DockerContext, ref: string, onProgress?: (m: ProgressMessage) => void, signal?: AbortSignal, platform?: string): Promise<void> {
  const authconfig = await registryAuth(ctx, ref);
  await transfer(ctx, "pull", ref, (abort) => ctx.docker.pull(ref, { ...abort, ...(platform ? { platform } : {}), ...(authconfig ? { authconfig } : {}) }), onProgress, signal);
}

export async function pushImage(ctx: DockerContext, ref: string, onProgress?: (m: ProgressMessage) => void, signal?: AbortSignal): Promise<void> {
  const authconfig = await registryAuth(ctx, ref);
  // The tag is passed on its own: without one the engine would push every tag of the repository.
  const { repository, tag } = splitTag(ref);
  await transfer(ctx, "push", ref, (abort) => ctx.docker.getImage(repository).push({ tag, ...abort, ...(authconfig ? { authconfig } : {}) }), onProgress, signal);
}

export async function removeImage(ctx: DockerContext, ref: string, force?: boolean): Promise<void> {
  try {
    await ctx.docker.getImage(ref).remove(force ? { force: true } : {});
  } catch (e) {
    if (is404(e)) return;
    throw ctx.fail(e, `cannot remove image ${ref}`);
  }
}

export async function tagImage(ctx: DockerContext, ref: string, repo: string, tag: string): Promise<void> {
  try {
    await ctx.docker.getImage(ref).tag({ repo, tag });
  } catch (e) {
    throw ctx.fail(e, `cannot tag image ${ref} as ${repo}:${tag}`, (status) => (status === 404 ? "IMAGE_NOT_FOUND" : undefined));
  }
}

/** Image builds: the engine reports build errors inside the progress stream; every message is checked. */
import type { Readable } from "node:stream";
import { EngineError, FlotillaError } from "../../errors.js";
import type { BuildSpec, ProgressMessage } from "../engine.js";
import type { DockerContext } from "./context.js";
import { abortedError, isAbort, messageOf, statusOf } from "./errors.js";
import { inspectImage } from "./images.js";
import { followProgress, streamError, toProgress } from "./streams.js";
import type { ProgressDoc } from "./types.js";

/** The build's query parameters (rm + forcerm: no intermediate containers are left, even when a step fails). */
function buildOptions(spec: BuildSpec, signal?: AbortSignal): Record<string, unknown> {
  const opts: Record<string, unknown> = { t: spec.tags, rm: true, forcerm: true };
  if (spec.dockerfile !== undefined) opts["dockerfile"] = spec.dockerfile;
  if (spec.buildargs !== undefined) opts["buildargs"] = spec.buildargs;
  if (spec.target !== undefined) opts["target"] = spec.target;
  if (spec.labels !== undefined) opts["labels"] = spec.labels;
  if (spec.cachefrom !== undefined) opts["cachefrom"] = JSON.stringify(spec.cachefrom);
  if (spec.networkmode !== undefined) opts["networkmode"] = spec.networkmode;
  if (spec.extrahosts !== undefined) opts["extrahosts"] = spec.extrahosts;
  if (spec.shmsize !== undefined) opts["shmsize"] = spec.shmsize;
  if (spec.nocache !== undefined) opts["nocache"] = spec.nocache;
  if (spec.pull !== undefined) opts["pull"] = spec.pull;
  if (spec.platform !== undefined) opts["platform"] = spec.platform;
  if (signal) opts["abortSignal"] = signal;
  return opts;
}

/** The last lines of build output (shown with a failure) and the image id the stream reports. */
class BuildLog {
  readonly #tail: string[] = [];
  imageId: string | undefined;

  read(m: ProgressDoc): void {
    if (typeof m.stream === "string") this.#remember(m.stream);
    const auxId = m.aux?.ID;
    if (typeof auxId === "string") this.imageId = auxId;
    const built = typeof m.stream === "string" ? /Successfully built ([0-9a-f]+)/.exec(m.stream) : null;
    if (built && this.imageId === undefined) this.imageId = built[1];
  }

  #remember(text: string): void {
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      this.#tail.push(line.replace(/\r$/, ""));
      if (this.#tail.length > 20) this.#tail.shift();
    }
  }

  failed(name: string, message: string, status?: number, cause?: unknown): EngineError {
    const last = this.#tail.slice(-10);
    return new EngineError("BUILD_FAILED", `cannot build ${name}: ${message}${last.length > 0 ? `\n${last.map((l) => `  > ${l}`).join("\n")}` : ""}`, {
      hint: "fix the Dockerfile or the build context; the last build output lines are shown above",
      ...(status !== undefined ? { statusCode: status } : {}),
      ...(cause !== undefined ? { cause } : {}),
    });
  }
}

/** The built image's full id (the stream may report a short one, or none: then the tag asked for). */
async function resolveImageId(ctx: DockerContext, spec: BuildSpec, log: BuildLog, name: string): Promise<string> {
  let imageId = log.imageId;
  if (imageId === undefined) {
    const tagged = spec.tags[0] !== undefined ? await inspectImage(ctx, spec.tags[0]) : undefined;
    if (tagged) return tagged.id;
    throw log.failed(name, "the engine did not report the built image id");
  }
  if (!imageId.startsWith("sha256:") && /^[0-9a-f]+$/.test(imageId)) {
    const full = await inspectImage(ctx, imageId);
    if (full) imageId = full.id;
  }
  return imageId;
}

export async function buildImage(ctx: DockerContext, spec: BuildSpec, onProgress?: (m: ProgressMessage) => void, signal?: AbortSignal): Promise<string> {
  if (signal?.aborted) throw abortedError(signal.reason);
  const log = new BuildLog();
  const name = spec.tags[0] ?? "image";
  let stream: Readable;
  try {
    stream = (await ctx.docker.buildImage(spec.context, buildOptions(spec, signal))) as Readable;
  } catch (e) {
    if (signal?.aborted || isAbort(e)) throw abortedError(e);
    const f = ctx.fail(e, `cannot build ${name}`);
    if (f.code === "ENGINE_UNREACHABLE" || f.code === "ABORTED") throw f;
    throw log.failed(name, messageOf(e), statusOf(e), e);
  }
  try {
    await followProgress(
      ctx,
      stream,
      (m) => {
        log.read(m);
        const error = streamError(m);
        if (error !== undefined) throw log.failed(name, error.trim());
        onProgress?.(toProgress(m));
      },
      signal,
    );
  } catch (e) {
    if (e instanceof FlotillaError) throw e;
    throw log.failed(name, e instanceof Error ? e.message : String(e), undefined, e);
  }
  return resolveImageId(ctx, spec, log, name);
}

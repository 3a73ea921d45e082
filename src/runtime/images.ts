/**
 * Images for `up`/`create`/`pull`/`build`: decide per service whether to pull, build or use what
 * is there (`planImages`, reads the engine only through `inspectImage`), then do it
 * (`runImageActions`: pulls in parallel, builds one at a time — builds are CPU-bound).
 */
import type { BuildConfig, LoadedProject, ServiceConfig } from "../spec/model.js";
import type { Engine, ImageInfo, ProgressMessage } from "./engine.js";
import type { EventListener } from "../events.js";
import type { PullMode } from "./options.js";
import { EngineError, FlotillaError, ServiceError, isFlotillaError } from "../errors.js";
import { Label } from "./labels.js";
import { packBuildContext, placeDockerfile } from "./build-context.js";
import { parseBytes, parseLongDuration } from "../spec/units.js";
import { registryOf } from "./registry-auth.js";

/** The image a service runs: `image:`, else `<project>-<service>` (the name Compose gives a build). */
export function imageName(project: string, serviceName: string, svc: ServiceConfig): string {
  return svc.image ?? `${project}-${serviceName}`;
}

/** `busybox` → `busybox:latest`; refs with a tag or a digest are unchanged (a registry port is not a tag). */
export function withDefaultTag(ref: string): string {
  if (ref.includes("@")) return ref;
  const lastSlash = ref.lastIndexOf("/");
  const lastPart = ref.slice(lastSlash + 1);
  return lastPart.includes(":") ? ref : `${ref}:latest`;
}

export type ImageAction = { service: string; image: string; action: "pull" | "build" | "none"; reason: string };

export interface PlanImagesOptions {
  /** `--pull`; "policy" or undefined = each service's pull_policy. */
  pull?: PullMode;
  /** `--build`: build every service that has a build section. */
  build?: boolean;
  /** `--no-build`: never build; a missing image of a build-only service is an error. */
  noBuild?: boolean;
  /** The clock refresh windows are measured with (tests). */
  now?: () => number;
}

type Policy = { policy: "always" | "never" | "missing" | "build" } | { policy: "refresh"; afterMs: number; raw: string };

/**
 * A service's effective pull policy. As in Compose: `daily` and `weekly` are refresh windows of 24 h
 * and 7 days, `every_<duration>` (units up to `d` and `w`) likewise; `refresh` uses
 * `pull_refresh_after`, and without it is `missing`.
 */
export function policyOf(svc: ServiceConfig, pull: PullMode | undefined): Policy {
  if (pull && pull !== "policy") return { policy: pull };
  const raw = svc.pull_policy ?? "missing";
  const window = (afterMs: number): Policy => ({ policy: "refresh", afterMs, raw });
  if (raw === "daily") return window(86_400_000);
  if (raw === "weekly") return window(7 * 86_400_000);
  if (raw.startsWith("every_")) return window(longDuration(raw.slice("every_".length), raw));
  if (raw === "refresh") return svc.pull_refresh_after !== undefined ? window(longDuration(svc.pull_refresh_after, "pull_refresh_after")) : { policy: "missing" };
  if (raw === "always" || raw === "never" || raw === "build") return { policy: raw };
  return { policy: "missing" };
}

function longDuration(text: string, what: string): number {
  try {
    return parseLongDuration(text);
  } catch {
    throw new FlotillaError("CONFIG_INVALID", `invalid duration "${text}" in ${what}`, { hint: "use e.g. every_12h, every_1d or every_1w" });
  }
}

/** How long ago the engine last tagged (pulled, built, tagged) the image: for messages. */
function ago(ms: number): string {
  const units: [number, string][] = [[86_400_000, "d"], [3_600_000, "h"], [60_000, "m"], [1000, "s"]];
  for (const [size, unit] of units) if (ms >= size) return `${Math.floor(ms / size)}${unit}`;
  return "0s";
}

/**
 * Inspects images, once per reference (a bare name is its `:latest`) however often it is asked:
 * callers that look at the same images at the same moment can share one.
 */
export function imageInspector(engine: Pick<Engine, "inspectImage">): (image: string) => Promise<ImageInfo | undefined> {
  const seen = new Map<string, Promise<ImageInfo | undefined>>();
  return (image) => {
    const ref = withDefaultTag(image);
    let p = seen.get(ref);
    if (!p) {
      p = engine.inspectImage(ref);
      seen.set(ref, p);
    }
    return p;
  };
}

/**
 * Decide, per service, what to do about its image. Services sharing one image get one action each
 * (runImageActions pulls or builds a given image once).
 */
export async function planImages(project: LoadedProject, services: string[], engine: Engine, opts: PlanImagesOptions = {}, inspect = imageInspector(engine)): Promise<ImageAction[]> {
  const model = project.model;
  const now = opts.now ?? Date.now;
  return Promise.all(
    services.map(async (service): Promise<ImageAction> => {
      const svc = model.services[service];
      if (!svc) throw new FlotillaError("NO_SUCH_SERVICE", `no such service: ${service}`, { service });
      const image = imageName(model.name, service, svc);
      const pol = policyOf(svc, opts.pull);
      const { policy } = pol;
      const buildable = svc.build !== undefined;
      const act = (action: ImageAction["action"], reason: string): ImageAction => ({ service, image, action, reason });

      if (buildable && !opts.noBuild) {
        if (opts.build) return act("build", "--build");
        if (policy === "build") return act("build", "pull_policy: build");
      }
      if (policy === "always" && (svc.image !== undefined || !buildable)) return act("pull", opts.pull === "always" ? "--pull always" : "pull_policy: always");
      const info = await inspect(image);
      if (info && pol.policy === "refresh" && svc.image !== undefined) {
        // Compose compares the engine's last tag time (set by a pull, build or tag) with the window.
        const tagged = info.lastTagTime !== undefined ? Date.parse(info.lastTagTime) : NaN;
        const age = Number.isFinite(tagged) && tagged > 0 ? now() - tagged : Number.POSITIVE_INFINITY;
        if (age > pol.afterMs) {
          return act("pull", Number.isFinite(age) ? `pull_policy ${pol.raw}: last pulled ${ago(age)} ago` : `pull_policy ${pol.raw}: no pull time recorded`);
        }
        return act("none", `image present, pulled ${ago(age)} ago (pull_policy ${pol.raw})`);
      }
      if (info) return act("none", "image present");
      if (buildable && !opts.noBuild) return act("build", "image missing");
      if (policy === "never") {
        throw new ServiceError("IMAGE_NOT_FOUND", service, `service ${service}: image ${image} is not present and pull_policy is never`, {
          hint: buildable ? "build it (remove --no-build) or pull it first" : "pull it first (docker pull) or change pull_policy",
        });
      }
      if (buildable && svc.image === undefined) {
        throw new ServiceError("IMAGE_NOT_FOUND", service, `service ${service}: image ${image} is not present and --no-build was given`, {
          hint: "run without --no-build (or run `flotilla build` first)",
        });
      }
      return act("pull", "image missing");
    }),
  );
}

function aborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new FlotillaError("ABORTED", `${what} was cancelled`, { cause: signal.reason });
}

const UNREACHABLE = /connection refused|no such host|dial tcp|i\/o timeout|timeout|EAI_AGAIN|ENOTFOUND|ECONNREFUSED|network is unreachable|server gave HTTP response to HTTPS/i;
const NOT_FOUND = /not found|manifest unknown|pull access denied|repository does not exist|does not exist/i;
const AUTH = /unauthorized|no basic auth credentials|authentication required|denied/i;

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function formatProgress(m: ProgressMessage): string {
  return [m.id ? `${m.id}:` : "", m.status ?? "", m.progress ?? ""].filter((s) => s !== "").join(" ");
}

/** Pull one image, reporting progress; failures become PULL_FAILED naming the service and image. */
export async function pullImage(engine: Engine, service: string, ref: string, onEvent?: EventListener, signal?: AbortSignal, platform?: string): Promise<void> {
  const emit = onEvent ?? (() => {});
  aborted(signal, `pulling ${ref}`);
  emit({ type: "resource", kind: "image", name: ref, status: "Pulling", service });
  try {
    await engine.pullImage(
      ref,
      (m) => {
        const ev: { type: "progress"; kind: "pull"; name: string; text: string; current?: number; total?: number } = { type: "progress", kind: "pull", name: ref, text: formatProgress(m) };
        if (m.current !== undefined) ev.current = m.current;
        if (m.total !== undefined) ev.total = m.total;
        emit(ev);
      },
      signal,
      platform,
    );
  } catch (e) {
    if (signal?.aborted || (isFlotillaError(e) && e.code === "ABORTED")) {
      throw isFlotillaError(e) && e.code === "ABORTED" ? e : new FlotillaError("ABORTED", `pulling ${ref} was cancelled`, { cause: e });
    }
    if (isFlotillaError(e) && e.code === "ENGINE_UNREACHABLE") throw e;
    const text = errorText(e);
    emit({ type: "resource", kind: "image", name: ref, status: "Error", service, detail: text });
    const hint = UNREACHABLE.test(text)
      ? "the registry is unreachable: check the network and the registry address, or use a local image (pull_policy: never / --pull never)"
      : AUTH.test(text)
        ? `the registry refused the credentials (or got none): docker login ${registryOf(ref)}, or check the credential helper in your Docker config`
        : NOT_FOUND.test(text)
        ? "check the image name and tag, and log in (docker login) if the repository is private"
        : "check the image reference and the engine's access to the registry";
    throw new ServiceError("PULL_FAILED", service, `service ${service}: pulling image ${ref} failed: ${text}`, { hint, cause: e });
  }
  emit({ type: "resource", kind: "image", name: ref, status: "Pulled", service });
}

/** Push one reference, reporting progress; failures are PUSH_FAILED naming the service. */
export async function pushImage(engine: Engine, service: string, ref: string, onEvent?: EventListener, signal?: AbortSignal): Promise<void> {
  const emit = onEvent ?? (() => {});
  aborted(signal, `pushing ${ref}`);
  emit({ type: "resource", kind: "image", name: ref, status: "Pushing", service });
  try {
    await engine.pushImage(ref, (m) => emit({ type: "progress", kind: "push", name: ref, text: formatProgress(m) }), signal);
  } catch (e) {
    if (isFlotillaError(e) && (e.code === "ABORTED" || e.code === "ENGINE_UNREACHABLE")) throw e;
    const text = errorText(e);
    emit({ type: "resource", kind: "image", name: ref, status: "Error", service, detail: text });
    // The engine answers 404 when the image to push is not there locally.
    const hint = e instanceof EngineError && e.statusCode === 404
      ? "build it first (flotilla build)"
      : UNREACHABLE.test(text)
        ? "the registry is unreachable: check the network and the registry address"
        : `check the image name and your credentials (docker login ${registryOf(ref)}); pushing needs write access`;
    throw new ServiceError("PUSH_FAILED", service, `service ${service}: pushing image ${ref} failed: ${text.replace(/^cannot push image \S+: /, "")}`, { hint, cause: e });
  }
  emit({ type: "resource", kind: "image", name: ref, status: "Pushed", service });
}

function isRemoteContext(context: string): boolean {
  return /^(https?:\/\/|git@|git:\/\/|github\.com\/)/.test(context);
}

/** Build arguments: null values come from the project environment, or are dropped if unset there. */
export function buildArgs(build: BuildConfig, environment: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(build.args ?? {})) {
    if (v !== null && v !== undefined) out[k] = String(v);
    else if (environment[k] !== undefined) out[k] = environment[k];
  }
  return out;
}

/** Build attributes the classic builder behind the Engine API cannot honour. */
export function buildWarnings(service: string, build: BuildConfig): string[] {
  const out: string[] = [];
  const b = build as BuildConfig & Record<string, unknown>;
  const unsupported: [string, unknown][] = [
    ["ssh", b.ssh && b.ssh.length > 0 ? b.ssh : undefined],
    ["cache_to", b.cache_to && b.cache_to.length > 0 ? b.cache_to : undefined],
    ["additional_contexts", b.additional_contexts && Object.keys(b.additional_contexts).length > 0 ? b.additional_contexts : undefined],
    ["secrets", b.secrets && b.secrets.length > 0 ? b.secrets : undefined],
    ["isolation", b.isolation],
    ["privileged", b.privileged],
    ["ulimits", b.ulimits && Object.keys(b.ulimits).length > 0 ? b.ulimits : undefined],
    ["no_cache_filter", b["no_cache_filter"]],
    ["provenance", b["provenance"]],
    ["sbom", b["sbom"]],
    ["entitlements", b["entitlements"]],
  ];
  for (const [attr, v] of unsupported) {
    if (v !== undefined && v !== false) out.push(`service ${service}: build.${attr} is not supported by the classic builder and is ignored`);
  }
  if (b.platforms && b.platforms.length > 1) out.push(`service ${service}: build.platforms lists several platforms; only ${b.platforms[0]} is built`);
  return out;
}

const TAIL_LINES = 20;

/** Build a service's image; build output lines become `progress` events. Resolves with the image id. */
export async function buildService(engine: Engine, project: LoadedProject, service: string, onEvent?: EventListener, signal?: AbortSignal): Promise<string> {
  const emit = onEvent ?? (() => {});
  const model = project.model;
  const svc = model.services[service];
  if (!svc) throw new FlotillaError("NO_SUCH_SERVICE", `no such service: ${service}`, { service });
  const build = svc.build;
  const image = imageName(model.name, service, svc);
  if (!build) {
    throw new ServiceError("BUILD_FAILED", service, `service ${service} has no build section`, { hint: `add build: to service ${service}, or pull ${image} instead` });
  }
  if (isRemoteContext(build.context)) {
    throw new ServiceError("BUILD_FAILED", service, `service ${service}: remote build context ${build.context} is not supported`, {
      hint: "clone the repository and point build.context at the local directory",
    });
  }
  aborted(signal, `building ${service}`);
  for (const w of buildWarnings(service, build)) emit({ type: "warning", message: w, service });

  const tail: string[] = [];
  const remember = (line: string) => {
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
  };
  emit({ type: "resource", kind: "image", name: image, status: "Building", service });
  try {
    const placement = await placeDockerfile(build.context, build.dockerfile, build.dockerfile_inline);
    const context = await packBuildContext(build.context, build.dockerfile, build.dockerfile_inline);
    const tags = [...new Set([image, ...(build.tags ?? [])])];
    const spec: Parameters<Engine["buildImage"]>[0] = {
      context,
      tags,
      dockerfile: placement.name,
      labels: { ...(build.labels ?? {}), [Label.imageBuilder]: "classic" },
    };
    const args = buildArgs(build, project.environment);
    if (Object.keys(args).length > 0) spec.buildargs = args;
    if (build.target) spec.target = build.target;
    if (build.cache_from && build.cache_from.length > 0) spec.cachefrom = [...build.cache_from];
    if (build.network) spec.networkmode = build.network;
    if (build.extra_hosts && build.extra_hosts.length > 0) {
      spec.extrahosts = build.extra_hosts.map((h) => (h.includes("=") ? h.replace("=", ":") : h)).join(",");
    }
    if (build.shm_size !== undefined) spec.shmsize = parseBytes(build.shm_size);
    if (build.no_cache !== undefined) spec.nocache = build.no_cache;
    if (build.pull !== undefined) spec.pull = build.pull;
    const platform = svc.platform ?? build.platforms?.[0];
    if (platform) spec.platform = platform;

    const id = await engine.buildImage(
      spec,
      (m) => {
        const text = m.stream ?? formatProgress(m);
        for (const raw of text.split("\n")) {
          const line = raw.replace(/\r$/, "");
          if (line.trim() === "") continue;
          remember(line);
          emit({ type: "progress", kind: "build", name: service, text: line });
        }
      },
      signal,
    );
    emit({ type: "resource", kind: "image", name: image, status: "Built", service });
    return id;
  } catch (e) {
    if (signal?.aborted || (isFlotillaError(e) && e.code === "ABORTED")) {
      throw isFlotillaError(e) && e.code === "ABORTED" ? e : new FlotillaError("ABORTED", `building ${service} was cancelled`, { cause: e });
    }
    if (isFlotillaError(e) && e.code === "ENGINE_UNREACHABLE") throw e;
    const text = errorText(e);
    emit({ type: "resource", kind: "image", name: image, status: "Error", service, detail: text });
    // The engine adapter may already quote the last output lines; do not repeat them.
    const output = tail.length > 0 && !text.includes(tail[tail.length - 1] as string) ? `\n${tail.map((l) => `  ${l}`).join("\n")}` : "";
    const hint = isFlotillaError(e) && e.hint ? e.hint : "fix the Dockerfile or the build context; the last build output is shown above";
    throw new ServiceError("BUILD_FAILED", service, `service ${service}: building image ${image} failed: ${text}${output}`, { hint, cause: e, logs: [...tail] });
  }
}

export interface RunImageActionsOptions {
  onEvent?: EventListener;
  signal?: AbortSignal;
  /** Max concurrent pulls (default 4, capped at 4). Builds always run one at a time. */
  parallel?: number;
}

/**
 * Carry out the image actions: each image is pulled or built once even if several services use it;
 * pulls first (bounded parallelism), then builds in order. Resolves with service → image id for every
 * service whose image was pulled or built (for the `com.docker.compose.image` label).
 */
export async function runImageActions(actions: readonly ImageAction[], engine: Engine, project: LoadedProject, opts: RunImageActionsOptions = {}): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  const pulls = new Map<string, string[]>(); // image -> services
  const builds = new Map<string, string[]>();
  for (const a of actions) {
    const target = a.action === "pull" ? pulls : a.action === "build" ? builds : undefined;
    if (!target) continue;
    const list = target.get(a.image) ?? [];
    list.push(a.service);
    target.set(a.image, list);
  }

  const limit = Math.max(1, Math.min(opts.parallel ?? 4, 4));
  const queue = [...pulls.entries()];
  let failure: unknown;
  const worker = async () => {
    for (let next = queue.shift(); next && failure === undefined; next = queue.shift()) {
      const [image, services] = next;
      try {
        const ref = withDefaultTag(image);
        const platform = services.map((s) => project.model.services[s]?.platform).find((p) => p !== undefined);
        await pullImage(engine, services[0] as string, ref, opts.onEvent, opts.signal, platform);
        const info = await engine.inspectImage(ref);
        if (info) for (const s of services) result[s] = info.id;
      } catch (e) {
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, worker));
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows exactly what a pull threw
  if (failure !== undefined) throw failure;

  for (const [, services] of builds) {
    aborted(opts.signal, "building");
    const id = await buildService(engine, project, services[0] as string, opts.onEvent, opts.signal);
    for (const s of services) result[s] = id;
  }
  return result;
}

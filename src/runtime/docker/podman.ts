/**
 * Podman's compat API, made to look like Docker's: names, stop timeouts, overdue healthchecks
 * (pure helpers; the calls to libpod's own API are in libpod.ts).
 */
import type { ContainerDoc, VersionDoc } from "./types.js";

/**
 * Podman reports image names fully qualified (`localhost/app:1`, `docker.io/library/redis:7`) where
 * Docker reports them as the user wrote them (`app:1`, `redis:7`). Returns `tags` plus the
 * familiar form of each Docker Hub name and `ref` itself (with `:latest` when untagged) when the
 * engine resolved that short name to `localhost/<ref>`. Docker's own tags pass through unchanged.
 */
export function familiarRepoTags(tags: readonly string[], ref: string): string[] {
  const out = new Set(tags);
  for (const t of tags) {
    if (t.startsWith("docker.io/library/")) out.add(t.slice("docker.io/library/".length));
    else if (t.startsWith("docker.io/")) out.add(t.slice("docker.io/".length));
  }
  if (!ref.includes("@") && !ref.startsWith("sha256:")) {
    const lastPart = ref.slice(ref.lastIndexOf("/") + 1);
    const tagged = lastPart.includes(":") ? ref : `${ref}:latest`;
    if (out.has(`localhost/${tagged}`)) out.add(tagged);
  }
  return [...out];
}

/** `docker.io/library/redis:7` -> `redis:7`, `localhost/app:1` -> `app:1` (Podman's names as Docker shows them). */
export function familiarImageName(name: string): string {
  for (const prefix of ["docker.io/library/", "docker.io/", "localhost/"]) {
    if (name.startsWith(prefix) && name.length > prefix.length) return name.slice(prefix.length);
  }
  return name;
}

/** Docker's stop timeout (seconds) for a container created without one. */
export const DOCKER_DEFAULT_STOP_TIMEOUT = 10;

/**
 * The create body for Podman: its compat API (4.3) stores `StopTimeout: 0` when the body has none,
 * so a later stop without `t` sends SIGKILL at once (exit 137) where Docker waits 10 s after the
 * stop signal. Give such specs Docker's default; an explicit value (stop_grace_period) is kept.
 */
export function withDockerStopTimeout<T extends { StopTimeout?: number }>(spec: T): T {
  return spec.StopTimeout === undefined ? { ...spec, StopTimeout: DOCKER_DEFAULT_STOP_TIMEOUT } : spec;
}

/** Docker's and Podman's wordings for a network still in use (the adapter maps them to IN_USE). */
export function isNetworkInUseMessage(message: string): boolean {
  return /active endpoints|is being used|has associated containers/i.test(message);
}

/** The libpod API version when the /version document comes from Podman, else undefined. */
export function podmanApiVersion(v: VersionDoc): string | undefined {
  const components = Array.isArray(v.Components) ? v.Components : [];
  const podman = components.find((c) => /podman/i.test(String(c?.Name ?? "")));
  // Podman spells it APIVersion (Docker's components say ApiVersion).
  if (podman) return String(podman.Details?.APIVersion ?? podman.Version ?? "4.0.0");
  return /podman/i.test(String(v.Platform?.Name ?? "")) ? "4.0.0" : undefined;
}

/**
 * The libpod API version when the headers of a reply (any reply: /_ping is the cheap one) come from
 * Podman, else undefined. Podman sends `Libpod-API-Version` (the version its /version document
 * names in its components) and `Server: Libpod/…` on every reply; Docker sends neither.
 */
export function podmanApiVersionFromHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): string | undefined {
  const first = (name: string): string | undefined => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const libpod = first("libpod-api-version")?.trim();
  if (libpod) return libpod;
  return /^libpod\//i.test(first("server") ?? "") ? "4.0.0" : undefined;
}

/**
 * Whether a running container's healthcheck is overdue: its last result (or its start, before
 * the first one) is older than the interval. Podman schedules healthchecks with systemd timers;
 * without systemd (containers, CI) they never run and the status stays "starting" forever.
 */
export function healthcheckOverdue(c: ContainerDoc, now: number): boolean {
  const st = c.State ?? {};
  const test = c.Config?.Healthcheck?.Test;
  if (st.Running !== true || !st.Health || !Array.isArray(test) || test.length === 0 || test[0] === "NONE") return false;
  const log = Array.isArray(st.Health.Log) ? st.Health.Log : [];
  const lastText = log.length > 0 ? String(log[log.length - 1]?.End ?? "") : String(st.StartedAt ?? "");
  const last = Date.parse(lastText);
  if (!Number.isFinite(last) || last <= 0) return false;
  const intervalNs = Number(c.Config?.Healthcheck?.Interval ?? 0);
  const intervalMs = intervalNs > 0 ? intervalNs / 1e6 : 30_000;
  return now - last >= intervalMs;
}

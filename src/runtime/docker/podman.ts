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

/**
 * Podman's network create failing because a host interface went away while it listed the routes
 * (`route ip+net: no such network interface`): a race with other containers' veths, not a refusal.
 */
export function isInterfaceRaceMessage(message: string): boolean {
  return /no such network interface/i.test(message);
}

/** The libpod API version a /_ping answer names in its `Libpod-Api-Version` header (Podman), else undefined. */
export function libpodApiVersion(headers: Readonly<Record<string, string | string[] | undefined>>): string | undefined {
  const v = headers["libpod-api-version"];
  const version = Array.isArray(v) ? v[0] : v;
  return version !== undefined && version.trim() !== "" ? version.trim() : undefined;
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

/**
 * Whether a Podman error (its compat API answers 500 where Docker answers 409) means a conflict:
 * a container in the wrong state for the call ("container state improper", e.g. killing a stopped
 * one), a name already taken by a container ("that name is already in use") or a network
 * ("network already exists").
 */
export function isPodmanConflictMessage(message: string): boolean {
  return /container state improper|name is already in use|container already exists|network already exists/i.test(message);
}

/** Podman's 500 for a container, network or volume that went away while it was being looked up (Docker: 404). */
export function isPodmanNotFoundMessage(message: string): boolean {
  return /: no such (container|network|volume)\s*$/i.test(message);
}

/** An image id as Docker gives it (`sha256:<hex>`); Podman's commit answers the bare hex. */
export function dockerImageId(id: string): string {
  return /^[0-9a-f]{64}$/.test(id) ? `sha256:${id}` : id;
}

/**
 * `ps_args` for Podman's top: its own process table (read from /proc by the engine), in the columns
 * of Docker's default `ps -ef`. Without them Podman runs `ps -ef` inside the container, which needs
 * a `ps` in the image and comes back as one unsplit column (`["PID   USER     COMMAND"]`).
 */
export const PODMAN_TOP_ARGS = "user,pid,ppid,pcpu,stime,tty,time,args";

const TOP_TITLES: Record<string, string> = { USER: "UID", "%CPU": "C", COMMAND: "CMD" };

/**
 * Podman's table (PODMAN_TOP_ARGS) under Docker's `ps -ef` titles (UID PID PPID C STIME TTY TIME
 * CMD): C as a whole number, STIME as the hour and minute (`2026-12-01 21:29:35 +0000 UTC` → `21:29`).
 */
export function dockerTopColumns(titles: readonly string[], processes: readonly (readonly string[])[]): { titles: string[]; processes: string[][] } {
  const c = titles.indexOf("%CPU");
  const stime = titles.indexOf("STIME");
  return {
    titles: titles.map((t) => TOP_TITLES[t] ?? t),
    processes: processes.map((row) =>
      row.map((v, i) => {
        if (i === c && /^\d+(\.\d+)?$/.test(v)) return String(Math.floor(Number(v)));
        if (i === stime) return / (\d{2}:\d{2}):\d{2}/.exec(v)?.[1] ?? v;
        return v;
      }),
    ),
  };
}

/** Endpoint entries of a container document, keyed by network name (inspect or list). */
type NetworkEntries = Record<string, { NetworkID?: string } | null | undefined> | null | undefined;

/** Whether some endpoint names its network by name (Podman 4.3) rather than by id (Docker). */
export function hasNetworkNames(networks: NetworkEntries): boolean {
  return Object.entries(networks ?? {}).some(([name, n]) => n?.NetworkID !== undefined && n.NetworkID === name);
}

/**
 * Podman 4.3 fills each endpoint's `NetworkID` with the network's name, where Docker gives the id
 * the container is attached by. Put the current id of that name there (from `idsByName`): Podman
 * attaches containers by network name, so a container whose network was replaced joins the new
 * one of that name when it starts (no recreate needed, unlike Docker, which attaches by id), and
 * with the CNI backend a network's id is derived from its name anyway. Without this, every `up`
 * saw "network replaced" and recreated every container. Entries that already hold an id are left alone.
 */
export function withNetworkIds(networks: NetworkEntries, idsByName: ReadonlyMap<string, string>): void {
  for (const [name, n] of Object.entries(networks ?? {})) {
    const id = idsByName.get(name);
    if (n && id !== undefined && n.NetworkID === name) n.NetworkID = id;
  }
}

const ARCH_ALIASES: Record<string, string> = { x86_64: "amd64", aarch64: "arm64", armhf: "arm" };

/**
 * Docker refuses to create a container whose `platform` the local image does not match; Podman
 * (4.3) ignores the parameter for a local image and runs it anyway. The words Docker uses, or
 * undefined when the image matches (or its platform is unknown). A variant is compared only when
 * both name one.
 */
export function platformMismatch(ref: string, wanted: string, image: { Os?: string | null; Architecture?: string | null; Variant?: string | null }): string | undefined {
  const [os = "", arch = "", variant] = wanted.toLowerCase().split("/");
  const have = { os: String(image.Os ?? "").toLowerCase(), arch: String(image.Architecture ?? "").toLowerCase(), variant: image.Variant ? String(image.Variant).toLowerCase() : undefined };
  if (!have.os || !have.arch) return undefined;
  const norm = (a: string): string => ARCH_ALIASES[a] ?? a;
  const same = os === have.os && (arch === "" || norm(arch) === norm(have.arch)) && (variant === undefined || have.variant === undefined || variant === have.variant);
  if (same) return undefined;
  const actual = [have.os, have.arch, ...(have.variant ? [have.variant] : [])].join("/");
  return `image with reference ${ref} was found but does not match the specified platform: wanted ${wanted}, actual: ${actual}`;
}

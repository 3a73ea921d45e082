/**
 * Calls to Podman's native (libpod) API where its Docker-compatible one falls short: health in
 * list summaries, and healthchecks that Podman leaves to systemd timers.
 */
import type { DockerContext } from "./context.js";
import { familiarImageName, hasNetworkNames, withNetworkIds } from "./podman.js";
import type { ContainerDoc, ContainerListDoc, NetworkDoc } from "./types.js";

const HEALTH_SUFFIX: Record<string, string> = { healthy: " (healthy)", unhealthy: " (unhealthy)", starting: " (health: starting)" };

/** GET a libpod (Podman-native) endpoint, e.g. `/containers/json`. */
export function libpodGet(ctx: DockerContext, api: string, path: string, query: Record<string, unknown> = {}): Promise<unknown> {
  return new Promise((resolve, reject) => {
    ctx.docker.modem.dial(
      {
        path: `/v${api}/libpod${path}?`,
        method: "GET",
        options: query,
        statusCodes: { 200: true, 404: "no such container", 409: "conflict", 500: "server error" },
      },
      (err, data) => (err ? reject(err) : resolve(data)),
    );
  });
}

/**
 * Run an overdue Podman healthcheck now (libpod's healthcheck endpoint runs it and records the
 * result), so health-based waits progress without systemd. Failures are ignored: the caller
 * sees the state as it is. One run at a time per container.
 */
export async function runHealthcheck(ctx: DockerContext, api: string, id: string): Promise<void> {
  let run = ctx.healthRuns.get(id);
  if (!run) {
    run = libpodGet(ctx, api, `/containers/${encodeURIComponent(id)}/healthcheck`).then(
      () => undefined,
      () => undefined,
    );
    ctx.healthRuns.set(id, run);
    void run.finally(() => ctx.healthRuns.delete(id));
  }
  await run;
}

/**
 * Podman's Docker-compatible list leaves the health out of `Status` ("Up 3 minutes", where Docker
 * says "Up 3 minutes (healthy)") and names images fully qualified (`localhost/app:1`): add the
 * health from libpod's own list and show the names as Docker would.
 */
export async function podmanSummaries(ctx: DockerContext, api: string, list: ContainerListDoc[], all: boolean, filters: string): Promise<void> {
  for (const c of list) {
    if (typeof c.Image === "string") c.Image = familiarImageName(c.Image);
  }
  if (!list.some((c) => c.State === "running")) return;
  let native: unknown;
  try {
    native = await libpodGet(ctx, api, "/containers/json", { all, filters });
  } catch {
    return; // best effort: the summaries stay as the compat API gave them
  }
  const health = new Map<string, string>();
  for (const n of Array.isArray(native) ? (native as { Id?: unknown; Status?: unknown }[]) : []) {
    if (typeof n.Id === "string" && typeof n.Status === "string") health.set(n.Id, n.Status);
  }
  for (const c of list) {
    const suffix = HEALTH_SUFFIX[health.get(c.Id ?? "") ?? ""];
    if (suffix && c.State === "running" && typeof c.Status === "string" && !c.Status.includes("(")) c.Status += suffix;
  }
}

/**
 * Podman 4.3 names each endpoint's network by name where Docker gives its id (`NetworkID`): look
 * the ids up (one network list) and put them there, so the planner compares ids on both engines.
 * Best effort: on a failed list the documents stay as they are.
 */
export async function podmanNetworkIds(ctx: DockerContext, docs: readonly (ContainerDoc | ContainerListDoc)[]): Promise<void> {
  if (!docs.some((d) => hasNetworkNames(d.NetworkSettings?.Networks))) return;
  let networks: NetworkDoc[];
  try {
    networks = await ctx.docker.listNetworks();
  } catch {
    return;
  }
  const ids = new Map<string, string>();
  for (const n of networks) if (typeof n.Name === "string" && typeof n.Id === "string") ids.set(n.Name, n.Id);
  for (const d of docs) withNetworkIds(d.NetworkSettings?.Networks, ids);
}

/**
 * Same-name twins of a project network. The engine allows several networks with one name, and its
 * duplicate check on create races: two commands creating the project's network at once can both
 * succeed. Every later attach by name then fails ("network … is ambiguous (2 matches found on
 * name)"). Repair, lock or no lock: keep the twin in use (the most containers, then the lowest id:
 * every racer picks the same one), remove the empty others, and say so in one line. A twin still in
 * use is kept and named (its containers must go first: `down`).
 */
import type { EventListener } from "../events.js";
import type { Engine, NetworkSummary } from "./engine.js";

type NetworkEngine = Pick<Engine, "listNetworks" | "inspectNetwork" | "removeNetwork">;

const used = (n: NetworkSummary): number => Object.keys(n.containers ?? {}).length;

/** Group networks by name (twins share an entry). */
export function networksByName(networks: readonly NetworkSummary[]): Map<string, NetworkSummary[]> {
  const out = new Map<string, NetworkSummary[]>();
  for (const n of networks) {
    const list = out.get(n.name);
    if (list) list.push(n);
    else out.set(n.name, [n]);
  }
  return out;
}

/** Which of same-name twins to keep: the one with the most containers, then the lowest id. */
export function pickKeeper(twins: readonly NetworkSummary[]): NetworkSummary {
  return [...twins].sort((a, b) => used(b) - used(a) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))[0]!;
}

/**
 * Repair the twins of network `name` (given, or listed by name): returns the network kept, or
 * undefined when there is none. Removal failures are not errors (a racer removed it first).
 */
export async function repairNetworkTwins(engine: NetworkEngine, name: string, onEvent?: EventListener, given?: readonly NetworkSummary[]): Promise<NetworkSummary | undefined> {
  const listed = (given ?? (await engine.listNetworks({ name }))).filter((n) => n.name === name);
  if (listed.length <= 1) return listed[0];
  // list calls do not say which containers are attached: inspect each twin by id
  const twins = await Promise.all(listed.map(async (n) => (await engine.inspectNetwork(n.id)) ?? n));
  const keep = pickKeeper(twins);
  const removed: string[] = [];
  const inUse: string[] = [];
  for (const t of twins) {
    if (t.id === keep.id) continue;
    if (used(t) > 0) {
      inUse.push(`${t.id.slice(0, 12)} (${used(t)} container(s))`);
      continue;
    }
    await engine.removeNetwork(t.id).then(
      () => removed.push(t.id.slice(0, 12)),
      () => {},
    );
  }
  const kept = `kept ${keep.id.slice(0, 12)}${used(keep) > 0 ? ` (in use by ${used(keep)} container(s))` : ""}`;
  const gone = removed.length > 0 ? `, removed ${removed.length} empty twin(s) (${removed.join(", ")})` : "";
  const left = inUse.length > 0 ? `; twins still in use, kept: ${inUse.join(", ")} (run down, then up)` : "";
  onEvent?.({ type: inUse.length > 0 ? "warning" : "info", message: `network ${name}: ${twins.length} networks had this name: ${kept}${gone}${left}` });
  return keep;
}

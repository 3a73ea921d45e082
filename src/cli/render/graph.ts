/**
 * `flotilla graph`: the project's services as a graph — each dependency edge with its condition (started,
 * healthy, completed), dashed when optional, marked when it restarts the dependent; each service with its
 * published ports, its networks and, when an engine answered, its live state — as Mermaid, Graphviz DOT,
 * or SVG (DOT laid out by Graphviz itself, compiled to WebAssembly: @viz-js/viz, no network, no binary).
 * Pure apart from loading @viz-js/viz for SVG.
 */
import { createRequire } from "node:module";
import type { LoadedProject, PortConfig } from "../../spec/model.js";
import { ServiceGraph } from "../../graph/graph.js";

export type LiveState = "running" | "healthy" | "unhealthy" | "starting" | "exited" | "failed" | "paused" | "created" | "restarting" | "mixed";

export interface GraphNode {
  name: string;
  ports: string[];
  networks: string[];
  /** Undefined when no engine answered; "absent" when it answered and the service has no container. */
  state?: LiveState | "absent";
  /** e.g. "2/2 running", "exited (1)". */
  stateText?: string;
}

export interface GraphEdge {
  from: string;
  to: string;
  condition: "started" | "healthy" | "completed";
  required: boolean;
  restart: boolean;
}

export interface GraphModel {
  project: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** What the engine says of one container of a service (from `ps -a`). */
export interface ContainerState {
  service: string;
  state: string;
  health: string;
  exitCode: number;
}

const CONDITION: Record<string, GraphEdge["condition"]> = {
  service_started: "started",
  service_healthy: "healthy",
  service_completed_successfully: "completed",
};

function portText(p: PortConfig): string {
  const host = p.published ? `${p.host_ip ? `${p.host_ip.includes(":") ? `[${p.host_ip}]` : p.host_ip}:` : ""}${p.published}` : `${p.host_ip ? `${p.host_ip}:` : ""}(any)`;
  return `${host}→${p.target}/${p.protocol}`;
}

/** One service's state from its containers: all alike, or "mixed". */
export function serviceState(containers: readonly ContainerState[]): { state: LiveState | "absent"; text: string } {
  const [c0] = containers;
  if (c0 === undefined) return { state: "absent", text: "not created" };
  const one = (c: ContainerState): LiveState => {
    if (c.state === "running") {
      if (c.health === "healthy") return "healthy";
      if (c.health === "unhealthy") return "unhealthy";
      if (c.health === "starting") return "starting";
      return "running";
    }
    if (c.state === "exited" || c.state === "dead") return c.exitCode === 0 ? "exited" : "failed";
    return (["paused", "created", "restarting"].includes(c.state) ? c.state : "created") as LiveState;
  };
  const states = containers.map(one);
  const first = one(c0);
  if (states.some((s) => s !== first)) return { state: "mixed", text: [...new Set(states)].join(", ") };
  const exit = first === "exited" || first === "failed" ? ` (${c0.exitCode})` : "";
  const count = containers.length > 1 ? `${containers.length}× ` : "";
  return { state: first, text: `${count}${first}${exit}` };
}

export function graphModel(project: LoadedProject, live?: readonly ContainerState[]): GraphModel {
  const services = project.model.services;
  const names = Object.keys(services).sort();
  const graph = ServiceGraph.fromServices(services);
  const nodes = Object.entries(services).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, svc]): GraphNode => {
    const networks = svc.network_mode !== undefined ? [`mode: ${svc.network_mode}`] : Object.keys(svc.networks ?? { default: null }).sort();
    const node: GraphNode = { name, ports: (svc.ports ?? []).map(portText), networks };
    if (live !== undefined) {
      const s = serviceState(live.filter((c) => c.service === name));
      node.state = s.state;
      node.stateText = s.text;
    }
    return node;
  });
  const edges = names.flatMap((from) =>
    graph
      .dependencies(from)
      .filter((d) => services[d.service] !== undefined)
      .map((d): GraphEdge => ({ from, to: d.service, condition: CONDITION[d.condition] ?? "started", required: d.required, restart: d.restart })),
  );
  return { project: project.model.name ?? "", nodes, edges };
}

const FILL: Record<LiveState | "absent", string> = {
  running: "#d9f2d9",
  healthy: "#b6e3b6",
  starting: "#fff2b3",
  unhealthy: "#f7c6c6",
  failed: "#f7c6c6",
  exited: "#e6e6e6",
  paused: "#cfe2f3",
  created: "#f2f2f2",
  restarting: "#fff2b3",
  mixed: "#fde9c9",
  absent: "#ffffff",
};

function edgeLabel(e: GraphEdge): string {
  return [e.condition, ...(e.required ? [] : ["optional"]), ...(e.restart ? ["restart"] : [])].join(", ");
}

function nodeLines(n: GraphNode): string[] {
  return [n.name, ...(n.stateText !== undefined ? [`[${n.stateText}]`] : []), ...n.ports, `net: ${n.networks.join(", ")}`];
}

/** Mermaid flowchart (renders on GitHub, GitLab, in most Markdown viewers). */
export function toMermaid(m: GraphModel): string {
  const id = new Map(m.nodes.map((n, i) => [n.name, `s${i}`]));
  const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/"/g, "#quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const out = ["flowchart LR"];
  if (m.project) out.push(`  %% project ${m.project}: an arrow points from a service to what it depends on`);
  for (const n of m.nodes) out.push(`  ${id.get(n.name)}["${nodeLines(n).map(esc).join("<br/>")}"]`);
  for (const e of m.edges) out.push(`  ${id.get(e.from)} ${e.required ? "-->" : "-.->"}|${esc(edgeLabel(e))}| ${id.get(e.to)}`);
  const used = new Set(m.nodes.map((n) => n.state).filter((s): s is NonNullable<GraphNode["state"]> => s !== undefined));
  for (const s of [...used].sort()) out.push(`  classDef ${s} fill:${FILL[s]},stroke:#555`);
  for (const n of m.nodes) if (n.state !== undefined) out.push(`  class ${id.get(n.name)} ${n.state}`);
  return `${out.join("\n")}\n`;
}

const dotString = (s: string): string => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;

/** Graphviz DOT. */
export function toDot(m: GraphModel): string {
  const out = [
    `digraph ${dotString(m.project || "compose")} {`,
    "  rankdir=LR;",
    '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=10];',
  ];
  for (const n of m.nodes) {
    const fill = n.state !== undefined ? `, fillcolor=${dotString(FILL[n.state])}` : "";
    out.push(`  ${dotString(n.name)} [label=${dotString(nodeLines(n).join("\n"))}${fill}];`);
  }
  for (const e of m.edges) {
    const style = e.required ? "" : ", style=dashed";
    out.push(`  ${dotString(e.from)} -> ${dotString(e.to)} [label=${dotString(edgeLabel(e))}${style}];`);
  }
  out.push("}");
  return `${out.join("\n")}\n`;
}

interface Viz {
  renderString(src: string, opts: { format: string }): string;
}

/** SVG laid out by Graphviz (@viz-js/viz, WebAssembly). */
export async function toSvg(m: GraphModel): Promise<string> {
  // Loaded by node's own resolution (not bundled): 1.4 MB of WebAssembly only `graph --format svg` needs.
  const viz = createRequire(import.meta.url)("@viz-js/viz") as { instance(): Promise<Viz> };
  const instance = await viz.instance();
  return instance.renderString(toDot(m), { format: "svg" });
}

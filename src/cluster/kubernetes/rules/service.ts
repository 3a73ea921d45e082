/**
 * A Service's rules: ports in range, each (port, protocol) once, named (validly and uniquely) when
 * there are several; a port unless headless; and a selector that reaches some workload's pods.
 */
import type { KubeObject } from "../types.js";
import { isPortName } from "../names.js";
import { checkLabels, isObj, str, type Add, type Json } from "./common.js";

export function checkService(spec: Json, all: readonly KubeObject[], add: Add): void {
  const ports = Array.isArray(spec["ports"]) ? (spec["ports"] as Json[]) : [];
  checkServicePorts(ports, add);
  if (spec["clusterIP"] !== "None" && ports.length === 0) add("port", "spec.ports", "a Service that is not headless needs a port");
  if (spec["type"] !== undefined && spec["type"] !== "ClusterIP" && spec["clusterIP"] === "None")
    add("port", "spec.type", `a headless Service cannot be of type ${str(spec["type"])}`);
  const sel = isObj(spec["selector"]) ? (spec["selector"] as Record<string, string>) : undefined;
  if (sel) {
    checkLabels(sel, "spec.selector", add);
    if (!all.some((o) => selects(sel, o))) add("selector", "spec.selector", "the selector matches no workload's pods: the name would resolve to nothing");
  }
}

/** Does the selector match the pod template labels of this object? */
function selects(sel: Record<string, string>, o: KubeObject): boolean {
  const t = isObj(o["spec"]) && isObj(o["spec"]["template"]) ? o["spec"]["template"] : undefined;
  const l = t && isObj(t["metadata"]) && isObj(t["metadata"]["labels"]) ? (t["metadata"]["labels"] as Record<string, string>) : undefined;
  return l !== undefined && Object.entries(sel).every(([k, v]) => l[k] === v);
}

function checkServicePorts(ports: Json[], add: Add): void {
  const seen = new Set<string>();
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const f = `spec.ports[${i}]`;
    const port = p["port"];
    if (typeof port !== "number" || port < 1 || port > 65535) add("port", `${f}.port`, `port ${String(port)} is not in 1-65535`);
    const key = `${str(port)}/${str(p["protocol"] ?? "TCP")}`;
    if (seen.has(key)) add("port", f, `port ${key} is listed twice`);
    seen.add(key);
    const pname = p["name"];
    if (ports.length > 1 && (typeof pname !== "string" || pname === "")) add("port-name", `${f}.name`, "every port needs a name when a Service has several");
    if (typeof pname === "string" && pname !== "") {
      if (!isPortName(pname)) add("port-name", `${f}.name`, `port name "${pname}" is not a valid port name (lowercase, at most 15 characters)`);
      if (names.has(pname)) add("port-name", `${f}.name`, `port name "${pname}" is used twice`);
      names.add(pname);
    }
  });
}

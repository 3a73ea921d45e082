/**
 * A pod template's rules: volume names, container names (init containers included), images, container
 * ports and their names, and mounts of declared volumes at distinct paths.
 */
import { isDns1123Label, isPortName } from "../names.js";
import { str, type Add, type Json } from "./common.js";

export function checkPod(pod: Json, at: string, add: Add): void {
  const volNames = checkVolumes(pod, at, add);
  const containerNames = new Set<string>();
  for (const group of ["initContainers", "containers"]) {
    const list = Array.isArray(pod[group]) ? (pod[group] as Json[]) : [];
    if (group === "containers" && list.length === 0) add("container-name", `${at}.containers`, "a pod needs a container");
    list.forEach((c, i) => {
      const f = `${at}.${group}[${i}]`;
      const n = String(c["name"]);
      if (!isDns1123Label(n)) add("container-name", `${f}.name`, `container name "${n}" is not a DNS-1123 label`);
      if (containerNames.has(n)) add("container-name", `${f}.name`, `container name "${n}" is used twice in the pod`);
      containerNames.add(n);
      if (typeof c["image"] !== "string" || c["image"] === "") add("reference", `${f}.image`, "a container needs an image");
      checkContainerPorts(c, f, add);
      checkMounts(c, f, volNames, add);
    });
  }
}

/** The pod's volume names: DNS-1123 labels, each once. */
function checkVolumes(pod: Json, at: string, add: Add): Set<string> {
  const volumes = Array.isArray(pod["volumes"]) ? (pod["volumes"] as Json[]) : [];
  const volNames = new Set<string>();
  volumes.forEach((v, i) => {
    const n = String(v["name"]);
    if (!isDns1123Label(n)) add("volume", `${at}.volumes[${i}].name`, `volume name "${n}" is not a DNS-1123 label`);
    if (volNames.has(n)) add("volume", `${at}.volumes[${i}].name`, `volume name "${n}" is used twice`);
    volNames.add(n);
  });
  return volNames;
}

function checkContainerPorts(c: Json, f: string, add: Add): void {
  const ports = Array.isArray(c["ports"]) ? (c["ports"] as Json[]) : [];
  const portNames = new Set<string>();
  const portKeys = new Set<string>();
  ports.forEach((p, j) => {
    const pf = `${f}.ports[${j}]`;
    const cp = p["containerPort"];
    if (typeof cp !== "number" || cp < 1 || cp > 65535) add("port", `${pf}.containerPort`, `port ${String(cp)} is not in 1-65535`);
    const key = `${str(cp)}/${str(p["protocol"] ?? "TCP")}`;
    if (portKeys.has(key)) add("port", pf, `container port ${key} is listed twice`);
    portKeys.add(key);
    const pn = p["name"];
    if (typeof pn === "string") {
      if (!isPortName(pn)) add("port-name", `${pf}.name`, `port name "${pn}" is not valid (at most 15 characters, lowercase alphanumerics and '-')`);
      if (portNames.has(pn)) add("port-name", `${pf}.name`, `port name "${pn}" is used twice`);
      portNames.add(pn);
    }
  });
}

function checkMounts(c: Json, f: string, volNames: ReadonlySet<string>, add: Add): void {
  const mounts = Array.isArray(c["volumeMounts"]) ? (c["volumeMounts"] as Json[]) : [];
  const paths = new Set<string>();
  mounts.forEach((m, j) => {
    if (!volNames.has(String(m["name"]))) add("volume", `${f}.volumeMounts[${j}].name`, `mount of an undeclared volume "${String(m["name"])}"`);
    const mp = String(m["mountPath"]);
    if (paths.has(mp)) add("volume", `${f}.volumeMounts[${j}].mountPath`, `two mounts at ${mp}`);
    paths.add(mp);
  });
}

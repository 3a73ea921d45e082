/**
 * What the Kubernetes API server rejects and a schema validator lets through (measured with
 * kubernetes-models: unknown fields, non-DNS names, selectors that miss the template, a Deployment's
 * OnFailure restartPolicy, long port names). Every object `convert` writes passes these rules; the
 * tests hold it to that. Pure.
 */
import { FIELDS, ROOTS } from "./fields.js";
import { isDns1035Label, isDns1123Label, isDns1123Subdomain, isLabelKey, isLabelValue, isPortName, CONFIG_KEY } from "./names.js";
import type { KubeObject } from "./types.js";

export interface RuleViolation {
  rule:
    | "unknown-kind"
    | "unknown-field"
    | "name"
    | "label"
    | "annotation"
    | "selector"
    | "restart-policy"
    | "port-name"
    | "port"
    | "container-name"
    | "volume"
    | "data-key"
    | "reference";
  /** `Deployment/web`. */
  object: string;
  /** JSON-ish path inside the object: `spec.template.spec.containers[0].name`. */
  field: string;
  message: string;
}

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);
/** A value as a message shows it. */
const str = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v) ?? "undefined");

/** Checks one object; `all` (the whole output) enables cross-object rules (Service selectors reach a workload). */
export function checkObject(obj: KubeObject, all: readonly KubeObject[] = [obj]): RuleViolation[] {
  const out: RuleViolation[] = [];
  const id = `${obj.kind}/${obj.metadata?.name ?? "?"}`;
  const add = (rule: RuleViolation["rule"], field: string, message: string): void => {
    out.push({ rule, object: id, field, message });
  };
  const rootType = ROOTS[`${obj.apiVersion}/${obj.kind}`];
  if (rootType === undefined) {
    add("unknown-kind", "kind", `${obj.apiVersion} ${obj.kind} is not a kind Flotilla writes`);
    return out;
  }
  unknownFields(obj, rootType, "", add);

  // names
  const name = obj.metadata?.name ?? "";
  if (obj.kind === "Service" || obj.kind === "Namespace") {
    if (!isDns1035Label(name)) add("name", "metadata.name", `"${name}" is not a DNS-1035 label (lowercase letters, digits and '-', starting with a letter, at most 63)`);
  } else if (obj.kind === "StatefulSet" || obj.kind === "DaemonSet" || obj.kind === "Deployment" || obj.kind === "Job") {
    // pods are named after the workload: its name must be a label-sized DNS-1123 name
    if (!isDns1123Label(name)) add("name", "metadata.name", `"${name}" is not a DNS-1123 label`);
  } else if (!isDns1123Subdomain(name)) add("name", "metadata.name", `"${name}" is not a DNS-1123 subdomain`);
  if (obj.metadata?.namespace !== undefined && !isDns1123Label(obj.metadata.namespace)) add("name", "metadata.namespace", `"${obj.metadata.namespace}" is not a DNS-1123 label`);
  checkLabels(obj.metadata?.labels, "metadata.labels", add);
  checkAnnotations(obj.metadata?.annotations, "metadata.annotations", add);

  const spec = isObj(obj["spec"]) ? obj["spec"] : {};
  switch (obj.kind) {
    case "Deployment":
    case "StatefulSet":
    case "DaemonSet":
    case "Job": {
      const template = isObj(spec["template"]) ? spec["template"] : {};
      const tmeta = isObj(template["metadata"]) ? template["metadata"] : {};
      const tlabels = (isObj(tmeta["labels"]) ? tmeta["labels"] : {}) as Record<string, string>;
      checkLabels(tlabels, "spec.template.metadata.labels", add);
      checkAnnotations(tmeta["annotations"], "spec.template.metadata.annotations", add);
      if (obj.kind !== "Job") {
        const sel = isObj(spec["selector"]) && isObj(spec["selector"]["matchLabels"]) ? (spec["selector"]["matchLabels"] as Record<string, string>) : undefined;
        if (!sel || Object.keys(sel).length === 0) add("selector", "spec.selector", "a selector with matchLabels is required");
        else {
          for (const [k, v] of Object.entries(sel)) {
            if (tlabels[k] !== v) add("selector", `spec.selector.matchLabels.${k}`, `the selector does not match the template labels (${k}=${v})`);
          }
        }
      } else if (spec["selector"] !== undefined && spec["manualSelector"] !== true) {
        add("selector", "spec.selector", "a Job's selector is generated: set none (or manualSelector: true)");
      }
      const pod = isObj(template["spec"]) ? template["spec"] : {};
      const rp = pod["restartPolicy"];
      const allowed = obj.kind === "Job" ? ["Never", "OnFailure"] : ["Always"];
      if (obj.kind === "Job" ? !allowed.includes(str(rp)) : rp !== undefined && !allowed.includes(str(rp))) {
        add("restart-policy", "spec.template.spec.restartPolicy", `restartPolicy ${str(rp)} is not allowed in a ${obj.kind} (allowed: ${allowed.join(", ")})`);
      }
      if (obj.kind === "StatefulSet" && typeof spec["serviceName"] !== "string") add("reference", "spec.serviceName", "a StatefulSet names its governing Service");
      checkPod(pod, "spec.template.spec", add);
      break;
    }
    case "Service": {
      const ports = Array.isArray(spec["ports"]) ? (spec["ports"] as Json[]) : [];
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
      if (spec["clusterIP"] !== "None" && ports.length === 0) add("port", "spec.ports", "a Service that is not headless needs a port");
      if (spec["type"] !== undefined && spec["type"] !== "ClusterIP" && spec["clusterIP"] === "None") add("port", "spec.type", `a headless Service cannot be of type ${str(spec["type"])}`);
      const sel = isObj(spec["selector"]) ? (spec["selector"] as Record<string, string>) : undefined;
      if (sel) {
        checkLabels(sel, "spec.selector", add);
        const reaches = all.some((o) => {
          const t = isObj(o["spec"]) && isObj((o["spec"])["template"]) ? ((o["spec"])["template"]) : undefined;
          const l = t && isObj(t["metadata"]) && isObj((t["metadata"])["labels"]) ? ((t["metadata"])["labels"] as Record<string, string>) : undefined;
          return l !== undefined && Object.entries(sel).every(([k, v]) => l[k] === v);
        });
        if (!reaches) add("selector", "spec.selector", "the selector matches no workload's pods: the name would resolve to nothing");
      }
      break;
    }
    case "ConfigMap":
    case "Secret": {
      for (const field of ["data", "binaryData", "stringData"]) {
        const d = obj[field];
        if (isObj(d)) for (const k of Object.keys(d)) if (!CONFIG_KEY.test(k) || k.length > 253) add("data-key", `${field}.${k}`, `"${k}" is not a valid data key`);
      }
      break;
    }
    case "NetworkPolicy": {
      const ps = isObj(spec["podSelector"]) && isObj(spec["podSelector"]["matchLabels"]) ? (spec["podSelector"]["matchLabels"] as Record<string, string>) : undefined;
      if (ps) checkLabels(ps, "spec.podSelector.matchLabels", add);
      break;
    }
  }
  return out;
}

/** Checks every object, and that no two objects of one kind share a name. */
export function checkObjects(objects: readonly KubeObject[]): RuleViolation[] {
  const out: RuleViolation[] = [];
  const seen = new Set<string>();
  for (const o of objects) {
    out.push(...checkObject(o, objects));
    const key = `${o.kind}/${o.metadata?.namespace ?? ""}/${o.metadata?.name}`;
    if (seen.has(key)) out.push({ rule: "name", object: `${o.kind}/${o.metadata?.name}`, field: "metadata.name", message: "two objects of this kind have this name" });
    seen.add(key);
  }
  return out;
}

function unknownFields(value: unknown, type: string, at: string, add: (r: RuleViolation["rule"], f: string, m: string) => void): void {
  const fields = FIELDS[type];
  if (!fields) return;
  const items = Array.isArray(value) ? value.map((v, i) => [v, `${at}[${i}]`] as const) : [[value, at] as const];
  for (const [v, path] of items) {
    if (!isObj(v)) continue;
    for (const [k, child] of Object.entries(v)) {
      const f = path === "" ? k : `${path}.${k}`;
      if (!(k in fields)) {
        add("unknown-field", f, `unknown field "${k}" (the API server rejects it with strict field validation)`);
        continue;
      }
      const t = fields[k];
      if (t) unknownFields(child, t, f, add);
    }
  }
}

function checkLabels(labels: unknown, at: string, add: (r: RuleViolation["rule"], f: string, m: string) => void): void {
  if (!isObj(labels)) return;
  for (const [k, v] of Object.entries(labels)) {
    if (!isLabelKey(k)) add("label", `${at}.${k}`, `"${k}" is not a valid label key`);
    if (typeof v !== "string" || !isLabelValue(v)) add("label", `${at}.${k}`, `"${String(v)}" is not a valid label value (at most 63 characters: alphanumerics, '-', '_', '.')`);
  }
}

function checkAnnotations(annotations: unknown, at: string, add: (r: RuleViolation["rule"], f: string, m: string) => void): void {
  if (!isObj(annotations)) return;
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) {
    if (!isLabelKey(k)) add("annotation", `${at}.${k}`, `"${k}" is not a valid annotation key`);
    if (typeof v !== "string") add("annotation", `${at}.${k}`, "annotation values are strings");
    size += k.length + String(v).length;
  }
  if (size > 256 * 1024) add("annotation", at, "annotations exceed 256 KiB");
}

function checkPod(pod: Json, at: string, add: (r: RuleViolation["rule"], f: string, m: string) => void): void {
  const volumes = Array.isArray(pod["volumes"]) ? (pod["volumes"] as Json[]) : [];
  const volNames = new Set<string>();
  volumes.forEach((v, i) => {
    const n = String(v["name"]);
    if (!isDns1123Label(n)) add("volume", `${at}.volumes[${i}].name`, `volume name "${n}" is not a DNS-1123 label`);
    if (volNames.has(n)) add("volume", `${at}.volumes[${i}].name`, `volume name "${n}" is used twice`);
    volNames.add(n);
  });
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
      const mounts = Array.isArray(c["volumeMounts"]) ? (c["volumeMounts"] as Json[]) : [];
      const paths = new Set<string>();
      mounts.forEach((m, j) => {
        if (!volNames.has(String(m["name"]))) add("volume", `${f}.volumeMounts[${j}].name`, `mount of an undeclared volume "${String(m["name"])}"`);
        const mp = String(m["mountPath"]);
        if (paths.has(mp)) add("volume", `${f}.volumeMounts[${j}].mountPath`, `two mounts at ${mp}`);
        paths.add(mp);
      });
    });
  }
}

/**
 * What the Kubernetes API server rejects and a schema validator lets through (measured with
 * kubernetes-models: unknown fields, non-DNS names, selectors that miss the template, a Deployment's
 * OnFailure restartPolicy, long port names). Every object `convert` writes passes these rules; the
 * tests hold it to that. Pure. The rules of each kind are in `rules/`.
 */
import { ROOTS } from "./fields.js";
import { isDns1035Label, isDns1123Label, isDns1123Subdomain, CONFIG_KEY } from "./names.js";
import type { KubeObject } from "./types.js";
import { checkAnnotations, checkLabels, isObj, unknownFields, type Add, type RuleViolation } from "./rules/common.js";
import { checkService } from "./rules/service.js";
import { checkWorkload } from "./rules/workload.js";

export type { RuleViolation } from "./rules/common.js";

/** Checks one object; `all` (the whole output) enables cross-object rules (Service selectors reach a workload). */
export function checkObject(obj: KubeObject, all: readonly KubeObject[] = [obj]): RuleViolation[] {
  const out: RuleViolation[] = [];
  const id = `${obj.kind}/${obj.metadata?.name ?? "?"}`;
  const add: Add = (rule, field, message) => {
    out.push({ rule, object: id, field, message });
  };
  const rootType = ROOTS[`${obj.apiVersion}/${obj.kind}`];
  if (rootType === undefined) {
    add("unknown-kind", "kind", `${obj.apiVersion} ${obj.kind} is not a kind Flotilla writes`);
    return out;
  }
  unknownFields(obj, rootType, "", add);
  checkMetadata(obj, add);
  const spec = isObj(obj["spec"]) ? obj["spec"] : {};
  switch (obj.kind) {
    case "Deployment":
    case "StatefulSet":
    case "DaemonSet":
    case "Job":
      checkWorkload(obj, spec, add);
      break;
    case "Service":
      checkService(spec, all, add);
      break;
    case "ConfigMap":
    case "Secret":
      checkDataKeys(obj, add);
      break;
    case "NetworkPolicy": {
      const ps =
        isObj(spec["podSelector"]) && isObj(spec["podSelector"]["matchLabels"]) ? (spec["podSelector"]["matchLabels"] as Record<string, string>) : undefined;
      if (ps) checkLabels(ps, "spec.podSelector.matchLabels", add);
      break;
    }
  }
  return out;
}

/** The name (its syntax depends on the kind), the namespace, the labels and the annotations. */
function checkMetadata(obj: KubeObject, add: Add): void {
  const name = obj.metadata?.name ?? "";
  if (obj.kind === "Service" || obj.kind === "Namespace") {
    if (!isDns1035Label(name))
      add("name", "metadata.name", `"${name}" is not a DNS-1035 label (lowercase letters, digits and '-', starting with a letter, at most 63)`);
  } else if (obj.kind === "StatefulSet" || obj.kind === "DaemonSet" || obj.kind === "Deployment" || obj.kind === "Job") {
    // pods are named after the workload: its name must be a label-sized DNS-1123 name
    if (!isDns1123Label(name)) add("name", "metadata.name", `"${name}" is not a DNS-1123 label`);
  } else if (!isDns1123Subdomain(name)) add("name", "metadata.name", `"${name}" is not a DNS-1123 subdomain`);
  if (obj.metadata?.namespace !== undefined && !isDns1123Label(obj.metadata.namespace))
    add("name", "metadata.namespace", `"${obj.metadata.namespace}" is not a DNS-1123 label`);
  checkLabels(obj.metadata?.labels, "metadata.labels", add);
  checkAnnotations(obj.metadata?.annotations, "metadata.annotations", add);
}

/** A ConfigMap's or Secret's data keys. */
function checkDataKeys(obj: KubeObject, add: Add): void {
  for (const field of ["data", "binaryData", "stringData"]) {
    const d: unknown = obj[field];
    if (isObj(d)) for (const k of Object.keys(d)) if (!CONFIG_KEY.test(k) || k.length > 253) add("data-key", `${field}.${k}`, `"${k}" is not a valid data key`);
  }
}

/** Checks every object, and that no two objects of one kind share a name. */
export function checkObjects(objects: readonly KubeObject[]): RuleViolation[] {
  const out: RuleViolation[] = [];
  const seen = new Set<string>();
  for (const o of objects) {
    out.push(...checkObject(o, objects));
    const key = `${o.kind}/${o.metadata?.namespace ?? ""}/${o.metadata?.name}`;
    if (seen.has(key))
      out.push({ rule: "name", object: `${o.kind}/${o.metadata?.name}`, field: "metadata.name", message: "two objects of this kind have this name" });
    seen.add(key);
  }
  return out;
}

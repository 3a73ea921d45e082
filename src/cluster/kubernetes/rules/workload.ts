/**
 * A workload's rules (Deployment, StatefulSet, DaemonSet, Job): the template's labels and
 * annotations, a selector that matches them (none on a Job), the restart policies its kind allows,
 * a StatefulSet's governing Service, and its pod.
 */
import type { KubeObject } from "../types.js";
import { checkAnnotations, checkLabels, isObj, str, type Add, type Json } from "./common.js";
import { checkPod } from "./pod.js";

export function checkWorkload(obj: KubeObject, spec: Json, add: Add): void {
  const template = isObj(spec["template"]) ? spec["template"] : {};
  const tmeta = isObj(template["metadata"]) ? template["metadata"] : {};
  const tlabels = (isObj(tmeta["labels"]) ? tmeta["labels"] : {}) as Record<string, string>;
  checkLabels(tlabels, "spec.template.metadata.labels", add);
  checkAnnotations(tmeta["annotations"], "spec.template.metadata.annotations", add);
  if (obj.kind !== "Job") checkSelector(spec, tlabels, add);
  else if (spec["selector"] !== undefined && spec["manualSelector"] !== true) {
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
}

/** A selector with matchLabels, each of which the template's labels carry. */
function checkSelector(spec: Json, tlabels: Record<string, string>, add: Add): void {
  const sel = isObj(spec["selector"]) && isObj(spec["selector"]["matchLabels"]) ? (spec["selector"]["matchLabels"] as Record<string, string>) : undefined;
  if (!sel || Object.keys(sel).length === 0) {
    add("selector", "spec.selector", "a selector with matchLabels is required");
    return;
  }
  for (const [k, v] of Object.entries(sel)) {
    if (tlabels[k] !== v) add("selector", `spec.selector.matchLabels.${k}`, `the selector does not match the template labels (${k}=${v})`);
  }
}

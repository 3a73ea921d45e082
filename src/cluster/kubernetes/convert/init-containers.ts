/**
 * `depends_on` as init containers: each waits until its dependency's Service answers (a TCP connect
 * to its first port, or a DNS lookup when it has none). A dependency that is a one-shot Job cannot
 * be waited for from inside a pod: that is a warning.
 */
import type { Container } from "kubernetes-types/core/v1.js";
import type { ServiceConfig } from "../../../spec/model.js";
import type { ConvertContext } from "./context.js";
import { workloadKind } from "./kinds.js";
import { sortedEntries } from "./metadata.js";
import { portsOf } from "./ports.js";

export const DEFAULT_WAIT_IMAGE = "busybox:1.36";

export function initContainersOf(ctx: ConvertContext, svcName: string, svc: ServiceConfig): Container[] {
  const { model } = ctx;
  const initContainers: Container[] = [];
  for (const [dep, entry] of sortedEntries(svc.depends_on ?? {})) {
    const target = model.services[dep];
    if (!target) continue; // an optional dependency outside the active profiles
    const depName = ctx.svcTable.get(dep);
    if (entry.condition === "service_completed_successfully" || workloadKind(target, model) === "Job") {
      ctx.note(
        "warning",
        "services.depends_on.condition",
        ["services", svcName, "depends_on", dep],
        `${svcName} starts without waiting for the one-shot ${dep} to complete: a pod cannot see a Job's completion without API access`,
        "order them with Argo CD sync waves or a Helm hook, or make the program retry",
      );
      continue;
    }
    const [depPort] = portsOf(target);
    const check =
      depPort !== undefined && target.deploy?.endpoint_mode !== "dnsrr" ? `nc -z -w 2 ${depName} ${depPort.port}` : `nslookup ${depName} >/dev/null 2>&1`;
    const loop =
      entry.required === false
        ? `i=0; until ${check}; do i=$((i+1)); if [ $i -ge 60 ]; then echo "${depName} not ready, starting anyway"; exit 0; fi; echo "waiting for ${depName}"; sleep 2; done`
        : `until ${check}; do echo "waiting for ${depName}"; sleep 2; done`;
    initContainers.push({
      name: `wait-for-${depName}`.slice(0, 63).replace(/-+$/, ""),
      image: ctx.options.waitImage ?? DEFAULT_WAIT_IMAGE,
      command: ["sh", "-c", loop],
    });
  }
  return initContainers;
}

/**
 * The Services that make a Compose service's name (and each of its network aliases) resolve: ClusterIP
 * with its ports, headless when it has none or asks for `endpoint_mode: dnsrr`; NodePort or
 * LoadBalancer for published ports when the `expose` option says so.
 */
import type { ServiceConfig } from "../../../spec/model.js";
import { toDnsLabel } from "../names.js";
import type { ConvertContext } from "./context.js";
import type { Kind } from "./kinds.js";
import { LABEL_NAME } from "./metadata.js";
import { servicePortsOf, type PortSpec } from "./ports.js";

/** A `ports` entry publishes the port on the host in Compose (an ephemeral host port included). */
export function publishes(svc: ServiceConfig): boolean {
  return (svc.ports ?? []).some((p) => p.mode !== "host");
}

export function addServices(
  ctx: ConvertContext,
  svc: ServiceConfig,
  name: string,
  kind: Kind,
  selector: Record<string, string>,
  ports: readonly PortSpec[],
): void {
  const servicePorts = servicePortsOf(ports);
  const published = publishes(svc);
  const headless = servicePorts.length === 0 || svc.deploy?.endpoint_mode === "dnsrr";
  const expose = ctx.options.expose;
  const type = !headless && published && expose === "nodeport" ? "NodePort" : !headless && published && expose === "loadbalancer" ? "LoadBalancer" : undefined;
  const serviceSpec = (): Record<string, unknown> => ({
    ...(type !== undefined ? { type } : {}),
    ...(headless ? { clusterIP: "None" } : {}),
    selector,
    ...(servicePorts.length > 0 ? { ports: servicePorts } : {}),
    // a headless Service of a pod that is not ready yet still resolves for its own pod (StatefulSet)
    ...(kind === "Job" ? { publishNotReadyAddresses: true } : {}),
  });
  ctx.objects.push({ apiVersion: "v1", kind: "Service", metadata: ctx.meta(name, { [LABEL_NAME]: name }), spec: serviceSpec() });
  // aliases: one more Service each, same selector, unless the name is a service's or another alias's
  const aliases = new Set<string>();
  for (const cfg of Object.values(svc.networks ?? {})) for (const a of cfg?.aliases ?? []) aliases.add(a);
  for (const alias of [...aliases].sort()) {
    const aliasName = toDnsLabel(alias);
    if (aliasName === name || ctx.serviceNames.some((s) => ctx.svcTable.get(s) === aliasName) || ctx.aliasNames.has(aliasName)) continue;
    ctx.aliasNames.add(aliasName);
    ctx.objects.push({
      apiVersion: "v1",
      kind: "Service",
      metadata: ctx.meta(aliasName, { [LABEL_NAME]: name }, { "flotilla.dev/alias-of": name }),
      spec: serviceSpec(),
    });
  }
}

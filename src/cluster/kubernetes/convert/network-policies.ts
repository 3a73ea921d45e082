/**
 * Compose networks as NetworkPolicies: pods carry a label per network they are on, and a policy per
 * network lets in only pods sharing it (an internal network also keeps its pods' traffic in, DNS
 * excepted). A service that publishes ports gets a policy that lets anyone reach those ports.
 */
import type { ConvertContext } from "./context.js";
import { LABEL_NAME, sortedEntries, validLabels } from "./metadata.js";
import type { PortSpec } from "./ports.js";

export const NETWORK_LABEL_PREFIX = "network.flotilla.dev/";

export function networkLabel(netName: string): string {
  return `${NETWORK_LABEL_PREFIX}${netName}`;
}

/** A NetworkPolicy per network: only pods sharing a network can reach each other. */
export function addNetworkPolicies(ctx: ConvertContext): void {
  const { model } = ctx;
  const anyInternal = Object.values(model.networks).some((n) => n.internal === true && n.external !== true);
  for (const [net, decl] of sortedEntries(model.networks)) {
    if (decl.external === true) continue;
    const label = networkLabel(ctx.netTable.get(net));
    const peers = { podSelector: { matchLabels: { [label]: "true" } } };
    const internal = decl.internal === true;
    const policyTypes = internal || anyInternal ? ["Ingress", "Egress"] : ["Ingress"];
    const egress = internal
      ? [
          { to: [peers] },
          {
            ports: [
              { port: 53, protocol: "UDP" },
              { port: 53, protocol: "TCP" },
            ],
          },
        ]
      : anyInternal
        ? [{}]
        : undefined;
    ctx.objects.push({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: ctx.meta(`network-${ctx.netTable.get(net)}`.slice(0, 63).replace(/-+$/, ""), validLabels(decl.labels).labels, { "flotilla.dev/network": net }),
      spec: {
        podSelector: { matchLabels: { [label]: "true" } },
        policyTypes,
        ingress: [{ from: [peers] }],
        ...(egress !== undefined ? { egress } : {}),
      },
    });
  }
}

/** Published ports are reachable from outside the networks, as in Compose: a policy that admits anyone to them. */
export function addPublishedPolicy(ctx: ConvertContext, name: string, selector: Record<string, string>, ports: readonly PortSpec[]): void {
  ctx.objects.push({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: ctx.meta(`${name.slice(0, 53)}-published`, { [LABEL_NAME]: name }),
    spec: {
      podSelector: { matchLabels: selector },
      policyTypes: ["Ingress"],
      ingress: [{ ports: ports.filter((p) => p.published).map((p) => ({ port: p.target, protocol: p.protocol })) }],
    },
  });
}

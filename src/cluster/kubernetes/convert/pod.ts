/**
 * The pod around a service's container: init containers, volumes, hostname, grace period, host
 * network, DNS settings, extra hosts (hostAliases), sysctls and groups, placement; and the hash of the
 * mounted secrets and configs that rolls the pods when their content changes.
 */
import type { Container, HostAlias, PodSecurityContext, PodSpec, Volume } from "kubernetes-types/core/v1.js";
import type { ServiceConfig } from "../../../spec/model.js";
import { isDns1123Label, shortHash } from "../names.js";
import type { ConvertContext } from "./context.js";
import { affinityOf, spreadOf } from "./placement.js";
import { seconds } from "./quantities.js";

export interface PodInput {
  svcName: string;
  svc: ServiceConfig;
  container: Container;
  initContainers: Container[];
  volumes: Volume[];
  hostNetwork: boolean;
  selector: Record<string, string>;
}

/** The pod spec (its restartPolicy is the workload's to set). */
export function podSpecOf(ctx: ConvertContext, p: PodInput): PodSpec {
  const { svc } = p;
  const pod: PodSpec = { containers: [p.container] };
  if (p.initContainers.length > 0) pod.initContainers = p.initContainers;
  if (p.volumes.length > 0) pod.volumes = p.volumes;
  if (svc.hostname !== undefined && isDns1123Label(svc.hostname)) pod.hostname = svc.hostname;
  if (svc.stop_grace_period !== undefined) pod.terminationGracePeriodSeconds = seconds(svc.stop_grace_period, 30);
  if (p.hostNetwork) {
    pod.hostNetwork = true;
    pod.dnsPolicy = "ClusterFirstWithHostNet";
  }
  const dnsConfig = dnsConfigOf(svc);
  if (dnsConfig !== undefined) pod.dnsConfig = dnsConfig;
  const hostAliases = hostAliasesOf(svc, (i, msg) => ctx.note("warning", "services.extra_hosts", ["services", p.svcName, "extra_hosts", i], msg));
  if (hostAliases.length > 0) pod.hostAliases = hostAliases;
  const psc = podSecurityContextOf(svc);
  if (psc !== undefined) pod.securityContext = psc;
  const affinity = affinityOf(svc);
  if (affinity !== undefined) pod.affinity = affinity;
  const spread = spreadOf(svc, p.selector);
  if (spread.length > 0) pod.topologySpreadConstraints = spread;
  return pod;
}

function dnsConfigOf(svc: ServiceConfig): PodSpec["dnsConfig"] | undefined {
  const dnsConfig: NonNullable<PodSpec["dnsConfig"]> = {};
  if (svc.dns && svc.dns.length > 0) dnsConfig.nameservers = [...svc.dns];
  if (svc.dns_search && svc.dns_search.length > 0) dnsConfig.searches = [...svc.dns_search];
  if (svc.dns_opt && svc.dns_opt.length > 0) {
    dnsConfig.options = svc.dns_opt.map((o) => {
      const [n, v] = o.split(":", 2) as [string, string | undefined];
      return v !== undefined ? { name: n, value: v } : { name: n };
    });
  }
  return Object.keys(dnsConfig).length > 0 ? dnsConfig : undefined;
}

function podSecurityContextOf(svc: ServiceConfig): PodSecurityContext | undefined {
  const psc: PodSecurityContext = {};
  const sysctls = Object.entries(svc.sysctls ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  if (sysctls.length > 0) psc.sysctls = sysctls.map(([name, value]) => ({ name, value: String(value) }));
  const groups = (svc.group_add ?? []).filter((g) => /^\d+$/.test(String(g))).map(Number);
  if (groups.length > 0) psc.supplementalGroups = groups;
  return Object.keys(psc).length > 0 ? psc : undefined;
}

function hostAliasesOf(svc: ServiceConfig, warn: (i: number, msg: string) => void): HostAlias[] {
  const byIp = new Map<string, string[]>();
  for (const [i, entry] of (svc.extra_hosts ?? []).entries()) {
    const s = String(entry);
    const eq = s.indexOf("=");
    const [host, ip] = eq >= 0 ? [s.slice(0, eq), s.slice(eq + 1)] : [s.slice(0, s.indexOf(":")), s.slice(s.indexOf(":") + 1)];
    const bare = ip.replace(/^\[|\]$/g, "");
    if (!/^[\d.]+$/.test(bare) && !/^[0-9a-fA-F:]+$/.test(bare)) {
      warn(i, `extra host ${host} → ${ip} is not an IP address (hostAliases take IPs only): dropped`);
      continue;
    }
    (byIp.get(bare) ?? byIp.set(bare, []).get(bare)!).push(host);
  }
  return [...byIp.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([ip, hostnames]) => ({ ip, hostnames: hostnames.sort() }));
}

/** A hash of the content of the secrets and configs the service mounts (written so far), or undefined when it mounts none. */
export function mountsHash(ctx: ConvertContext, svc: ServiceConfig): string | undefined {
  const mounted = [...(svc.secrets ?? []).map((r) => `s:${r.source}`), ...(svc.configs ?? []).map((r) => `c:${r.source}`)];
  if (mounted.length === 0) return undefined;
  const contents = mounted.map((m) => {
    const [t, n] = [m.slice(0, 1), m.slice(2)];
    const obj = ctx.objects.find(
      (o) => o.kind === (t === "s" ? "Secret" : "ConfigMap") && o.metadata.name === (t === "s" ? ctx.secretTable.get(n) : ctx.configTable.get(n)),
    );
    return JSON.stringify(obj?.["data"] ?? obj?.["binaryData"] ?? null);
  });
  return shortHash(contents.join("\n"));
}

/**
 * Compose model → Kubernetes objects. Pure and deterministic: the same model and options give the
 * same objects in the same order, with no timestamps. File contents (secrets, configs) come through
 * the `readFile` callback the caller passes. What cannot be mapped faithfully is decided by the
 * capabilities column and reported by `check.ts`; this module maps what is there.
 *
 * Per service: a workload (Deployment; StatefulSet with a named volume and one replica; DaemonSet for
 * `deploy.mode: global`; Job for one-shot services), a Service (ClusterIP with ports, headless without,
 * so the service name always resolves), a ConfigMap for its environment. Per project: a
 * PersistentVolumeClaim per named volume, a Secret per secret, a ConfigMap per config, a NetworkPolicy
 * per network. Each concern is a module of `convert/`; this one runs them in order.
 */
import type { ServiceConfig } from "../../spec/model.js";
import { isLabelKey } from "./names.js";
import type { KubernetesConversion, KubernetesOptions } from "./types.js";
import { addEnvConfigMap, containerOf } from "./convert/container.js";
import { ConvertContext, type ConvertInput, type ReadFile } from "./convert/context.js";
import { initContainersOf } from "./convert/init-containers.js";
import { workloadKind } from "./convert/kinds.js";
import { LABEL_MANAGED_BY, LABEL_NAME, LABEL_PART_OF, sortedEntries, sortedRecord, sortObjects, validLabels } from "./convert/metadata.js";
import { addNetworkPolicies, addPublishedPolicy, networkLabel } from "./convert/network-policies.js";
import { mountsHash, podSpecOf } from "./convert/pod.js";
import { podVolumesOf } from "./convert/pod-volumes.js";
import { portsOf } from "./convert/ports.js";
import { addConfigMaps, addSecrets, addVolumeClaims } from "./convert/project-objects.js";
import { addServices, publishes } from "./convert/services.js";
import { workloadOf } from "./convert/workload.js";

export type { ConvertInput, ReadFile } from "./convert/context.js";

export function convertToKubernetes(input: ConvertInput, options: KubernetesOptions = {}, readFile?: ReadFile): KubernetesConversion {
  const ctx = new ConvertContext(input, options, readFile);
  addVolumeClaims(ctx);
  addSecrets(ctx);
  addConfigMaps(ctx);
  for (const [svcName, svc] of sortedEntries(input.model.services)) convertService(ctx, svcName, svc);
  addNetworkPolicies(ctx);
  return { objects: sortObjects(ctx.objects), services: ctx.services, renames: ctx.renames(), notes: ctx.notes };
}

/** The pod's labels (the user's valid ones and one per network) and annotations (the rest, and `annotations:`). */
function podMetadataOf(
  ctx: ConvertContext,
  svc: ServiceConfig,
  selector: Record<string, string>,
  hostNetwork: boolean,
): { labels: Record<string, string>; annotations: Record<string, string> } {
  const userLabels = validLabels(svc.labels);
  const labels: Record<string, string> = { ...userLabels.labels };
  if (!hostNetwork) {
    for (const net of Object.keys(svc.networks ?? {})) labels[networkLabel(ctx.netTable.get(net))] = "true";
  }
  for (const k of Object.keys(selector)) delete labels[k];
  delete labels[LABEL_MANAGED_BY];
  const annotations: Record<string, string> = { ...userLabels.annotations };
  for (const [k, v] of Object.entries(svc.annotations ?? {})) if (isLabelKey(k)) annotations[k] = v;
  return { labels, annotations };
}

/** One service: its environment ConfigMap, its workload, its Services, and the policy for its published ports. */
function convertService(ctx: ConvertContext, svcName: string, svc: ServiceConfig): void {
  const name = ctx.svcTable.get(svcName);
  const kind = workloadKind(svc, ctx.model);
  ctx.services[svcName] = { name, kind };
  const selector = { [LABEL_NAME]: name, [LABEL_PART_OF]: ctx.projectLabel };
  const hostNetwork = svc.network_mode === "host";
  const podMeta = podMetadataOf(ctx, svc, selector, hostNetwork);
  const envFrom = addEnvConfigMap(ctx, svc, name, podMeta.annotations);
  const { volumes, mounts } = podVolumesOf(ctx, svc);
  const ports = portsOf(svc);
  const container = containerOf(ctx, { svcName, svc, name, kind, envFrom, ports, mounts });
  const initContainers = initContainersOf(ctx, svcName, svc);
  const pod = podSpecOf(ctx, { svcName, svc, container, initContainers, volumes, hostNetwork, selector });
  // config/secret content changes roll the pods
  const hash = mountsHash(ctx, svc);
  if (hash !== undefined) podMeta.annotations["flotilla.dev/mounts-hash"] = hash;
  const template = {
    metadata: {
      labels: sortedRecord({ ...podMeta.labels, ...selector }),
      ...(Object.keys(podMeta.annotations).length > 0 ? { annotations: sortedRecord(podMeta.annotations) } : {}),
    },
    spec: pod,
  };
  const deployLabels = validLabels(svc.deploy?.labels);
  const metadata = ctx.meta(name, { ...deployLabels.labels, [LABEL_NAME]: name }, deployLabels.annotations);
  ctx.objects.push(workloadOf({ svc, kind, name, metadata, selector, template }));
  addServices(ctx, svc, name, kind, selector, ports);
  if (publishes(svc) && !hostNetwork && Object.keys(svc.networks ?? {}).length > 0) addPublishedPolicy(ctx, name, selector, ports);
}

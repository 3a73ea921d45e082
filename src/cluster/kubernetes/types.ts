/**
 * The types shared by the Kubernetes converter, its checks and its renderers.
 */
import type { ObjectMeta } from "kubernetes-types/meta/v1.js";
import type { SourceLocation } from "../../errors.js";
import type { PathSegment } from "../../spec/locations.js";

/** One Kubernetes object as written to a manifest. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta & { name: string };
  [field: string]: unknown;
}

/** How services with published ports are reached from outside the cluster. */
export type ExposeMode = "clusterip" | "nodeport" | "loadbalancer";

export interface KubernetesOptions {
  /** Namespace written into every object (none: the one kubectl/Helm/Argo CD applies to). */
  namespace?: string;
  /** Service type for services with published ports (default clusterip). */
  expose?: ExposeMode;
  /** Bind mounts become hostPath volumes (with a warning) instead of being refused. */
  bindAsHostPath?: boolean;
  /** Default PersistentVolumeClaim size (default 1Gi; `x-flotilla: {k8s: {size}}` on a volume wins). */
  volumeSize?: string;
  /** Default storage class (none: the cluster's default; `x-flotilla: {k8s: {storage_class}}` wins). */
  storageClass?: string;
  /** Image of the init containers that wait for dependencies (default busybox:1.36). */
  waitImage?: string;
  /** Key paths (`privileged`, `services.privileged`) or model paths (`services.web.privileged`) whose refusal becomes a warning. */
  ignore?: readonly string[];
}

/** A warning or refusal about one key of the model, at its position in the files. */
export interface KubernetesIssue {
  severity: "warning" | "refusal";
  /** The capabilities table's key path, e.g. `services.volumes.type`. */
  key: string;
  /** Where in the model, e.g. ["services", "web", "volumes", 0]. */
  path: readonly PathSegment[];
  message: string;
  hint?: string;
  location?: SourceLocation;
  /** A refusal turned into a warning by `--ignore`. */
  ignored?: boolean;
}

/** What each Compose service became. */
export interface ServiceOutput {
  /** The Kubernetes name (DNS-1035) of its workload and Service. */
  name: string;
  kind: "Deployment" | "StatefulSet" | "DaemonSet" | "Job";
}

/** The conversion of one project: the objects, what each service became, and the renamings. */
export interface KubernetesConversion {
  objects: KubeObject[];
  services: Record<string, ServiceOutput>;
  /** Compose names that had to change to be valid Kubernetes names: `web_1` → `web-1`. */
  renames: Record<string, string>;
  /** Problems found while converting values (a secret file that cannot be read, a non-IP extra host…). */
  notes: KubernetesIssue[];
}

/** Shared by the k8s-* tests: validate objects with kubernetes-models (the schema) and rules.ts (the API server's rules). */
import assert from "node:assert/strict";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { PersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { DaemonSet } from "kubernetes-models/apps/v1/DaemonSet";
import { Job } from "kubernetes-models/batch/v1/Job";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { checkObjects } from "../../src/cluster/kubernetes/rules.js";
import type { KubeObject } from "../../src/cluster/kubernetes/types.js";
import { convertToKubernetes, type ConvertInput } from "../../src/cluster/kubernetes/convert.js";
import { checkKubernetes } from "../../src/cluster/kubernetes/check.js";
import { loadProjectSync } from "../../src/spec/load.js";
import type { KubernetesOptions } from "../../src/cluster/kubernetes/types.js";

type Model = { validate(): void };
const MODELS: Record<string, new (data: never) => Model> = {
  "v1/ConfigMap": ConfigMap,
  "v1/Secret": Secret,
  "v1/Service": Service,
  "v1/PersistentVolumeClaim": PersistentVolumeClaim,
  "v1/Namespace": Namespace,
  "apps/v1/Deployment": Deployment,
  "apps/v1/StatefulSet": StatefulSet,
  "apps/v1/DaemonSet": DaemonSet,
  "batch/v1/Job": Job,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
};

/** The schema's complaint about one object, or undefined when kubernetes-models accepts it. */
export function schemaError(o: KubeObject): string | undefined {
  const M = MODELS[`${o.apiVersion}/${o.kind}`];
  if (!M) return `no kubernetes-models class for ${o.apiVersion} ${o.kind}`;
  try {
    new M(JSON.parse(JSON.stringify(o)) as never).validate();
    return undefined;
  } catch (e) {
    return `${o.kind}/${o.metadata.name}: ${(e as Error).message}`;
  }
}

/** Every object passes the schema and Flotilla's rules. */
export function assertValid(objects: readonly KubeObject[]): void {
  const schema = objects.map(schemaError).filter((e): e is string => e !== undefined);
  assert.deepEqual(schema, [], "kubernetes-models rejects objects");
  const rules = checkObjects(objects).map((v) => `${v.object} ${v.field}: ${v.message}`);
  assert.deepEqual(rules, [], "rules.ts rejects objects");
}

/** Load YAML text as a project (no files) and convert it. */
export function convertYaml(yaml: string, options: KubernetesOptions = {}, files: Record<string, string> = {}, env: Record<string, string> = {}) {
  const project = loadProjectSync({ cwd: "/project", env, documents: [yaml] });
  const locations = project.locations;
  const input: ConvertInput = { model: project.model, environment: project.environment };
  const conversion = convertToKubernetes(input, options, (p) => {
    const f = files[p];
    if (f === undefined) throw new Error(`ENOENT: ${p}`);
    return f;
  });
  return { project, locations, conversion, issues: checkKubernetes(project.model, options) };
}

export function find(objects: readonly KubeObject[], kind: string, name: string): KubeObject & { spec?: any; data?: any } {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  assert.ok(o, `no ${kind}/${name} among ${objects.map((x) => `${x.kind}/${x.metadata.name}`).join(", ")}`);
  return o;
}

export function podOf(o: KubeObject & { spec?: any }): any {
  return o.spec.template.spec;
}

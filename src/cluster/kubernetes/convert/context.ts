/**
 * One conversion's shared state: the input, the Kubernetes names of the project's services, volumes,
 * networks, secrets and configs, the objects written so far, and the notes about values that could
 * not be mapped. Every part of the converter writes through it.
 */
import type { ComposeModel } from "../../../spec/model.js";
import { NameTable, isLabelValue, toDnsLabel } from "../names.js";
import type { KubeObject, KubernetesIssue, KubernetesOptions, ServiceOutput } from "../types.js";
import { LABEL_MANAGED_BY, LABEL_PART_OF, sortedRecord } from "./metadata.js";

/** What convert needs from a loaded project. */
export interface ConvertInput {
  model: ComposeModel;
  /** The interpolation environment (the source of `environment:` secrets and configs). */
  environment: Readonly<Record<string, string>>;
}

export type ReadFile = (path: string) => Uint8Array | string;

type IssuePath = KubernetesIssue["path"];

export class ConvertContext {
  readonly model: ComposeModel;
  /** The project name as a label value. */
  readonly projectLabel: string;
  readonly serviceNames: string[];
  readonly svcTable: NameTable;
  readonly volTable: NameTable;
  readonly netTable: NameTable;
  readonly secretTable: NameTable;
  readonly configTable: NameTable;
  /** Compose secret/config name → its data key in the Secret/ConfigMap. */
  readonly secretKeys: Record<string, string> = {};
  readonly configKeys: Record<string, string> = {};
  /** The names alias Services took so far (aliases share the Service namespace with services). */
  readonly aliasNames = new Set<string>();
  readonly objects: KubeObject[] = [];
  readonly services: Record<string, ServiceOutput> = {};
  readonly notes: KubernetesIssue[] = [];
  private readonly common: Record<string, string>;

  constructor(
    readonly input: ConvertInput,
    readonly options: KubernetesOptions,
    private readonly readFile: ReadFile | undefined,
  ) {
    const { model } = input;
    this.model = model;
    this.serviceNames = Object.keys(model.services).sort();
    this.svcTable = new NameTable(this.serviceNames);
    this.volTable = new NameTable(Object.keys(model.volumes));
    this.netTable = new NameTable(Object.keys(model.networks), 63);
    this.secretTable = new NameTable(Object.keys(model.secrets));
    this.configTable = new NameTable(Object.keys(model.configs));
    this.projectLabel = isLabelValue(model.name) ? model.name : toDnsLabel(model.name);
    this.common = { [LABEL_PART_OF]: this.projectLabel, [LABEL_MANAGED_BY]: "flotilla" };
  }

  /** An object's metadata: its name, the namespace option, its labels plus the project's, its annotations. */
  meta(name: string, labels: Record<string, string> = {}, annotations?: Record<string, string>): KubeObject["metadata"] {
    const ns = this.options.namespace;
    return {
      name,
      ...(ns !== undefined ? { namespace: ns } : {}),
      labels: sortedRecord({ ...labels, ...this.common }),
      ...(annotations !== undefined && Object.keys(annotations).length > 0 ? { annotations: sortedRecord(annotations) } : {}),
    };
  }

  note(severity: KubernetesIssue["severity"], key: string, path: IssuePath, message: string, hint?: string): void {
    this.notes.push({ severity, key, path, message, ...(hint !== undefined ? { hint } : {}) });
  }

  /** A secret's or config's file; a refusal when it cannot be read. */
  read(file: string, key: string, path: IssuePath): Uint8Array | string | undefined {
    if (!this.readFile) {
      this.note("refusal", key, path, `cannot read ${file}: no file reader given`);
      return undefined;
    }
    try {
      return this.readFile(file);
    } catch (e) {
      this.note("refusal", key, path, `cannot read ${file}: ${(e as Error).message}`, "create the file, or make the secret/config external");
      return undefined;
    }
  }

  /** Compose names that had to change (`services.web_1` → `web-1`). */
  renames(): Record<string, string> {
    const renames: Record<string, string> = {};
    for (const [from, to] of Object.entries(this.svcTable.renames())) renames[`services.${from}`] = to;
    for (const [from, to] of Object.entries(this.volTable.renames())) renames[`volumes.${from}`] = to;
    for (const [from, to] of Object.entries(this.netTable.renames())) renames[`networks.${from}`] = to;
    for (const [from, to] of Object.entries(this.secretTable.renames())) renames[`secrets.${from}`] = to;
    for (const [from, to] of Object.entries(this.configTable.renames())) renames[`configs.${from}`] = to;
    return renames;
  }
}

/**
 * The model → Engine API create body. Pure: takes a service from the normalized model plus the
 * identity of the container to create and returns the create spec, what to do after create
 * (extra networks to connect, files to inject) and warnings for attributes a single engine
 * cannot honour. Nothing here talks to the engine.
 *
 * What each service key becomes is the `container` column of the attribute table
 * (`spec/attributes/table.ts`): most keys are converted by their row; keys that need the project
 * or each other are converted by the group converters here, one file per concern. The stages
 * (`STAGES`) fix the order: a stage's group first, then its rows in table order.
 *
 * Choices worth knowing:
 * - Bind mounts with `create_host_path: true` (every short-syntax bind) go to `HostConfig.Binds`,
 *   because the engine creates a missing host path for `Binds` but not for `Mounts`; binds with
 *   `create_host_path: false` go to `Mounts`, so a missing source is an error as in Compose.
 * - Only the first network is attached at create time (API 1.41 takes one endpoint); the others
 *   are returned in `extraNetworks` for the executor to connect before start.
 * - File-based secrets/configs are bind-mounted read-only; `environment`-based ones and inline
 *   `content` configs are returned in `filesToInject` for the executor to write via the archive
 *   API after create.
 */
import { SERVICE_ATTRIBUTES, STAGES, type ConvertGroup, type ServiceAttribute, type Stage } from "../../spec/attributes/index.js";
import type { ServiceConfig } from "../../spec/model.js";
import { Converter } from "./converter.js";
import { convertDeploy } from "./deploy.js";
import { convertLabels } from "./labels.js";
import { convertNetworking } from "./networks.js";
import { convertPorts } from "./ports.js";
import { convertResources } from "./resources.js";
import { convertRestart } from "./restart.js";
import { convertSecretsAndConfigs } from "./secrets.js";
import { convertVolumes } from "./volumes.js";
import type { ContainerIdentity, ContainerSpecResult, ConvertContext } from "./types.js";

export type * from "./types.js";
export { anonymousVolumesToInherit } from "./volumes.js";
export { hookExecOptions, preStartHooks, preStartSpec, serviceHooks } from "./hooks.js";
export { containerName, dependsOnLabel } from "./labels.js";
export { orderedNetworks } from "./networks.js";

/** The converters of keys that go together; a missing one is a compile error. */
export const GROUP_CONVERTERS: Readonly<Record<ConvertGroup, (c: Converter) => void>> = {
  labels: convertLabels,
  ports: convertPorts,
  volumes: convertVolumes,
  secrets: convertSecretsAndConfigs,
  networks: convertNetworking,
  restart: convertRestart,
  resources: convertResources,
  deploy: convertDeploy,
};

interface StagePlan {
  group?: ConvertGroup;
  rows: ServiceAttribute[];
}

/** Each stage's group and rows, read once from the table. */
export const STAGE_PLAN: ReadonlyMap<Stage, StagePlan> = (() => {
  const plan = new Map<Stage, StagePlan>(STAGES.map((s) => [s, { rows: [] }]));
  for (const row of SERVICE_ATTRIBUTES as readonly ServiceAttribute[]) {
    const rule = row.container;
    if (!("stage" in rule)) continue;
    const step = plan.get(rule.stage)!;
    if ("group" in rule) {
      if (step.group !== undefined && step.group !== rule.group) throw new Error(`stage ${rule.stage} has two groups: ${step.group}, ${rule.group}`);
      step.group = rule.group;
    } else step.rows.push(row);
  }
  return plan;
})();

/** The create body of one container of `serviceName`. */
export function containerSpec(svc: ServiceConfig, serviceName: string, id: ContainerIdentity, ctx: ConvertContext): ContainerSpecResult {
  const c = new Converter(svc, serviceName, id, ctx);
  c.spec.AttachStdout = !!id.oneoff;
  c.spec.AttachStderr = !!id.oneoff;
  for (const stage of STAGES) {
    const step = STAGE_PLAN.get(stage)!;
    if (step.group !== undefined) GROUP_CONVERTERS[step.group](c);
    for (const row of step.rows) {
      const value = svc[row.key];
      if (value === undefined) continue;
      const rule = row.container;
      if ("apply" in rule) rule.apply(value, c);
      else if ("unsupported" in rule) c.warn(row.key, rule.unsupported);
    }
  }
  return { spec: c.spec, warnings: c.warnings, extraNetworks: c.extraNetworks, filesToInject: c.files };
}

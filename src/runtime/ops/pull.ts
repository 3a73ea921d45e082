/** `pull`: the services' images (services without `image:` have nothing to pull). */
import type { Engine } from "../engine.js";
import { imageName, pullImage } from "../images.js";
import type { OperationBase, PullMode } from "../options.js";
import { resolveTargets } from "../plan.js";
import type { ServiceConfig } from "../../spec/model.js";
import { checkServices, engineOf, needFiles, type EngineLike, type ProjectRef, type ServiceSelection } from "./project-ref.js";
import { tolerated } from "./tolerated.js";

export interface PullOptions extends OperationBase {
  /** Skip services that have a `build:` section. */
  ignoreBuildable?: boolean;
  /** Report failed pulls as warnings and go on (the result lists them). */
  ignorePullFailures?: boolean;
  /** Pull the named services' dependencies too. */
  includeDeps?: boolean;
  /** `missing`: pull only images the engine does not have. */
  policy?: PullMode;
  quiet?: boolean;
}

export interface PullResult {
  pulled: string[];
  skipped: string[];
  /** Services whose pull failed (only with ignorePullFailures). */
  failed: string[];
}

export async function pullServices(engine: EngineLike, project: ProjectRef, opts: PullOptions & ServiceSelection = {}): Promise<PullResult> {
  const { services } = opts;
  needFiles(project, "pull");
  checkServices(project, services);
  const connected = await engineOf(engine);
  const names = resolveTargets(project.config, { ...(services ? { services } : {}), noDeps: !opts.includeDeps });
  const result: PullResult = { pulled: [], skipped: [], failed: [] };
  for (const s of names) {
    const svc = project.config.model.services[s]!;
    const ref = imageName(project.name, s, svc);
    if (await skipPull(connected, svc, ref, opts)) {
      result.skipped.push(s);
      continue;
    }
    if (opts.dryRun) {
      result.pulled.push(s);
      continue;
    }
    const ok = await tolerated(() => pullImage(connected, s, ref, opts.onEvent, opts.signal, svc.platform), s, opts.ignorePullFailures, opts.onEvent);
    (ok ? result.pulled : result.failed).push(s);
  }
  return result;
}

/**
 * A service pull skips: no `image:` (or buildable, with ignoreBuildable); as Compose's pull, its
 * own policy never/build; with policy missing (the option's or its own), an image already there.
 */
async function skipPull(engine: Engine, svc: ServiceConfig, ref: string, opts: PullOptions): Promise<boolean> {
  if (!svc.image || (svc.build && opts.ignoreBuildable)) return true;
  if (svc.pull_policy === "never" || svc.pull_policy === "build") return true;
  return (opts.policy === "missing" || svc.pull_policy === "missing") && Boolean(await engine.inspectImage(ref));
}

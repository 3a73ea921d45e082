/**
 * `push`: the images of services that have both `build:` and `image:` (the image and every
 * `build.tags` entry), as Compose does; other services are skipped.
 */
import { pushImage, withDefaultTag } from "../images.js";
import type { OperationBase } from "../options.js";
import { resolveTargets } from "../plan.js";
import { checkServices, engineOf, needFiles, type EngineLike, type ProjectRef, type ServiceSelection } from "./project-ref.js";
import { tolerated } from "./tolerated.js";

export interface PushOptions extends OperationBase {
  /** Report failed pushes as warnings and go on (the result lists them). */
  ignorePushFailures?: boolean;
  /** Push the named services' dependencies too. */
  includeDeps?: boolean;
  quiet?: boolean;
}

export interface PushResult {
  /** The references pushed (a service's image and its build.tags). */
  pushed: string[];
  /** Services with nothing to push (no build section or no image name). */
  skipped: string[];
  /** References whose push failed (only with ignorePushFailures). */
  failed: string[];
}

export async function pushServices(engine: EngineLike, project: ProjectRef, opts: PushOptions & ServiceSelection = {}): Promise<PushResult> {
  const { services } = opts;
  needFiles(project, "push");
  checkServices(project, services);
  const connected = await engineOf(engine);
  const names = resolveTargets(project.config, { ...(services ? { services } : {}), noDeps: !opts.includeDeps });
  const result: PushResult = { pushed: [], skipped: [], failed: [] };
  for (const s of names) {
    const svc = project.config.model.services[s]!;
    if (!svc.build || !svc.image) {
      result.skipped.push(s);
      opts.onEvent?.({ type: "resource", kind: "service", name: s, status: "Skipped", service: s });
      continue;
    }
    for (const ref of [...new Set([svc.image, ...(svc.build.tags ?? [])])].map(withDefaultTag)) {
      if (opts.dryRun) {
        result.pushed.push(ref);
        continue;
      }
      const ok = await tolerated(() => pushImage(connected, s, ref, opts.quiet ? undefined : opts.onEvent, opts.signal), s, opts.ignorePushFailures, opts.onEvent);
      (ok ? result.pushed : result.failed).push(ref);
    }
  }
  return result;
}

/**
 * Which image reference each service is sent with, under `--resolve-image always|changed|never`
 * (docker stack deploy's flag, same meanings):
 *   - always: every image is pinned by digest when one is known;
 *   - changed: only services that are new, or whose `image:` differs from the deployed one (the
 *     `com.docker.stack.image` label), are pinned; the others keep the reference they run with, so
 *     an unchanged file updates nothing even when the tag moved meanwhile;
 *   - never: nothing is pinned; a service whose `image:` is unchanged keeps the reference it runs
 *     with (as docker stack does, so switching to `never` does not roll the service).
 * Images this deploy built and pushed are pinned in every mode: their tag has new content.
 * Pure apart from `digestOf`, which answers the digest the engine knows for a reference.
 */
import type { ServiceConfig } from "../../spec/model.js";
import type { ServiceSummary } from "../../runtime/engine-swarm.js";
import { LABEL_IMAGE, LABEL_NAMESPACE, scoped } from "./names.js";

export type ResolveImage = "always" | "changed" | "never";

export const RESOLVE_IMAGE_MODES: readonly ResolveImage[] = ["always", "changed", "never"];

export interface ChooseImagesInput {
  stack: string;
  services: Readonly<Record<string, ServiceConfig>>;
  /** The services the swarm runs now (any stack; only this stack's are looked at). */
  deployed: readonly ServiceSummary[];
  resolve: ResolveImage;
  /** Services whose image this deploy built and pushed (always pinned). */
  pushed?: ReadonlySet<string>;
  /** `sha256:…` for a reference, or undefined when none is known. */
  digestOf: (ref: string) => Promise<string | undefined>;
}

/** `repo:tag@sha256:…` for `repo:tag` (a reference that already has a digest is kept). */
export function pinned(ref: string, digest: string): string {
  return ref.includes("@") ? ref : `${ref}@${digest}`;
}

/** The image to send per service key, for the services whose reference is not the file's own. */
export async function chooseImages(input: ChooseImagesInput): Promise<Record<string, string>> {
  const running = new Map(
    input.deployed.filter((s) => s.spec.Labels?.[LABEL_NAMESPACE] === input.stack).map((s) => [s.spec.Name, s] as const),
  );
  const out: Record<string, string> = {};
  for (const [key, svc] of Object.entries(input.services)) {
    const ref = svc.image;
    if (!ref) continue;
    const now = running.get(scoped(input.stack, key));
    const unchanged = now !== undefined && now.spec.Labels?.[LABEL_IMAGE] === ref;
    const resolve = input.pushed?.has(key) === true || input.resolve === "always" || (input.resolve === "changed" && !unchanged);
    if (resolve) {
      const digest = ref.includes("@") ? undefined : await input.digestOf(ref);
      if (digest !== undefined) out[key] = pinned(ref, digest);
      continue;
    }
    const current = now?.spec.TaskTemplate.ContainerSpec.Image;
    if (unchanged && current !== undefined && current !== ref) out[key] = current;
  }
  return out;
}

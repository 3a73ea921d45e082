/**
 * Names and labels of a stack's Swarm objects, as `docker stack` writes them (so `docker stack
 * ls/ps/rm` see what Flotilla deployed and the other way round), plus Flotilla's own labels for
 * convergence. Pure.
 */
import { createHash } from "node:crypto";

/** The label `docker stack` filters on: the whole state of a stack. */
export const LABEL_NAMESPACE = "com.docker.stack.namespace";
/** The image as written in the file (the spec may pin it by digest). */
export const LABEL_IMAGE = "com.docker.stack.image";
/** Hash of the service spec Flotilla sent: equal hash, no update. */
export const LABEL_SPEC_HASH = "io.flotilla.spec-hash";
/** On secrets and configs: the key in the file, so old versions (other content hashes) can be found and pruned. */
export const LABEL_OBJECT = "io.flotilla.object";

/** `<stack>_<name>`, as docker stack scopes every object. */
export const scoped = (stack: string, name: string): string => `${stack}_${name}`;

/** First 8 hex digits of the content's sha256: the version suffix of secret and config names. */
export function contentHash8(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex").slice(0, 8);
}

/**
 * The Swarm name of a network, volume, secret or config declared under `key`. The loader fills
 * `name` with `<project>_<key>` when the file gives none: that default becomes `<stack>_<key>`;
 * a name the file gives (or an external one) is kept as written.
 */
export function objectName(stack: string, project: string, key: string, name: string | undefined, external: boolean | undefined): string {
  if (external) return name ?? key;
  if (name === undefined || name === "" || name === `${project}_${key}`) return scoped(stack, key);
  return name;
}

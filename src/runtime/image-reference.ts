/**
 * The repository and tag Compose shows for a container's image (`docker compose images`): parsed from the
 * reference the container was created with, as distribution/reference's ParseDockerRef + FamiliarName do —
 * `busybox` is busybox:latest, `docker.io/library/redis:7` is redis:7, a registry port is not a tag, a
 * digest drops the tag, and an image ID (or anything that is not a reference) has neither.
 */
const COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const DOMAIN = "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?";
const NAME = new RegExp(`^(?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*$`);
const TAG = /^[\w][\w.-]{0,127}$/;

export function repositoryAndTag(ref: string): { repository: string; tag: string } {
  const none = { repository: "", tag: "" };
  if (/^(?:sha256:)?[a-f0-9]{64}$/.test(ref)) return none;
  let name = ref;
  let digest: string | undefined;
  const at = name.indexOf("@");
  if (at >= 0) {
    digest = name.slice(at + 1);
    name = name.slice(0, at);
    if (!/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(digest)) return none;
  }
  let tag = "";
  const colon = name.lastIndexOf(":");
  if (colon > name.lastIndexOf("/")) {
    tag = name.slice(colon + 1);
    name = name.slice(0, colon);
    if (!TAG.test(tag)) return none;
  }
  if (!NAME.test(name)) return none;
  // The first component is a registry only when it looks like a host (has . or :, or is localhost).
  const first = name.split("/")[0] ?? "";
  const hasDomain = name.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost" || first !== first.toLowerCase());
  const dockerHub = !hasDomain || first === "docker.io" || first === "index.docker.io";
  if (hasDomain && dockerHub) name = name.slice(first.length + 1);
  if (dockerHub && name.startsWith("library/") && !name.slice("library/".length).includes("/")) name = name.slice("library/".length);
  if (digest !== undefined) tag = "";
  else if (tag === "") tag = "latest";
  return { repository: name, tag };
}

/** containerd's platforms.Format: `linux/amd64`, `linux/arm64/v8`, `unknown` without an OS. */
export function formatPlatform(p: { os?: string; architecture?: string; variant?: string } | undefined): string {
  if (p?.os === undefined || p.os === "") return "unknown";
  return [p.os, p.architecture, p.variant].filter((x) => x !== undefined && x !== "").join("/");
}

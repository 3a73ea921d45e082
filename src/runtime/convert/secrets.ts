/** The `secrets` group: file-based secrets and configs bind-mounted read-only; environment and inline ones written after create. */
import type { ServiceSecretRef } from "../../spec/model.js";
import type { Converter } from "./converter.js";
import type { FileToInject } from "./types.js";

function parseId(v: string | undefined): number | undefined {
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  return Number.isInteger(n) ? n : undefined;
}

/** The `secrets` group: `secrets`, then `configs`. */
export function convertSecretsAndConfigs(c: Converter): void {
  convertSecrets(c, "secrets", c.svc.secrets ?? []);
  convertSecrets(c, "configs", c.svc.configs ?? []);
}

function convertSecrets(c: Converter, kind: "secrets" | "configs", refs: readonly ServiceSecretRef[]): void {
  const model = c.ctx.project.model;
  const defs = kind === "secrets" ? model.secrets : model.configs;
  const mounts = (c.host.Mounts as Record<string, unknown>[] | undefined) ?? [];
  for (const ref of refs) {
    const def = defs[ref.source];
    const attr = `${kind}.${ref.source}`;
    if (!def) {
      c.warn(attr, `refers to an undefined ${kind === "secrets" ? "secret" : "config"} and is ignored`);
      continue;
    }
    let target: string;
    if (kind === "secrets") target = ref.target ? (ref.target.startsWith("/") ? ref.target : `/run/secrets/${ref.target}`) : `/run/secrets/${ref.source}`;
    else target = ref.target ? (ref.target.startsWith("/") ? ref.target : `/${ref.target}`) : `/${ref.source}`;
    if (def.external) {
      c.warn(attr, "is external: external secrets and configs need swarm and are not mounted");
      continue;
    }
    const defaultMode = 0o444;
    if (def.file !== undefined) {
      if (ref.uid !== undefined || ref.gid !== undefined || ref.mode !== undefined) {
        c.warn(attr, "uid/gid/mode are not applied to file-based secrets and configs (the file is bind-mounted as is)");
      }
      mounts.push({ Type: "bind", Source: def.file, Target: target, ReadOnly: true });
      continue;
    }
    let content: string | undefined;
    if (def.content !== undefined) content = def.content;
    else if (def.environment !== undefined) {
      content = c.ctx.project.environment[def.environment];
      if (content === undefined) {
        c.warn(attr, `takes its value from the environment variable ${def.environment}, which is not set; an empty file is used`);
        content = "";
      }
    }
    if (content === undefined) {
      c.warn(attr, "has no file, environment or content and is ignored");
      continue;
    }
    const file: FileToInject = { containerPath: target, content, mode: ref.mode ?? defaultMode };
    const uid = parseId(ref.uid);
    const gid = parseId(ref.gid);
    if (uid !== undefined) file.uid = uid;
    if (gid !== undefined) file.gid = gid;
    c.files.push(file);
  }
  if (mounts.length > 0) c.host.Mounts = mounts;
}

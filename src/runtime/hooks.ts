/**
 * What runs inside a service's containers besides its command: `post_start` / `pre_stop` hooks
 * (through exec), and files put into a container as a tar archive.
 */
import { pack } from "tar-stream";
import { ServiceError } from "../errors.js";
import type { ServiceConfig } from "../spec/model.js";
import { hookExecOptions, serviceHooks } from "./convert.js";
import type { Engine } from "./engine.js";

/** A tar (as a Buffer) holding files at absolute container paths, for putArchive at "/". */
export async function tarFiles(files: readonly { containerPath: string; content: string | Buffer; mode?: number; uid?: number; gid?: number }[]): Promise<Buffer> {
  const p = pack();
  for (const f of files) {
    const content = typeof f.content === "string" ? Buffer.from(f.content) : f.content;
    p.entry({ name: f.containerPath.replace(/^\/+/, ""), mode: f.mode ?? 0o444, size: content.length, uid: f.uid ?? 0, gid: f.gid ?? 0 }, content);
  }
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p as unknown as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

/**
 * Run a service's `post_start` or `pre_stop` hooks in one container, in order, through
 * `engine.exec`. A hook that exits non-zero throws CONTAINER_FAILED naming the service, the
 * container, the command and its output (the caller decides whether that fails the operation).
 */
export async function runHooks(
  engine: Engine,
  svc: ServiceConfig,
  service: string,
  container: { id: string; name: string },
  kind: "post_start" | "pre_stop",
  signal?: AbortSignal,
): Promise<number> {
  const hooks = serviceHooks(svc, kind);
  for (const hook of hooks) {
    const result = await engine.exec(container.id, hookExecOptions(hook), signal);
    if (result.exitCode !== 0) {
      const output = `${result.stdout}${result.stderr}`.trim();
      const tail = output.split("\n").slice(-20).join("\n");
      throw new ServiceError(
        "CONTAINER_FAILED",
        service,
        `service "${service}": ${kind} hook ${JSON.stringify(hook.command)} in container ${container.name} exited with status ${result.exitCode}${tail ? `:\n${tail}` : ""}`,
        { hint: `fix the ${kind} command of service ${service} (it runs inside the container, like \`exec\`)` },
      );
    }
  }
  return hooks.length;
}

/** Small helpers of the contract cases. */
import type { Readable } from "node:stream";
import * as tarStream from "tar-stream";
import { isFlotillaError, type ErrorCode } from "../../../src/errors.js";
import type { LogChunk } from "../../../src/runtime/engine.js";

export async function collect(it: AsyncIterable<LogChunk>): Promise<{ stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  for await (const c of it) {
    if (c.stream === "stdout") stdout += c.data.toString("utf8");
    else stderr += c.data.toString("utf8");
  }
  return { stdout, stderr };
}

export function tarOf(files: Record<string, string>): Promise<Buffer> {
  return tarEntries(Object.entries(files).map(([name, content]) => ({ name, content, mode: 0o644, uid: 0, gid: 0 })));
}

/** A tar of files with their mode and owner in the headers. */
export function tarEntries(files: readonly { name: string; content: string; mode: number; uid: number; gid: number }[]): Promise<Buffer> {
  const pack = tarStream.pack();
  for (const f of files) pack.entry({ name: f.name, mode: f.mode, uid: f.uid, gid: f.gid }, f.content);
  pack.finalize();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    pack.on("data", (c: unknown) => {
      chunks.push(c as Buffer);
    });
    pack.on("end", () => resolve(Buffer.concat(chunks)));
    pack.on("error", reject);
  });
}

/** The regular files of a tar stream: name (without a leading ./ or /) → content. */
export async function untar(stream: Readable): Promise<Map<string, string>> {
  const extract = tarStream.extract();
  stream.pipe(extract);
  const files = new Map<string, string>();
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    if (entry.header.type === "file") files.set(entry.header.name.replace(/^\.?\//, ""), Buffer.concat(chunks).toString("utf8"));
  }
  return files;
}

/** An assert.rejects validator: a FlotillaError with this code. */
export function withCode(code: ErrorCode): (e: unknown) => boolean {
  return (e: unknown) => {
    if (!isFlotillaError(e)) throw new Error(`expected a FlotillaError ${code}, got ${String(e)}`);
    if (e.code !== code) throw new Error(`expected ${code}, got ${e.code}: ${e.message}`);
    return true;
  };
}

/** Poll `check` until it returns true (an engine applies some changes a moment after answering); bounded generously for a loaded machine. */
export async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 10; ; wait = Math.min(wait * 2, 200)) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, wait));
  }
}

/**
 * Copying files into containers: one tar archive per batch (tar-stream), extracted at "/" by the
 * engine so entries carry their absolute container paths; deletions are an `rm -rf` exec. Parent
 * directories are not written as entries (the engine creates missing parents), so existing
 * directories — or symlinks to them — in the image are never overwritten; only directories that
 * are themselves part of the change get an entry (to keep their mode).
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { pack } from "tar-stream";
import type { Engine } from "../engine.js";

export interface SyncFile {
  /** Absolute host path. */
  hostPath: string;
  /** Absolute POSIX path in the container. */
  containerPath: string;
}

export interface PackedArchive {
  tar: Buffer;
  /** Container paths written (files, symlinks and directories). */
  written: string[];
  /** Host paths that vanished before they could be read (treat as deleted). */
  vanished: SyncFile[];
}

/** Map with at most `limit` calls in flight; results in input order. */
export async function mapLimit<A, B>(items: readonly A[], limit: number, fn: (item: A, index: number) => Promise<B>): Promise<B[]> {
  const out = new Array<B>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i] as A, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

type Loaded =
  | { kind: "file"; f: SyncFile; mode: number; mtime: Date; data: Buffer }
  | { kind: "symlink"; f: SyncFile; mode: number; mtime: Date; link: string }
  | { kind: "directory"; f: SyncFile; mode: number; mtime: Date }
  | { kind: "gone"; f: SyncFile };

async function load(f: SyncFile): Promise<Loaded> {
  try {
    const st = await fs.lstat(f.hostPath);
    if (st.isSymbolicLink()) return { kind: "symlink", f, mode: st.mode & 0o7777, mtime: st.mtime, link: await fs.readlink(f.hostPath) };
    if (st.isDirectory()) return { kind: "directory", f, mode: st.mode & 0o7777, mtime: st.mtime };
    if (!st.isFile()) return { kind: "gone", f }; // sockets, fifos: nothing to copy
    return { kind: "file", f, mode: st.mode & 0o7777, mtime: st.mtime, data: await fs.readFile(f.hostPath) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return { kind: "gone", f };
    throw e;
  }
}

function entryName(containerPath: string): string {
  return path.posix.normalize(containerPath).replace(/^\/+/, "");
}

/**
 * Who owns synced files in the container. Compose extracts with copyUIDGID (the container's user);
 * a numeric `user: "uid[:gid]"` is written into the tar headers instead (older engines resolve
 * copyUIDGID's user on the host and fail on those), a named user uses copyUIDGID.
 */
export type SyncOwner = { uid: number; gid: number } | "container-user";

export function syncOwner(user: string | undefined): SyncOwner {
  const u = (user ?? "").trim();
  if (u === "" || u === "root" || u === "0" || u === "0:0") return { uid: 0, gid: 0 };
  const numeric = /^(\d+)(?::(\d+))?$/.exec(u);
  if (numeric) return { uid: Number(numeric[1]), gid: numeric[2] !== undefined ? Number(numeric[2]) : 0 };
  return "container-user";
}

/**
 * Read the files and pack them into one tar. Directories listed in `files` get their own entry,
 * written before the files (sorted by path); files keep their mode and mtime; the owner is `owner`
 * (default root).
 */
export async function packFiles(files: readonly SyncFile[], readParallel = 32, owner: { uid: number; gid: number } = { uid: 0, gid: 0 }): Promise<PackedArchive> {
  const { uid, gid } = owner;
  const unique = new Map<string, SyncFile>();
  for (const f of files) unique.set(entryName(f.containerPath), f);
  const loaded = await mapLimit([...unique.values()], readParallel, load);
  loaded.sort((a, b) => (entryName(a.f.containerPath) < entryName(b.f.containerPath) ? -1 : 1));
  const p = pack();
  const chunks: Buffer[] = [];
  p.on("data", (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    p.on("end", resolve);
    p.on("error", reject);
  });
  const written: string[] = [];
  const vanished: SyncFile[] = [];
  for (const l of loaded) {
    const name = entryName(l.f.containerPath);
    switch (l.kind) {
      case "gone":
        vanished.push(l.f);
        break;
      case "directory":
        p.entry({ name, type: "directory", mode: l.mode, mtime: l.mtime, uid, gid });
        written.push(l.f.containerPath);
        break;
      case "symlink":
        p.entry({ name, type: "symlink", linkname: l.link, mode: l.mode, mtime: l.mtime, uid, gid });
        written.push(l.f.containerPath);
        break;
      case "file":
        p.entry({ name, type: "file", mode: l.mode, mtime: l.mtime, size: l.data.length, uid, gid }, l.data);
        written.push(l.f.containerPath);
        break;
    }
  }
  p.finalize();
  await done;
  return { tar: Buffer.concat(chunks), written, vanished };
}

/** `rm -rf` argument lists stay well under the exec argument limit. */
const RM_CHUNK = 500;

export interface ContainerSync {
  /** The tar to extract at "/" (undefined when nothing to write). */
  tar?: Buffer;
  /** Absolute container paths to delete. */
  deletions: readonly string[];
}

/**
 * Apply one batch to one container: deletions first, then the archive. With `copyUIDGID`, the files
 * go to the container's user; an engine that cannot resolve that user gets the archive as it is
 * (`ownerFallback` says so).
 */
export async function syncContainer(engine: Engine, id: string, change: ContainerSync, signal?: AbortSignal, copyUIDGID = false): Promise<{ archives: number; ownerFallback?: string }> {
  for (let i = 0; i < change.deletions.length; i += RM_CHUNK) {
    const paths = change.deletions.slice(i, i + RM_CHUNK);
    const r = await engine.exec(id, { cmd: ["rm", "-rf", "--", ...paths] }, signal);
    if (r.exitCode !== 0) throw new Error(`rm -rf exited with ${r.exitCode}: ${(r.stderr || r.stdout).trim()}`);
  }
  if (change.tar && change.tar.length > 0) {
    if (copyUIDGID) {
      try {
        await engine.putArchive(id, "/", change.tar, { copyUIDGID: true });
        return { archives: 1 };
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        if (!/getent|passwd|unable to find (user|entry)|no such user/i.test(message)) throw e;
        await engine.putArchive(id, "/", change.tar);
        return { archives: 1, ownerFallback: message };
      }
    }
    await engine.putArchive(id, "/", change.tar);
    return { archives: 1 };
  }
  return { archives: 0 };
}

/**
 * File events from chokidar (native fs.watch/inotify, no polling): one watcher for all rule paths,
 * pruned with a function (chokidar 5 has no globs). Every event is reported as "changed" or
 * "removed"; what a path is at flush time is decided later by looking at the disk, so editors'
 * atomic saves (unlink + add) need no special handling here.
 */
import { watch, type FSWatcher } from "chokidar";

export type FileEventKind = "changed" | "removed";

export interface FileEvent {
  path: string;
  kind: FileEventKind;
  /** True when the event is about a directory (addDir/unlinkDir). */
  dir: boolean;
}

export interface WatchFilesOptions {
  /** May this path (and anything below it, for a directory) be skipped? */
  prune: (absPath: string) => boolean;
  onEvent: (event: FileEvent) => void;
  onError?: (error: unknown) => void;
  /** Poll instead of using native events (only for file systems without them). */
  usePolling?: boolean;
}

export interface FileWatcher {
  close(): Promise<void>;
}

/** Start watching; resolves once the initial scan is done (events before that are not missed). */
export async function watchFiles(paths: readonly string[], options: WatchFilesOptions): Promise<FileWatcher> {
  const w: FSWatcher = watch([...paths], {
    ignoreInitial: true,
    persistent: true,
    followSymlinks: false,
    awaitWriteFinish: false,
    atomic: false,
    usePolling: options.usePolling === true,
    ignored: (p: string) => options.prune(p),
  });
  w.on("add", (p) => options.onEvent({ path: p, kind: "changed", dir: false }));
  w.on("change", (p) => options.onEvent({ path: p, kind: "changed", dir: false }));
  w.on("unlink", (p) => options.onEvent({ path: p, kind: "removed", dir: false }));
  w.on("addDir", (p) => options.onEvent({ path: p, kind: "changed", dir: true }));
  w.on("unlinkDir", (p) => options.onEvent({ path: p, kind: "removed", dir: true }));
  w.on("error", (e) => options.onError?.(e));
  await new Promise<void>((resolve) => w.once("ready", () => resolve()));
  return { close: () => w.close() };
}

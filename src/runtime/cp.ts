/**
 * `cp`: files between the host and a container, through tar archives of the Engine API. The
 * destination rules are `docker cp`'s: into an existing directory (or a path ending in `/`) the
 * source keeps its name; otherwise the destination names it.
 */
import { existsSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { posix } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { extract, pack, type ExtractOptions } from "tar-fs";
import { FlotillaError } from "../errors.js";
import type { Engine } from "./engine.js";

/** A tar header name with its first path element `from` renamed to `to`. */
function renameTop(name: string, from: string, to: string): string {
  const clean = name.replace(/^\.\//, "");
  if (clean === from) return to;
  return clean.startsWith(`${from}/`) ? `${to}${clean.slice(from.length)}` : clean;
}

function needCopy(engine: Engine): asserts engine is Engine & Required<Pick<Engine, "getArchive" | "statPath">> {
  if (!engine.getArchive || !engine.statPath) throw new FlotillaError("ENGINE", "this engine cannot copy files");
}

export interface CopyOptions {
  /** `-a`: keep the source's owners (by default, files copied in belong to root, files copied out to the caller). */
  archive?: boolean;
  /** `-L`: a host source that is a symbolic link is copied as what it points to. */
  followLink?: boolean;
}

/** Copy the host file or directory `source` to `dest` in the container. */
export async function copyToContainer(engine: Engine, id: string, source: string, dest: string, opts: CopyOptions = {}): Promise<void> {
  needCopy(engine);
  const given = resolve(source);
  if (!existsSync(given)) throw new FlotillaError("USAGE", `no such file or directory: ${source}`);
  const src = opts.followLink ? realpathSync(given) : given;
  const stat = await engine.statPath(id, dest);
  const intoDir = stat?.isDirectory === true;
  if (!intoDir && dest.endsWith("/")) throw new FlotillaError("USAGE", `no such directory in the container: ${dest}`);
  if (!intoDir && stat === undefined && !(await engine.statPath(id, posix.dirname(dest)))?.isDirectory) {
    throw new FlotillaError("USAGE", `no such directory in the container: ${posix.dirname(dest)}`);
  }
  const top = basename(src);
  // the link's own name when it was followed, as docker cp -L names it
  const name = intoDir ? basename(given) : posix.basename(dest);
  const archive = pack(dirname(src), {
    entries: [top],
    map: (h) => {
      h.name = renameTop(h.name, top, name);
      if (!opts.archive) {
        h.uid = 0;
        h.gid = 0;
      }
      return h;
    },
  });
  await engine.putArchive(id, intoDir ? dest : posix.dirname(dest), archive as unknown as Readable);
}

/** Copy `source` in the container to the host path `dest`. */
export async function copyFromContainer(engine: Engine, id: string, source: string, dest: string, opts: CopyOptions = {}): Promise<void> {
  needCopy(engine);
  if ((await engine.statPath(id, source)) === undefined) throw new FlotillaError("USAGE", `no such file or directory in the container: ${source}`);
  const target = resolve(dest);
  const intoDir = (existsSync(target) && statSync(target).isDirectory()) || dest.endsWith("/");
  if (!intoDir && !existsSync(dirname(target))) throw new FlotillaError("USAGE", `no such directory: ${dirname(target)}`);
  const top = posix.basename(source.replace(/\/+$/, "")) || "/";
  const name = intoDir ? top : basename(target);
  await pipeline(
    await engine.getArchive(id, source),
    extract(intoDir ? target : dirname(target), {
      // tar-fs chowns to the archive's owners when run as root; docker cp does only with -a
      chown: opts.archive === true,
      map: (h) => {
        h.name = renameTop(h.name, top, name);
        return h;
      },
    } as ExtractOptions),
  );
}

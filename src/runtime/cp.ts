/**
 * `cp`: files between the host and a container, through tar archives of the Engine API. The
 * destination rules are `docker cp`'s: into an existing directory (or a path ending in `/`) the
 * source keeps its name; otherwise the destination names it.
 */
import { existsSync, statSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { posix } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { extract, pack } from "tar-fs";
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

/** Copy the host file or directory `source` to `dest` in the container. */
export async function copyToContainer(engine: Engine, id: string, source: string, dest: string): Promise<void> {
  needCopy(engine);
  const src = resolve(source);
  if (!existsSync(src)) throw new FlotillaError("USAGE", `no such file or directory: ${source}`);
  const stat = await engine.statPath(id, dest);
  const intoDir = stat?.isDirectory === true;
  if (!intoDir && dest.endsWith("/")) throw new FlotillaError("USAGE", `no such directory in the container: ${dest}`);
  if (!intoDir && stat === undefined && !(await engine.statPath(id, posix.dirname(dest)))?.isDirectory) {
    throw new FlotillaError("USAGE", `no such directory in the container: ${posix.dirname(dest)}`);
  }
  const top = basename(src);
  const name = intoDir ? top : posix.basename(dest);
  const archive = pack(dirname(src), {
    entries: [top],
    map: (h) => {
      h.name = renameTop(h.name, top, name);
      return h;
    },
  });
  await engine.putArchive(id, intoDir ? dest : posix.dirname(dest), archive as unknown as Readable);
}

/** Copy `source` in the container to the host path `dest`. */
export async function copyFromContainer(engine: Engine, id: string, source: string, dest: string): Promise<void> {
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
      map: (h) => {
        h.name = renameTop(h.name, top, name);
        return h;
      },
    }),
  );
}

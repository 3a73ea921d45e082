/**
 * Packs a build context as a tar stream for the engine's classic builder, honouring
 * `.dockerignore` the way `docker build` does: `<Dockerfile>.dockerignore` next to the Dockerfile
 * wins over `<context>/.dockerignore`; patterns are matched on context-relative POSIX paths;
 * the Dockerfile and the ignore file are always sent. `dockerfile_inline`, or a Dockerfile that
 * lives outside the context, is added to the tar under a generated name.
 */
import { lstatSync, promises as fs } from "node:fs";
import * as path from "node:path";
import type { Readable } from "node:stream";
import { pack } from "tar-fs";
import dockerignore from "@balena/dockerignore";
import { FlotillaError } from "../errors.js";

/** The tar entry name used for `dockerfile_inline` (and for a Dockerfile outside the context). */
export const INLINE_DOCKERFILE = ".flotilla.Dockerfile.inline";

export interface DockerfilePlacement {
  /** The name to pass to the engine (`dockerfile` build parameter): context-relative, POSIX. */
  name: string;
  /** Content to add to the tar under `name` (inline, or a Dockerfile outside the context). */
  content?: string;
  /** Absolute path of the Dockerfile on disk, when it is a file. */
  file?: string;
}

function toPosix(p: string): string {
  return p.split(path.sep).join("/");
}

/**
 * Where the Dockerfile is: `dockerfileInline` wins; otherwise `dockerfile` (relative to the
 * context, or absolute) defaulting to `Dockerfile`.
 */
export async function placeDockerfile(contextDir: string, dockerfile: string | undefined, dockerfileInline?: string): Promise<DockerfilePlacement> {
  if (dockerfileInline !== undefined) return { name: INLINE_DOCKERFILE, content: dockerfileInline };
  const abs = path.resolve(contextDir, dockerfile ?? "Dockerfile");
  const rel = path.relative(contextDir, abs);
  if (rel.startsWith("..") || path.isAbsolute(rel)) {
    let content: string;
    try {
      content = await fs.readFile(abs, "utf8");
    } catch (e) {
      throw new FlotillaError("BUILD_FAILED", `cannot read Dockerfile ${abs}: ${(e as Error).message}`, {
        hint: "check build.dockerfile (it is relative to build.context)",
        cause: e,
      });
    }
    return { name: INLINE_DOCKERFILE, content, file: abs };
  }
  return { name: toPosix(rel), file: abs };
}

async function readIgnoreFile(contextDir: string, placement: DockerfilePlacement): Promise<{ patterns: string[]; rel?: string }> {
  const candidates: string[] = [];
  if (placement.file) candidates.push(`${placement.file}.dockerignore`);
  candidates.push(path.join(contextDir, ".dockerignore"));
  for (const file of candidates) {
    let text: string;
    try {
      text = await fs.readFile(file, "utf8");
    } catch {
      continue;
    }
    const patterns = text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("#"));
    const rel = path.relative(contextDir, file);
    return rel.startsWith("..") ? { patterns } : { patterns, rel: toPosix(rel) };
  }
  return { patterns: [] };
}

/**
 * A tar stream of `contextDir` filtered by `.dockerignore`. Use {@link placeDockerfile} (same
 * arguments) for the Dockerfile name to give the engine.
 */
export async function packBuildContext(contextDir: string, dockerfile: string | undefined, dockerfileInline?: string): Promise<Readable> {
  const root = path.resolve(contextDir);
  let st;
  try {
    st = await fs.stat(root);
  } catch (e) {
    throw new FlotillaError("BUILD_FAILED", `build context ${root} does not exist`, { hint: "check build.context (relative to the project directory)", cause: e });
  }
  if (!st.isDirectory()) throw new FlotillaError("BUILD_FAILED", `build context ${root} is not a directory`, { hint: "build.context must be a directory" });

  const placement = await placeDockerfile(root, dockerfile, dockerfileInline);
  const { patterns, rel: ignoreRel } = await readIgnoreFile(root, placement);
  // The package is CommonJS with `factory.default = factory`; NodeNext types the default import as the module.
  const ig = dockerignore.default().add(patterns);
  // Exception patterns ("!x"), cleaned like Docker does, for deciding whether to walk an ignored directory.
  const exceptions = patterns.filter((p) => p.startsWith("!")).map((p) => path.posix.normalize(p.slice(1).trim().replace(/^\/+/, "")));
  const alwaysSent = new Set<string>();
  if (placement.content === undefined) alwaysSent.add(placement.name);
  if (ignoreRel) alwaysSent.add(ignoreRel);
  // Directories on the way to an always-sent file must be walked even if ignored.
  const mustWalk = new Set<string>();
  for (const f of alwaysSent) {
    const parts = f.split("/");
    for (let i = 1; i < parts.length; i++) mustWalk.add(parts.slice(0, i).join("/"));
  }

  const isIgnored = (abs: string): boolean => {
    const rel = toPosix(path.relative(root, abs));
    if (rel === "" || alwaysSent.has(rel) || mustWalk.has(rel)) return false;
    if (!ig.ignores(rel)) return false;
    // An ignored directory is still walked when an exception pattern names something inside it
    // (Docker's rule: the pattern starts with "<dir>/"); its files are then checked one by one.
    const dirSlash = `${rel}/`;
    if (exceptions.some((p) => `${p}/`.startsWith(dirSlash))) {
      try {
        return !lstatSync(abs).isDirectory();
      } catch {
        return true;
      }
    }
    return true;
  };

  const inline = placement.content;
  const tar = pack(root, {
    ignore: isIgnored,
    finalize: inline === undefined,
    finish:
      inline === undefined
        ? undefined
        : (p) => {
            p.entry({ name: placement.name, mode: 0o644, mtime: new Date(0) }, inline);
            p.finalize();
          },
  });
  return tar as unknown as Readable;
}


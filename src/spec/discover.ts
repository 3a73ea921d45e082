/**
 * Compose file discovery: `-f` files > `COMPOSE_FILE` > a search of the working directory and
 * its parents for the default names (plus the override file next to the winner).
 * Pure apart from file-system reads, which go through an injectable `LoaderFs`.
 */
import { readFileSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, resolve } from "node:path";
import { ConfigError, type ConfigIssue } from "../errors.js";

/** The few file-system operations the loader needs (injectable for tests). */
export interface LoaderFs {
  /** True if `path` exists and is a regular file. */
  isFile(path: string): boolean;
  /** Reads a UTF-8 text file; throws (with `code`) when it cannot. */
  readFile(path: string): string;
  /** What is at `path`: a file, a directory, something else, or nothing. Without it, the files a project needs are not checked. */
  kind?(path: string): "file" | "dir" | "other" | undefined;
}

export const nodeFs: LoaderFs = {
  isFile(path: string): boolean {
    try {
      return statSync(path).isFile();
    } catch {
      return false;
    }
  },
  readFile(path: string): string {
    return decodeText(readFileSync(path), path);
  },
  kind(path: string): "file" | "dir" | "other" | undefined {
    try {
      const st = statSync(path);
      return st.isFile() ? "file" : st.isDirectory() ? "dir" : "other";
    } catch {
      return undefined;
    }
  },
};

/**
 * A file whose bytes are not text: invalid UTF-8 or a NUL byte. Carries the 1-based position of
 * the first bad byte so the loader can say where (a silent U+FFFD would reach the container).
 */
export class BadTextError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly col: number,
    readonly what: "invalid UTF-8" | "a NUL byte",
  ) {
    super(`${file}:${line}:${col}: the file contains ${what}`);
  }
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Line and column (in characters) of byte `offset`, counting from the start of `bytes`. */
function bytePosition(bytes: Uint8Array, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  // columns count characters: the valid UTF-8 before the bad byte on its line
  const before = new TextDecoder("utf-8").decode(bytes.subarray(lineStart, offset));
  return { line, col: [...before].length + 1 };
}

/** Index of the first byte that breaks UTF-8 in `bytes` (which is known to hold one). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i]!;
    let len: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      len = 2;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      len = 3;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      len = 4;
      min = 0x10000;
    } else return i;
    if (i + len > n) return i;
    let cp = b & (len === 2 ? 0x1f : len === 3 ? 0x0f : 0x07);
    for (let k = 1; k < len; k++) {
      const c = bytes[i + k]!;
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += len;
  }
  return n;
}

/** The issue for a BadTextError: what and where, and what to do. */
export function badTextIssue(e: BadTextError): ConfigIssue {
  return {
    code: "CONFIG_READ",
    message: `${e.what === "a NUL byte" ? "a NUL byte" : "invalid UTF-8"} in ${e.file}`,
    location: { file: e.file, line: e.line, col: e.col },
    hint: e.what === "a NUL byte" ? "remove the NUL (\\0) byte: Compose files and env files are text" : "save the file as UTF-8 (it holds bytes of another encoding)",
  };
}

/** Decodes a text file strictly: invalid UTF-8 or a NUL byte throws a BadTextError with its position. */
export function decodeText(bytes: Uint8Array, file: string): string {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    const { line, col } = bytePosition(bytes, at);
    throw new BadTextError(file, line, col, "invalid UTF-8");
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    const { line, col } = bytePosition(bytes, nul);
    throw new BadTextError(file, line, col, "a NUL byte");
  }
  return text;
}

/** Compose's default file names, in the order compose-go tries them. */
export const DEFAULT_FILE_NAMES = ["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"] as const;
export const DEFAULT_OVERRIDE_FILE_NAMES = [
  "compose.override.yml",
  "compose.override.yaml",
  "docker-compose.override.yml",
  "docker-compose.override.yaml",
] as const;

/** The pseudo file name meaning "read the compose file from stdin". */
export const STDIN_FILE = "-";

export interface DiscoverInput {
  cwd: string;
  /** `-f` values, in order. */
  files?: readonly string[];
  /** Environment used for `COMPOSE_FILE` / `COMPOSE_PATH_SEPARATOR` (process env over the cwd's .env). */
  env: Readonly<Record<string, string | undefined>>;
  /** `--project-directory`, relative to cwd. */
  projectDirectory?: string;
  fs?: LoaderFs;
}

export interface DiscoveredFiles {
  /** Absolute paths, in merge order; "-" stands for stdin. */
  files: string[];
  /** Absolute project directory. */
  projectDir: string;
  /** How the files were found. */
  source: "flag" | "env" | "search";
  warnings: string[];
}

/**
 * Finds the compose files to load and the project directory.
 * Throws a ConfigError (CONFIG_NOT_FOUND) when nothing can be found.
 */
export function discoverComposeFiles(input: DiscoverInput): DiscoveredFiles {
  const fs = input.fs ?? nodeFs;
  const cwd = resolve(input.cwd);
  const warnings: string[] = [];
  let files: string[];
  let source: DiscoveredFiles["source"];

  const explicitDir =
    input.projectDirectory !== undefined && input.projectDirectory !== "" ? resolve(cwd, input.projectDirectory) : undefined;
  const given = (input.files ?? []).filter((f) => f !== "");
  const fromEnv = input.env["COMPOSE_FILE"];
  if (given.length > 0) {
    source = "flag";
    files = given.map((f) => (f === STDIN_FILE ? STDIN_FILE : resolve(cwd, f)));
    checkExist(files, fs, "-f");
  } else if (fromEnv !== undefined && fromEnv.trim() !== "") {
    source = "env";
    const sep = input.env["COMPOSE_PATH_SEPARATOR"] || ":";
    files = fromEnv
      .split(sep)
      .map((f) => f.trim())
      .filter((f) => f !== "")
      .map((f) => resolve(cwd, f));
    checkExist(files, fs, "COMPOSE_FILE");
  } else {
    source = "search";
    // Like Compose, the search starts in --project-directory when one is given.
    files = searchUp(explicitDir ?? cwd, fs, warnings);
  }

  let projectDir: string;
  if (explicitDir !== undefined) {
    projectDir = explicitDir;
  } else {
    const first = files[0];
    projectDir = first === undefined || first === STDIN_FILE ? cwd : dirname(first);
  }
  return { files, projectDir, source, warnings };
}

function checkExist(files: readonly string[], fs: LoaderFs, via: string): void {
  const missing = files.filter((f) => f !== STDIN_FILE && !fs.isFile(f));
  if (missing.length === 0) return;
  throw new ConfigError(
    missing.map((f) => ({
      code: "CONFIG_NOT_FOUND" as const,
      message: `compose file not found: ${f}`,
      hint: `check the path given with ${via} (relative paths are resolved against the current directory)`,
    })),
  );
}

/** The working directory, then each parent: the first directory holding a default-named file wins. */
function searchUp(start: string, fs: LoaderFs, warnings: string[]): string[] {
  let dir = start;
  for (;;) {
    const candidates = DEFAULT_FILE_NAMES.map((n) => resolve(dir, n)).filter((p) => fs.isFile(p));
    const winner = candidates[0];
    if (winner !== undefined) {
      if (candidates.length > 1) {
        warnings.push(
          `Found multiple config files with supported names: ${candidates.join(", ")}. Using ${basename(winner)}`,
        );
      }
      const out = [winner];
      const override = findOverride(dir, winner, fs, warnings);
      if (override !== undefined) out.push(override);
      return out;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw ConfigError.of("CONFIG_NOT_FOUND", `no compose file found in ${start} or any parent directory`, {
    hint: `run in a directory with ${DEFAULT_FILE_NAMES[0]} (or ${DEFAULT_FILE_NAMES.slice(1).join(", ")}), or pass -f <file>`,
  });
}

/** The override file beside `winner`: the one of the same family (compose.* / docker-compose.*) first. */
function findOverride(dir: string, winner: string, fs: LoaderFs, warnings: string[]): string | undefined {
  const family = basename(winner).startsWith("docker-compose") ? "docker-compose." : "compose.";
  const ordered = [
    ...DEFAULT_OVERRIDE_FILE_NAMES.filter((n) => n.startsWith(family)),
    ...DEFAULT_OVERRIDE_FILE_NAMES.filter((n) => !n.startsWith(family)),
  ];
  const found = ordered.map((n) => resolve(dir, n)).filter((p) => fs.isFile(p));
  const first = found[0];
  if (first !== undefined && found.length > 1) {
    warnings.push(`Found multiple override files with supported names: ${found.join(", ")}. Using ${basename(first)}`);
  }
  return first;
}

/** Absolute form of `p` against `base` (already-absolute paths are kept). */
export function absolutize(base: string, p: string): string {
  return isAbsolute(p) ? p : resolve(base, p);
}

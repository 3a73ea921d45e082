/**
 * Which host files a watch rule covers. A file is covered when it is under the rule's `path`,
 * matches `include` (no include = everything), and matches none of the ignore sources: editor and
 * VCS noise, the build context's `.dockerignore` (for files inside the context) and the rule's
 * own `ignore` patterns. Patterns use .dockerignore syntax (via @balena/dockerignore) on POSIX
 * paths relative to the rule's `path` (the `.dockerignore` ones relative to the build context).
 */
import * as path from "node:path";
import dockerignore from "@balena/dockerignore";
import type { WatchRule } from "../../spec/model.js";

/** Editor temp/swap files and VCS metadata: never synced, never trigger anything. */
export function isNoise(relPosix: string): boolean {
  const parts = relPosix.split("/");
  if (parts.includes(".git") || parts.includes(".idea")) return true;
  const base = parts[parts.length - 1] ?? "";
  if (base === "") return false;
  return (
    base.endsWith(".swp") ||
    base.endsWith(".swx") ||
    base.endsWith(".swo") ||
    base.endsWith(".swn") ||
    base.endsWith(".kate-swp") || // kate swap files
    /-go-tmp-umask$/.test(base) || // go's temporary files
    base === "4913" || // vim's write test file
    base.endsWith("~") || // vim/emacs/kate backups
    base.startsWith(".#") || // emacs lock files
    (base.startsWith("#") && base.endsWith("#") && base.length > 1) || // emacs autosave
    base.endsWith("___jb_tmp___") ||
    base.endsWith("___jb_old___") ||
    base === ".DS_Store"
  );
}

type Ignorer = ReturnType<typeof dockerignore.default>;

function ignorer(patterns: readonly string[]): Ignorer | undefined {
  const cleaned = patterns.map((p) => p.trim()).filter((p) => p !== "" && !p.startsWith("#"));
  return cleaned.length > 0 ? dockerignore.default().add(cleaned) : undefined;
}

function hasExceptions(patterns: readonly string[]): boolean {
  return patterns.some((p) => p.trim().startsWith("!"));
}

function toPosix(p: string): string {
  return path.sep === "/" ? p : p.split(path.sep).join("/");
}

/** Relative POSIX path of `abs` under `root`, "" for root itself, undefined when outside. */
export function relativeUnder(root: string, abs: string): string | undefined {
  const rel = path.relative(root, abs);
  if (rel === "") return "";
  if (rel.startsWith("..") || path.isAbsolute(rel)) return undefined;
  return toPosix(rel);
}

export interface ContextIgnore {
  /** The build context directory (absolute). */
  context: string;
  /** Its .dockerignore patterns. */
  patterns: readonly string[];
}

export interface RuleMatcher {
  readonly rule: WatchRule;
  /** The rule's path, resolved. */
  readonly root: string;
  /** True when the rule's path is a single file rather than a directory. */
  readonly isFile: boolean;
  /** Is this file (or deleted path) covered by the rule? */
  matches(abs: string): boolean;
  /**
   * May the watcher skip this path entirely (and, for a directory, everything below it)? Only
   * true when nothing below it could match: noise, or ignored by a pattern set without `!`
   * exceptions. `include` never prunes (a directory may contain included files).
   */
  prune(abs: string): boolean;
  /** The container path for a host path covered by the rule (undefined without a target). */
  containerPath(abs: string): string | undefined;
}

export interface MatcherOptions {
  /** The service's build context and its .dockerignore, applied to files inside the context. */
  contextIgnore?: ContextIgnore;
  /** Whether `rule.path` is a file (default: a directory). */
  isFile?: boolean;
}

export function createMatcher(rule: WatchRule, options: MatcherOptions = {}): RuleMatcher {
  const root = path.resolve(rule.path);
  const isFile = options.isFile === true;
  const ruleIgnore = ignorer(rule.ignore ?? []);
  const ruleIgnorePrunes = !hasExceptions(rule.ignore ?? []);
  const include = rule.include && rule.include.length > 0 ? ignorer(rule.include) : undefined;
  const ctx = options.contextIgnore;
  const ctxIgnore = ctx ? ignorer(ctx.patterns) : undefined;
  const ctxPrunes = ctx ? !hasExceptions(ctx.patterns) : false;

  /** rel: relative to root ("" for root itself). */
  const ignoredBy = (abs: string, rel: string, forPrune: boolean): boolean => {
    if (isNoise(rel === "" ? path.basename(abs) : rel)) return true;
    if (ruleIgnore && rel !== "" && (!forPrune || ruleIgnorePrunes) && ruleIgnore.ignores(rel)) return true;
    if (ctx && ctxIgnore && (!forPrune || ctxPrunes)) {
      const crel = relativeUnder(ctx.context, abs);
      if (crel !== undefined && crel !== "" && ctxIgnore.ignores(crel)) return true;
    }
    return false;
  };

  const relOf = (abs: string): string | undefined => {
    const resolved = path.resolve(abs);
    if (isFile) return resolved === root ? "" : undefined;
    return relativeUnder(root, resolved);
  };

  return {
    rule,
    root,
    isFile,
    matches(abs) {
      const rel = relOf(abs);
      if (rel === undefined) return false;
      if (rel === "" && !isFile) return false; // the directory itself is not a file to act on
      if (ignoredBy(abs, rel, false)) return false;
      if (include && !isFile && !include.ignores(rel)) return false;
      if (include && isFile && !include.ignores(path.basename(root))) return false;
      return true;
    },
    prune(abs) {
      const resolved = path.resolve(abs);
      if (!isFile) {
        const rel = relativeUnder(root, resolved);
        if (rel === undefined) {
          // An ancestor of the root must be walked to reach it; anything else is outside.
          return relativeUnder(resolved, root) === undefined;
        }
        return ignoredBy(resolved, rel, true);
      }
      if (resolved === root) return ignoredBy(resolved, "", true);
      return relativeUnder(resolved, root) === undefined;
    },
    containerPath(abs) {
      const target = rule.target;
      if (target === undefined) return undefined;
      const rel = relOf(abs);
      if (rel === undefined) return undefined;
      return rel === "" ? path.posix.normalize(target) : path.posix.join(target, rel);
    },
  };
}

/**
 * The build context's ignore patterns, the way `docker build` picks them: `<Dockerfile>.dockerignore`
 * next to the Dockerfile wins over `<context>/.dockerignore`. `readFile` returns undefined when a
 * file does not exist (kept as a parameter so this stays testable without a disk).
 */
export function contextIgnorePatterns(
  context: string,
  dockerfile: string | undefined,
  readFile: (p: string) => string | undefined,
): string[] {
  const candidates: string[] = [];
  if (dockerfile !== undefined) candidates.push(`${path.resolve(context, dockerfile)}.dockerignore`);
  else candidates.push(path.join(context, "Dockerfile.dockerignore"));
  candidates.push(path.join(context, ".dockerignore"));
  for (const file of candidates) {
    const text = readFile(file);
    if (text === undefined) continue;
    return text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("#"));
  }
  return [];
}

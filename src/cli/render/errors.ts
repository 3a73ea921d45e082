/**
 * Errors as readable text and exit codes. No stack traces for user errors; config errors list every
 * issue as `file:line:col: path: message` with hints; runtime errors name the service.
 */
import { ConfigError, FlotillaError, ServiceError, formatLocation, type ConfigIssue } from "../../errors.js";

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

/** Duck-typed check so errors from another copy of the module (or a fake) still render well. */
function asFlotillaError(e: unknown): FlotillaError | undefined {
  if (e instanceof FlotillaError) return e;
  if (e instanceof Error && typeof (e as { code?: unknown }).code === "string" && /^[A-Z_]+$/.test((e as unknown as { code: string }).code)) {
    return e as FlotillaError;
  }
  return undefined;
}

export function exitCodeFor(e: unknown): number {
  const fe = asFlotillaError(e);
  if (fe?.code === "USAGE") return EXIT_USAGE;
  if (fe?.code === "ABORTED") return EXIT_INTERRUPTED;
  return EXIT_FAILURE;
}

function issueLine(issue: ConfigIssue): string {
  const where = issue.location ? `${formatLocation(issue.location)}: ` : "";
  const path = issue.path ? `${issue.path}: ` : "";
  const hint = issue.hint ? `\n    hint: ${issue.hint}` : "";
  return `${where}${path}${issue.message}${hint}`;
}

/** Whether the message already names the service (a container name like demo-db-1 does not count). */
function mentionsService(message: string, service: string): boolean {
  const s = service.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^${s}\\b|service "?${s}"?|"${s}")`).test(message);
}

export interface ErrorRenderOptions {
  /** FLOTILLA_DEBUG=1: append stacks. */
  debug?: boolean;
}

/** The text to print on stderr for an error (ends with a newline). */
export function renderError(e: unknown, options: ErrorRenderOptions = {}): string {
  const lines: string[] = [];
  const fe = asFlotillaError(e);
  const issues: readonly ConfigIssue[] | undefined = (e as Partial<ConfigError> | undefined)?.issues;
  if (fe && issues !== undefined && issues.length > 0) {
    const n = issues.length;
    lines.push(n === 1 ? "flotilla: invalid configuration:" : `flotilla: ${n} problems in the configuration:`);
    for (const issue of issues) lines.push(`  ${issueLine(issue)}`);
  } else if (fe) {
    if (fe.code === "USAGE") {
      lines.push(`flotilla: ${fe.message}`);
    } else if (fe.code === "ENGINE_UNREACHABLE") {
      lines.push(`flotilla: cannot reach the container engine: ${fe.message}`);
    } else {
      const service = fe.service ?? (fe instanceof ServiceError ? fe.service : undefined);
      const prefix = service && !mentionsService(fe.message, service) ? `service "${service}": ` : "";
      lines.push(`flotilla: ${prefix}${fe.message}`);
      const logs = (fe as Partial<ServiceError>).logs;
      if (Array.isArray(logs) && logs.length > 0) {
        lines.push(`  last output of ${service ?? "the container"}:`);
        for (const l of logs) lines.push(`    ${l}`);
      }
    }
    if (fe.hint && !(Array.isArray(issues) && issues.length > 0)) lines.push(`  hint: ${fe.hint}`);
  } else if (e instanceof Error) {
    lines.push(`flotilla: ${e.message}`);
  } else {
    lines.push(`flotilla: ${String(e)}`);
  }
  if (options.debug) {
    if (e instanceof Error && e.stack) lines.push(e.stack);
    let cause = e instanceof Error ? e.cause : undefined;
    while (cause instanceof Error) {
      lines.push(`caused by: ${cause.stack ?? cause.message}`);
      cause = cause.cause;
    }
  } else if (!fe && !(e instanceof Error)) {
    // nothing more to say
  }
  if (fe && fe.code !== "USAGE" && !options.debug) {
    const cause = fe.cause instanceof Error ? fe.cause.message : undefined;
    if (cause && !fe.message.includes(cause) && fe.code !== "ENGINE_UNREACHABLE") lines.push(`  cause: ${cause}`);
  }
  return `${lines.join("\n")}\n`;
}

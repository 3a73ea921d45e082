/**
 * One error hierarchy for the whole project. Every error carries a stable `code`;
 * user-facing errors also say where (file:line:col for spec errors, service for runtime
 * errors) and what to do (`hint`). The CLI maps them to exit codes and readable text.
 */

export type ErrorCode =
  // spec layer
  | "CONFIG_NOT_FOUND"
  | "CONFIG_READ"
  | "CONFIG_YAML"
  | "CONFIG_SCHEMA"
  | "CONFIG_INTERPOLATION"
  | "CONFIG_INVALID"
  | "CONFIG_EXTENDS"
  | "CONFIG_INCLUDE"
  | "CONFIG_ENV_FILE"
  | "PROJECT_NAME"
  | "DEPENDENCY_CYCLE"
  // runtime
  | "ENGINE_UNREACHABLE"
  | "ENGINE"
  /** The engine has no such resource (HTTP 404). */
  | "NOT_FOUND"
  /** The request conflicts with the resource's state or name (HTTP 409). */
  | "CONFLICT"
  /** The resource is still used: a network with endpoints, a volume mounted by a container. */
  | "IN_USE"
  | "IMAGE_NOT_FOUND"
  | "PULL_FAILED"
  | "PUSH_FAILED"
  | "BUILD_FAILED"
  | "PORT_ALLOCATED"
  | "CONTAINER_FAILED"
  /** The engine refuses to start a container: containerd still holds its task from before the engine was killed. */
  | "STALE_TASK"
  | "DEPENDENCY_FAILED"
  | "WAIT_TIMEOUT"
  | "WAIT_FAILED"
  | "NO_SUCH_SERVICE"
  | "WATCH_FAILED"
  | "ABORTED"
  | "PROJECT_LOCKED"
  // swarm (stack)
  | "SWARM_UNAVAILABLE"
  | "ROLLOUT_FAILED"
  // cli
  | "USAGE";

export interface SourceLocation {
  file: string;
  line: number; // 1-based
  col: number; // 1-based
}

export function formatLocation(loc: SourceLocation | undefined): string {
  return loc ? `${loc.file}:${loc.line}:${loc.col}` : "";
}

export interface FlotillaErrorOptions {
  hint?: string;
  service?: string;
  cause?: unknown;
}

export class FlotillaError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly service?: string;

  constructor(code: ErrorCode, message: string, options: FlotillaErrorOptions = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    this.code = code;
    if (options.hint !== undefined) this.hint = options.hint;
    if (options.service !== undefined) this.service = options.service;
  }
}

/** One problem found in the configuration. Spec stages collect these instead of throwing on the first. */
export interface ConfigIssue {
  code: ErrorCode;
  message: string;
  /** Dotted path in the model, e.g. `services.web.ports[0]`. */
  path?: string;
  location?: SourceLocation;
  hint?: string;
}

export function formatIssue(issue: ConfigIssue): string {
  const where = issue.location ? `${formatLocation(issue.location)}: ` : "";
  const path = issue.path ? `${issue.path}: ` : "";
  return `${where}${path}${issue.message}${issue.hint ? `\n  hint: ${issue.hint}` : ""}`;
}

/** Every invalid-configuration error: holds all the issues found, not just the first. */
export class ConfigError extends FlotillaError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    const first = issues[0];
    if (!first) throw new TypeError("ConfigError needs at least one issue");
    const message =
      issues.length === 1
        ? formatIssue(first)
        : `${issues.length} problems in the configuration:\n${issues.map((i) => `  ${formatIssue(i).replace(/\n/g, "\n  ")}`).join("\n")}`;
    super(first.code, message, first.hint !== undefined ? { hint: first.hint } : {});
    this.issues = issues;
  }

  /** Throw one ConfigError for a single issue. */
  static of(code: ErrorCode, message: string, extra: Omit<ConfigIssue, "code" | "message"> = {}): ConfigError {
    return new ConfigError([{ code, message, ...extra }]);
  }
}

/** Collects issues across a stage; `throwIfAny` raises them all at once. */
export class IssueCollector {
  readonly issues: ConfigIssue[] = [];
  add(issue: ConfigIssue): void {
    this.issues.push(issue);
  }
  get size(): number {
    return this.issues.length;
  }
  throwIfAny(): void {
    if (this.issues.length > 0) throw new ConfigError(this.issues);
  }
}

/** The engine could not be reached or answered with an error. */
export class EngineError extends FlotillaError {
  readonly statusCode?: number;
  constructor(code: ErrorCode, message: string, options: FlotillaErrorOptions & { statusCode?: number } = {}) {
    super(code, message, options);
    if (options.statusCode !== undefined) this.statusCode = options.statusCode;
  }
}

/** A service failed during up/start/wait: says which service and why. */
export class ServiceError extends FlotillaError {
  readonly logs?: readonly string[];
  readonly exitCode?: number;
  constructor(
    code: ErrorCode,
    service: string,
    message: string,
    options: Omit<FlotillaErrorOptions, "service"> & { logs?: string[]; exitCode?: number } = {},
  ) {
    super(code, message, { ...options, service });
    if (options.logs !== undefined) this.logs = options.logs;
    if (options.exitCode !== undefined) this.exitCode = options.exitCode;
  }
}

/** `err` as an error naming `service` (a FlotillaError that names one already is kept as it is). */
export function asServiceError(service: string, err: unknown): FlotillaError {
  if (err instanceof FlotillaError) {
    if (err.service !== undefined) return err;
    return new ServiceError(err.code, service, `service "${service}": ${err.message}`, err.hint !== undefined ? { hint: err.hint, cause: err } : { cause: err });
  }
  const msg = err instanceof Error ? err.message : String(err);
  return new ServiceError("CONTAINER_FAILED", service, `service "${service}": ${msg}`, { cause: err });
}

/** A wait strategy did not succeed in time or failed. */
export class WaitError extends ServiceError {
  readonly strategy: string;
  readonly elapsedMs: number;
  constructor(
    code: "WAIT_TIMEOUT" | "WAIT_FAILED",
    service: string,
    strategy: string,
    elapsedMs: number,
    message: string,
    options: { logs?: string[]; cause?: unknown; exitCode?: number } = {},
  ) {
    super(code, service, message, options);
    this.strategy = strategy;
    this.elapsedMs = elapsedMs;
  }
}

export class UsageError extends FlotillaError {
  constructor(message: string, hint?: string) {
    super("USAGE", message, hint !== undefined ? { hint } : {});
  }
}

export function isFlotillaError(e: unknown): e is FlotillaError {
  return e instanceof FlotillaError;
}

/**
 * The pure front half of `stack deploy` and all of `stack config`: check the loaded project
 * against Swarm (refusals → one ConfigError, nothing is sent), then convert it into the specs.
 * File contents come through `readFile`; nothing else is read.
 */
import type { ConfigIssue } from "../../errors.js";
import type { LoadedProject } from "../../spec/model.js";
import { assertSwarmReady, checkForSwarm, type SwarmCheckOptions } from "./check.js";
import { convertStack, type SwarmStackSpec } from "./convert.js";

export interface PrepareOptions extends SwarmCheckOptions {
  /** The stack's name; the project's name when absent. */
  stack?: string;
  readFile: (path: string) => Uint8Array | string;
  /** Image per service to send instead of `image:` (pinned by digest, or built and pushed). */
  images?: Readonly<Record<string, string>>;
}

export interface PreparedStack {
  spec: SwarmStackSpec;
  /** Warnings at file:line:col (approximations, dropped keys, ignored refusals). */
  warnings: ConfigIssue[];
}

/** Docker's rule for stack names (they prefix every object name). */
export const STACK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export function prepareStack(project: LoadedProject, options: PrepareOptions): PreparedStack {
  const result = checkForSwarm(project, options);
  assertSwarmReady(result);
  const spec = convertStack({
    model: project.model,
    stack: options.stack ?? project.model.name,
    environment: project.environment,
    readFile: options.readFile,
    ...(options.images ? { images: options.images } : {}),
    ...(project.locations ? { locations: project.locations } : {}),
  });
  return { spec, warnings: result.warnings };
}

/**
 * The engine of the environment, and the projects it knows of (`ls`). Apart from project.ts so that
 * `flotilla ls`, which reads no compose file, loads neither the spec layer nor the operations.
 */
import type { Engine } from "../runtime/engine.js";
import { listProjects, type ListProjectsOptions, type ProjectSummary } from "../runtime/ps.js";
import { hostEnv } from "./host.js";

/** List the Compose projects an engine knows of (by container labels), like `docker compose ls`. */
export async function listEngineProjects(
  options: ListProjectsOptions & { engine?: Engine; env?: Readonly<Record<string, string | undefined>> } = {},
): Promise<ProjectSummary[]> {
  const { engine, env, ...rest } = options;
  return listProjects(engine ?? (await connectFromEnv(env ?? hostEnv())), rest);
}

/** Connect to the engine named by the environment (DOCKER_HOST, docker context, default socket). */
export async function connectFromEnv(env: Readonly<Record<string, string | undefined>>): Promise<Engine> {
  // The endpoint and the registry credentials come from the same Docker config (docker login, credential helpers).
  const { connectEngine } = await import("../runtime/docker/connection.js");
  return connectEngine(env);
}

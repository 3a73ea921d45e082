/**
 * A LoadedProject built in memory for planner and apply tests: the given services on the project's
 * default network (or the named networks), no files behind it.
 */
import type { ComposeModel, LoadedProject, ServiceConfig } from "../../src/spec/model.js";

export function loadedProject(name: string, services: Record<string, ServiceConfig>, model: Partial<ComposeModel> = {}): LoadedProject {
  return {
    model: { name, services, networks: { default: { name: `${name}_default` } }, volumes: {}, secrets: {}, configs: {}, ...model },
    workingDir: "/tmp/x",
    configFiles: ["/tmp/x/compose.yaml"],
    envFiles: [],
    environment: {},
    profiles: [],
    disabledServices: {},
    warnings: [],
  };
}

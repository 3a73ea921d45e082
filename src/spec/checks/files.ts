import { isAbsolute, join } from "node:path";
import { formatLocation, type IssueCollector } from "../../errors.js";
import { formatPath, type Locations, type PathSegment } from "../locations.js";
import type { ComposeModel } from "../model.js";

const REMOTE_CONTEXT = /^([a-z][a-z0-9+.-]*:\/\/|git@|github\.com\/)|^[a-z][a-z0-9+.-]*:/i;

/**
 * The files and directories a project needs, checked before any engine call (issue 10: bad input
 * touches nothing): label files, secret and config files, build contexts and Dockerfiles, and bind
 * sources that are not created on demand (`create_host_path: false`). Env files are read (and so
 * checked) by the normalizer. A build whose service also names an image is only a warning: Compose
 * runs it without building when the image exists.
 */
export function checkFiles(
  model: ComposeModel,
  locations: Locations,
  issues: IssueCollector,
  warnings: string[],
  kind: (path: string) => "file" | "dir" | "other" | undefined,
): void {
  const report = (path: PathSegment[], message: string, hint: string, asWarning = false): void => {
    const loc = locations.find(path);
    if (asWarning) warnings.push(`${loc ? `${formatLocation(loc)}: ` : ""}${formatPath(path)}: ${message}`);
    else issues.add({ code: "CONFIG_INVALID", message, path: formatPath(path), ...(loc ? { location: loc } : {}), hint });
  };
  const needFile = (path: PathSegment[], file: string, what: string, asWarning = false): void => {
    const k = kind(file);
    if (k === "file" || k === "other") return;
    report(path, k === "dir" ? `${what} ${file} is a directory, not a file` : `${what} ${file} does not exist`, `create it, or fix the path (relative paths start from the project directory)`, asWarning);
  };
  for (const [kindName, defs] of [["secrets", model.secrets], ["configs", model.configs]] as const) {
    for (const [key, def] of Object.entries(defs)) {
      if (def.external || def.file === undefined) continue;
      needFile([kindName, key, "file"], def.file, `${kindName.slice(0, -1)} "${key}": file`);
    }
  }
  for (const [name, s] of Object.entries(model.services)) {
    const base: PathSegment[] = ["services", name];
    const labelFiles = (s as { label_file?: unknown }).label_file;
    if (Array.isArray(labelFiles)) labelFiles.forEach((f, i) => typeof f === "string" && needFile([...base, "label_file", i], f, "label file"));
    const build = s.build;
    if (build !== undefined && typeof build.context === "string" && !REMOTE_CONTEXT.test(build.context)) {
      const soft = s.image !== undefined;
      const k = kind(build.context);
      if (k !== "dir") {
        report([...base, "build", "context"], k === undefined ? `build context ${build.context} does not exist` : `build context ${build.context} is not a directory`, "create the directory, or fix build.context (relative to the project directory)", soft);
      } else if (build.dockerfile_inline === undefined) {
        const df = build.dockerfile ?? "Dockerfile";
        const full = isAbsolute(df) ? df : join(build.context, df);
        needFile([...base, "build", build.dockerfile !== undefined ? "dockerfile" : "context"], full, "Dockerfile", soft);
      }
    }
    (s.volumes ?? []).forEach((v, i) => {
      if (v.type !== "bind" || v.bind?.create_host_path !== false || v.source === undefined || v.source === "") return;
      if (kind(v.source) === undefined) {
        report([...base, "volumes", i], `bind source ${v.source} does not exist (create_host_path: false)`, "create it on the host, or drop create_host_path: false to let the engine create it");
      }
    });
  }
}

/** The `deploy` group: what of `deploy` a single engine ignores (restart_policy and resources are read by their groups). */
import type { Converter } from "./converter.js";

/** The `deploy` group: warnings for the swarm-only parts. */
export function convertDeploy(c: Converter): void {
  const d = c.svc.deploy;
  if (!d) return;
  if (d.mode === "global") c.warn("deploy.mode: global", "is ignored (swarm only); one container per replica is created");
  for (const k of ["placement", "update_config", "rollback_config", "endpoint_mode"]) {
    if (d[k] !== undefined) c.warn(`deploy.${k}`, "is ignored (swarm only)");
  }
  if (d.labels && Object.keys(d.labels).length > 0) c.warn("deploy.labels", "is ignored (swarm service labels); use labels for container labels");
}

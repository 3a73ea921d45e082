/** The `restart` group: `restart`, or `deploy.restart_policy` when it sets a condition. */
import type { DeployConfig } from "../../spec/model.js";
import type { Converter } from "./converter.js";

const RESTART_NAMES = new Set(["no", "always", "on-failure", "unless-stopped"]);

function restartPolicy(c: Converter, restart: string | undefined, deploy: DeployConfig | undefined): { Name: string; MaximumRetryCount?: number } | undefined {
  const rp = deploy?.restart_policy;
  if (rp && rp.condition) {
    if (restart) c.warn("restart", `is overridden by deploy.restart_policy.condition (${rp.condition})`);
    if (rp.delay !== undefined) c.warn("deploy.restart_policy.delay", "is ignored (swarm only)");
    if (rp.window !== undefined) c.warn("deploy.restart_policy.window", "is ignored (swarm only)");
    switch (rp.condition) {
      case "any":
        return { Name: "always" };
      case "on-failure":
        return rp.max_attempts !== undefined ? { Name: "on-failure", MaximumRetryCount: rp.max_attempts } : { Name: "on-failure" };
      case "none":
        return { Name: "no" };
      default:
        c.fail(`deploy.restart_policy.condition "${rp.condition}" is not one of any, on-failure, none`);
    }
  }
  if (rp && rp.max_attempts !== undefined && !rp.condition) c.warn("deploy.restart_policy.max_attempts", "is ignored without a condition");
  if (!restart) return undefined;
  const [name, count] = restart.split(":");
  if (!name || !RESTART_NAMES.has(name)) c.fail(`restart "${restart}" is not one of no, always, on-failure[:N], unless-stopped`);
  if (count !== undefined) {
    const n = Number(count);
    if (name !== "on-failure" || !Number.isInteger(n) || n < 0) c.fail(`restart "${restart}": a retry count is only allowed as on-failure:N`);
    return { Name: name, MaximumRetryCount: n };
  }
  return { Name: name };
}

/** The `restart` group. */
export function convertRestart(c: Converter): void {
  const restart = restartPolicy(c, c.svc.restart, c.svc.deploy);
  if (restart) c.host.RestartPolicy = restart;
}

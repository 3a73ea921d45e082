/** `wait.healthy()`: the container's healthcheck reports healthy (fails at once on unhealthy or no healthcheck). */
import { poll, WaitFailure, type WaitStrategy } from "./strategy.js";

export function healthy(): WaitStrategy {
  return {
    description: "healthcheck healthy",
    async wait(ctx) {
      await poll(ctx, (d) => {
        const h = d.state.health;
        if (!h || h.status === "none") throw new WaitFailure(`container ${ctx.target.name} has no healthcheck (add one to the service, or wait with another strategy)`);
        ctx.note(`health ${h.status}`);
        if (h.status === "healthy") return true;
        if (h.status === "unhealthy") {
          const last = h.log[h.log.length - 1];
          throw new WaitFailure(`container ${ctx.target.name} is unhealthy${last?.output.trim() ? `: ${last.output.trim()}` : ""}`);
        }
        return false;
      });
    },
  };
}

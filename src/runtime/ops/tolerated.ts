/** The failure tolerance `pull --ignore-pull-failures` and `push --ignore-push-failures` share. */
import { isFlotillaError } from "../../errors.js";
import type { EventListener } from "../../events.js";

/**
 * One pull or push: true when it went through. With `ignore`, a failure (but not an abort) is a
 * warning naming the service and false; without, it is thrown.
 */
export async function tolerated(run: () => Promise<void>, service: string, ignore: boolean | undefined, onEvent: EventListener | undefined): Promise<boolean> {
  try {
    await run();
    return true;
  } catch (e) {
    if (!ignore || (isFlotillaError(e) && e.code === "ABORTED")) throw e;
    onEvent?.({ type: "warning", message: `${service}: ${e instanceof Error ? e.message : String(e)}`, service });
    return false;
  }
}

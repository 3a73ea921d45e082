/**
 * The watchdog run by `startReaper` (node reaper-process.js). stdin line 1: a JSON ReaperOrder.
 * A later line "disarm" → exit quietly. stdin closing without it → the owner died: remove the
 * stack's containers, networks and volumes (twice, a second apart, to catch a create that was
 * in flight when the owner died), then exit.
 */
import type { ReaperOrder } from "./reaper.js";

let buffer = "";
let order: ReaperOrder | undefined;
let disarmed = false;
let reaping = false;

async function reap(): Promise<void> {
  if (reaping || disarmed) return;
  reaping = true;
  if (!order) process.exit(0);
  const [{ connectEngine }, { removeStack }] = await Promise.all([import("../runtime/docker/connection.js"), import("./reaper.js")]);
  try {
    const engine = await connectEngine({}, { endpoint: order.endpoint });
    await removeStack(engine, order.project);
    await new Promise((r) => setTimeout(r, 1000));
    await removeStack(engine, order.project);
    process.exit(0);
  } catch {
    process.exit(1);
  }
}

process.stdin.setEncoding("utf8");
process.stdin.on("data", (text: string) => {
  buffer += text;
  let nl: number;
  while ((nl = buffer.indexOf("\n")) >= 0) {
    const line = buffer.slice(0, nl).trim();
    buffer = buffer.slice(nl + 1);
    if (!order) {
      try {
        order = JSON.parse(line) as ReaperOrder;
      } catch {
        process.exit(2);
      }
    } else if (line === "disarm") {
      disarmed = true;
      process.exit(0);
    }
  }
});
process.stdin.on("end", () => void reap());
process.stdin.on("close", () => void reap());
process.stdin.on("error", () => void reap());
// Detached from the owner's terminal: ignore the signals a Ctrl-C or hang-up would send the group.
process.on("SIGINT", () => {});
process.on("SIGHUP", () => {});

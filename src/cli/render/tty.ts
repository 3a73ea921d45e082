/**
 * The interactive renderer (a TTY outside CI), built on listr2: a header row counting finished
 * resources (`Running 3/5`, like Compose's `[+] Running 3/5`) and under it one line per network,
 * volume, image and container whose status follows the events (Creating -> Created -> Starting ->
 * Started/Healthy). listr2 does not render tasks added after `run()`, and resources appear as the
 * operation goes, so the rows are the header task's (persistent, unbounded) output.
 * Loaded lazily: listr2 is only imported when this renderer is chosen.
 */
import type { FlotillaEvent, ResourceKind, ResourceStatus } from "../../events.js";
import type { OutStream } from "../io.js";
import type { Reporter } from "./reporter.js";

const KIND: Record<ResourceKind, string> = {
  network: "Network",
  volume: "Volume",
  container: "Container",
  image: "Image",
  service: "Service",
};

/** Statuses after which a row counts as done (others may still change). */
const FINAL: ReadonlySet<ResourceStatus> = new Set<ResourceStatus>([
  "Started", "Healthy", "Exited", "Stopped", "Removed", "Running", "Paused", "Unpaused", "Pulled", "Pushed", "Built", "Skipped", "Recreated", "Error",
]);

interface Row {
  text: string;
  done: boolean;
  failed: boolean;
}

/** The rows as text (exported for tests): `✔`/`✘` for finished rows, `·` for pending ones. */
export function renderRows(rows: Iterable<Row>): string {
  return [...rows].map((r) => `${r.failed ? "✘" : r.done ? "✔" : "·"} ${r.text}`).join("\n");
}

export async function ttyReporter(stream: OutStream, verb = "Running"): Promise<Reporter> {
  const { Listr, ListrLogger, ProcessOutput } = await import("listr2");
  // Progress belongs on stderr (like Compose), so stdout stays clean for data.
  const out = stream.nodeStream?.() ?? (stream as unknown as NodeJS.WriteStream);
  const rows = new Map<string, Row>();
  const warnings: string[] = [];
  let update: (() => void) | undefined;
  let finish: ((failed: boolean) => void) | undefined;

  const header = (): string => {
    const all = [...rows.values()];
    return `${verb} ${all.filter((r) => r.done).length}/${all.length}`;
  };

  const listr = new Listr(
    [
      {
        title: header(),
        task: (_ctx, task) =>
          new Promise<void>((resolve, reject) => {
            update = () => {
              task.title = header();
              task.output = renderRows(rows.values());
            };
            finish = (failed) => {
              update?.();
              if (failed) reject(new Error(header()));
              else resolve();
            };
            update();
          }),
        rendererOptions: { persistentOutput: true, outputBar: Number.POSITIVE_INFINITY },
      },
    ],
    {
      exitOnError: false,
      registerSignalListeners: false,
      rendererOptions: {
        showErrorMessage: false,
        logger: new ListrLogger({ useIcons: true, toStderr: [], processOutput: new ProcessOutput(out, out) }),
      },
    },
  );
  const running = listr.run().catch(() => undefined);

  const onEvent = (event: FlotillaEvent): void => {
    if (event.type === "warning") {
      warnings.push(event.message);
      return;
    }
    if (event.type !== "resource") return;
    const key = `${event.kind}:${event.name}`;
    const row = rows.get(key) ?? { text: "", done: false, failed: false };
    row.text = `${KIND[event.kind]} ${event.name}  ${event.status}${event.detail ? ` ${event.detail}` : ""}`;
    // A network or volume is finished once created; a container goes on to start.
    row.done = FINAL.has(event.status) || (event.kind !== "container" && event.status === "Created");
    row.failed = event.status === "Error";
    rows.set(key, row);
    update?.();
  };

  return {
    onEvent,
    close: async (failed = false) => {
      for (const row of rows.values()) row.done = true;
      // The task may not have started yet if close comes immediately.
      for (let i = 0; i < 50 && !finish; i++) await new Promise((r) => setTimeout(r, 10));
      finish?.(failed || [...rows.values()].some((r) => r.failed));
      await running;
      for (const w of warnings) stream.write(`WARN ${w}\n`);
    },
  };
}

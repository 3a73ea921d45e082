/**
 * Plain progress lines, like Compose's `--progress plain`: one line per state change,
 * ` Container demo-web-1  Started`. Used when stderr is not a TTY (CI, pipes, tests).
 */
import type { FlotillaEvent, ResourceKind } from "../../events.js";
import type { OutStream } from "../io.js";
import { ansi, plainPaint, type Paint } from "./colors.js";
import type { Reporter } from "./reporter.js";

const KIND: Record<ResourceKind, string> = {
  network: "Network",
  volume: "Volume",
  container: "Container",
  image: "Image",
  service: "Service",
};

export interface PlainOptions {
  color?: boolean;
}

/** One event as a plain line (no trailing newline); undefined for events plain mode does not show. */
export function formatPlainEvent(event: FlotillaEvent, color = false): string | undefined {
  const paint = (p: Paint): Paint => (color ? p : plainPaint);
  switch (event.type) {
    case "resource": {
      const status =
        event.status === "Error"
          ? paint(ansi.red)(event.status)
          : event.status === "Warning"
            ? paint(ansi.yellow)(event.status)
            : event.status;
      return ` ${KIND[event.kind]} ${event.name}  ${status}${event.detail ? ` ${event.detail}` : ""}`;
    }
    case "warning":
      return `${paint(ansi.yellow)("WARN")} ${event.service ? `${event.service}: ` : ""}${event.message}`;
    case "info":
      return `${event.service ? `${event.service}: ` : ""}${event.message}`;
    case "progress": {
      const amount = event.current !== undefined && event.total ? ` ${Math.round((event.current / event.total) * 100)}%` : "";
      return ` ${event.name} ${event.text}${amount}`;
    }
    case "log":
      return `${event.service} | ${event.line}`;
    case "watch":
      return `${event.service} ${paint(ansi.green)("⦿")} ${event.message}`;
    default:
      return undefined;
  }
}

export function plainReporter(stream: OutStream, options: PlainOptions = {}): Reporter {
  return {
    onEvent: (event) => {
      const line = formatPlainEvent(event, options.color === true);
      if (line !== undefined) stream.write(`${line}\n`);
    },
    close: async () => {},
  };
}

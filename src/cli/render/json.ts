/** `--progress json`: one JSON object per event, one per line. */
import type { OutStream } from "../io.js";
import type { Reporter } from "./reporter.js";

export function jsonReporter(stream: OutStream, now: () => Date = () => new Date()): Reporter {
  return {
    onEvent: (event) => {
      stream.write(`${JSON.stringify({ time: now().toISOString(), ...event })}\n`);
    },
    close: async () => {},
  };
}

/** `--progress quiet`: nothing but warnings (which still go to stderr). */
export function quietReporter(stream: OutStream): Reporter {
  return {
    onEvent: (event) => {
      if (event.type === "warning") stream.write(`WARN ${event.message}\n`);
    },
    close: async () => {},
  };
}

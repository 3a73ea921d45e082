/** A renderer subscribes to the library's events; `close` flushes it once the operation ends. */
import type { EventListener } from "../../events.js";

export interface Reporter {
  onEvent: EventListener;
  /** Stop rendering (e.g. finish the interactive view). `failed` marks unfinished rows as failed. */
  close(failed?: boolean): Promise<void>;
}

/** Progress reporting shared by the runtime's operations: resource events and warnings. */
import { silent, type EventListener, type FlotillaEvent } from "../events.js";

export type ResourceStatus = Extract<FlotillaEvent, { type: "resource" }>["status"];
export type ResourceKind = "network" | "volume" | "container" | "image";

/** Reports one resource's progress (`Creating`, `Started`…), optionally for a service and with a detail. */
export type ResourceReporter = (kind: ResourceKind, name: string, status: ResourceStatus, service?: string, detail?: string) => void;

export function emitter(onEvent: EventListener | undefined): { emit: EventListener; res: ResourceReporter } {
  const emit = onEvent ?? silent;
  return {
    emit,
    res(kind, name, status, service, detail): void {
      const e: FlotillaEvent = { type: "resource", kind, name, status };
      if (service) e.service = service;
      if (detail) e.detail = detail;
      emit(e);
    },
  };
}

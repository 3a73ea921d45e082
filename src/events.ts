/**
 * Typed progress events. The core emits them; renderers (listr2, plain lines, JSON, silence)
 * subscribe. Nothing below the CLI writes to the terminal.
 */

export type ResourceKind = "network" | "volume" | "container" | "image" | "service";

export type ResourceStatus =
  | "Creating" | "Created"
  | "Starting" | "Started"
  | "Waiting" | "Healthy" | "Exited"
  | "Stopping" | "Stopped"
  | "Removing" | "Removed"
  | "Recreate" | "Recreated"
  | "Running"
  | "Pausing" | "Paused" | "Unpausing" | "Unpaused"
  | "Pulling" | "Pulled"
  | "Pushing" | "Pushed"
  | "Building" | "Built"
  | "Skipped"
  | "Error"
  | "Warning";

export type FlotillaEvent =
  | { type: "resource"; kind: ResourceKind; name: string; status: ResourceStatus; detail?: string; service?: string }
  | { type: "warning"; message: string; service?: string }
  | { type: "info"; message: string; service?: string }
  | { type: "progress"; kind: "pull" | "push" | "build"; name: string; text: string; current?: number; total?: number }
  | { type: "log"; service: string; container: string; stream: "stdout" | "stderr"; line: string; timestamp?: string }
  | { type: "watch"; service: string; message: string };

export type EventListener = (event: FlotillaEvent) => void;

export const silent: EventListener = () => {};

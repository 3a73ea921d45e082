/** The `ports` group: `ports` and `expose` → ExposedPorts and PortBindings. */
import type { PortConfig } from "../../spec/model.js";
import { bindingsFor, exposedPortsFor } from "../network/ports.js";
import type { Converter } from "./converter.js";

export function convertPorts(c: Converter): void {
  const ports: PortConfig[] = c.svc.ports ?? [];
  let exposed: Record<string, Record<string, never>>;
  try {
    exposed = exposedPortsFor(ports, c.svc.expose ?? []);
  } catch (e) {
    c.fail(`expose: ${(e as Error).message}`);
  }
  if (Object.keys(exposed).length > 0) c.spec.ExposedPorts = exposed;
  if (ports.length > 0) c.host.PortBindings = bindingsFor(ports);
  for (const p of ports) {
    if (p.app_protocol) c.warn("ports.app_protocol", `(${p.app_protocol}) is informational only and ignored`);
  }
}

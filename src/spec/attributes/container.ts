/**
 * Container functions shared by several rows of the attribute table, or too long to sit in one.
 * Pure: they only call the `ContainerPort` the runtime hands them.
 */
import type { HealthcheckConfig } from "../model.js";
import type { ContainerPort, ContainerRule, Stage } from "./types.js";

type Rule<T> = ContainerRule<T>;

/** A top-level field of the create body, set when the value is truthy (an empty string leaves the image's). */
export function toConfig<T>(stage: Stage, field: string, when: (v: T) => boolean = (v) => !!v): Rule<T> {
  return { stage, apply: (v, to) => (when(v) ? to.setConfig(field, v) : undefined) };
}

/** A `HostConfig` field, set when the value is truthy. */
export function toHost<T>(stage: Stage, field: string, when: (v: T) => boolean = (v) => !!v): Rule<T> {
  return { stage, apply: (v, to) => (when(v) ? to.setHost(field, v) : undefined) };
}

export const isSet = (v: unknown): boolean => v !== undefined;

/** A list copied to a `HostConfig` field unless it is empty. */
export function toHostList(stage: Stage, field: string, map: (item: string) => string = (s) => s): Rule<string[]> {
  return { stage, apply: (v, to) => (v.length > 0 ? to.setHost(field, v.map(map)) : undefined) };
}

/** A string map copied to a `HostConfig` field unless it is empty. */
export function toHostMap(stage: Stage, field: string): Rule<Record<string, string>> {
  return { stage, apply: (v, to) => (Object.keys(v).length > 0 ? to.setHost(field, { ...v }) : undefined) };
}

/** `healthcheck` → the create body's `Healthcheck` (durations in nanoseconds; `disable` or NONE turn it off). */
export function healthcheckBody(h: HealthcheckConfig, to: ContainerPort): void {
  const hc: Record<string, unknown> = {};
  if (h.disable === true || (h.test && h.test[0] === "NONE")) {
    hc["Test"] = ["NONE"];
  } else {
    if (h.test && h.test.length > 0) hc["Test"] = [...h.test];
    if (h.interval !== undefined) hc["Interval"] = to.duration("healthcheck.interval", h.interval, "ns");
    if (h.timeout !== undefined) hc["Timeout"] = to.duration("healthcheck.timeout", h.timeout, "ns");
    if (h.retries !== undefined) hc["Retries"] = h.retries;
    if (h.start_period !== undefined) hc["StartPeriod"] = to.duration("healthcheck.start_period", h.start_period, "ns");
    if (h.start_interval !== undefined) hc["StartInterval"] = to.duration("healthcheck.start_interval", h.start_interval, "ns");
  }
  to.setConfig("Healthcheck", hc);
}

/** `volumes_from`: `service[:ro|rw]`, `service:<name>[:mode]`, `container:<name>[:mode]` → `<container>[:mode]`. */
export function volumesFrom(list: string[], to: ContainerPort): void {
  if (list.length === 0) return;
  to.setHost(
    "VolumesFrom",
    list.map((v) => {
      const parts = v.split(":");
      let mode: string | undefined;
      const last = parts[parts.length - 1];
      if (parts.length > 1 && (last === "ro" || last === "rw")) mode = parts.pop();
      let ref: string;
      if (parts[0] === "container") ref = parts.slice(1).join(":");
      else {
        const svcName = parts[0] === "service" ? parts.slice(1).join(":") : parts.join(":");
        ref = to.serviceRef("volumes_from", `service:${svcName}`).slice("container:".length);
      }
      return mode ? `${ref}:${mode}` : ref;
    }),
  );
}

/** "host=ip" (Compose's preferred form) or "host:ip"; the engine wants "host:ip". */
export function extraHost(h: string): string {
  const eq = h.indexOf("=");
  if (eq >= 0) return `${h.slice(0, eq)}:${h.slice(eq + 1)}`;
  return h;
}

/** A duration-valued real-time CPU setting: a number is microseconds already, a string a duration. */
export function realtime(field: string, attr: string): Rule<unknown> {
  return {
    stage: "resources",
    apply: (v, to) => {
      if (typeof v === "number") to.setHost(field, v);
      else if (typeof v === "string") to.setHost(field, to.duration(attr, v, "us"));
    },
  };
}

/**
 * The converter of one container: the create body being built, the warnings, what to do after
 * create (networks to connect, files to write). It is the `ContainerPort` the attribute table's
 * rows write through, and the group converters use it directly.
 */
import type { ContainerPort, InjectedFile } from "../../spec/attributes/types.js";
import type { ServiceConfig } from "../../spec/model.js";
import { durationToNs, durationToSeconds, parseBytes, parseDuration } from "../../spec/units.js";
import { ServiceError } from "../../errors.js";
import type { ContainerCreateSpec } from "../engine.js";
import { imageName } from "../images.js";
import type { ContainerIdentity, ConvertContext, ExtraNetwork, FileToInject } from "./types.js";

export class Converter implements ContainerPort {
  readonly warnings: string[] = [];
  readonly host: Record<string, unknown> = {};
  readonly extraNetworks: ExtraNetwork[] = [];
  readonly files: FileToInject[] = [];
  readonly spec: ContainerCreateSpec;

  constructor(
    readonly svc: ServiceConfig,
    readonly service: string,
    readonly id: ContainerIdentity,
    readonly ctx: ConvertContext,
  ) {
    this.spec = { name: id.name, Image: imageName(ctx.project.model.name, service, svc), HostConfig: this.host };
  }

  // ---- the ContainerPort the attribute table's rows write through ----

  setConfig(field: string, value: unknown): void {
    Reflect.set(this.spec, field, value);
  }

  current(field: string): unknown {
    return Reflect.get(this.spec, field) as unknown;
  }

  setHost(field: string, value: unknown): void {
    this.host[field] = value;
  }

  mount(mount: Record<string, unknown>): void {
    const mounts = (this.host["Mounts"] as Record<string, unknown>[] | undefined) ?? [];
    mounts.push(mount);
    this.host["Mounts"] = mounts;
  }

  inject(file: InjectedFile): void {
    this.files.push({ ...file });
  }

  get registryCredentials(): ConvertContext["registryCredentials"] {
    return this.ctx.registryCredentials;
  }

  warn(attr: string, why: string): void {
    this.warnings.push(`service ${this.service}: ${attr} ${why}`);
  }

  fail(message: string, hint?: string): never {
    throw new ServiceError("CONTAINER_FAILED", this.service, `service ${this.service}: ${message}`, hint !== undefined ? { hint } : {});
  }

  bytes(attr: string, v: string | number): number {
    try {
      return parseBytes(v);
    } catch (e) {
      this.fail(`${attr}: ${(e as Error).message}`, "use a size like 512k, 64m or 1g");
    }
  }

  duration(attr: string, v: string | number, to: "ns" | "s" | "us"): number {
    try {
      if (to === "ns") return durationToNs(v);
      if (to === "us") return Math.round(parseDuration(v) * 1000);
      return durationToSeconds(v);
    } catch (e) {
      this.fail(`${attr}: ${(e as Error).message}`, "use a duration like 30s, 1m30s or 500ms");
    }
  }

  /** `service:x` → `container:<id>` through resolveContainer. */
  serviceRef(attr: string, value: string): string {
    if (!value.startsWith("service:")) return value;
    const target = value.slice("service:".length);
    const resolved = this.ctx.resolveContainer?.(target);
    if (resolved === undefined) {
      throw new ServiceError(
        "DEPENDENCY_FAILED",
        this.service,
        `service ${this.service}: ${attr} refers to service "${target}", which has no container yet`,
        { hint: `create service ${target} first (it is an implicit dependency of ${this.service})` },
      );
    }
    return `container:${resolved}`;
  }
}

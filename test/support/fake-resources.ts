/**
 * The fake engine's state and its images, networks, volumes and events (containers: see
 * fake-containers.ts; what runs in them: fake-engine.ts).
 */
import { EngineError, FlotillaError } from "../../src/errors.js";
import type { BuildSpec, EndpointSpec, EngineEvent, ImageInfo, LabelFilter, Labels, NetworkCreateSpec, NetworkSummary, ProgressMessage, VolumeCreateSpec, VolumeSummary } from "../../src/runtime/engine.js";
import { FakeScript, fakeMountpoint, hex64, labelsMatch, normalizeImageRef, tick, type FakeCall, type FakeContainer, type FakeImage, type FakeNetwork, type FakeVolume } from "./fake-model.js";

export class FakeResources {
  readonly calls: FakeCall[] = [];
  readonly script = new FakeScript();
  readonly containers = new Map<string, FakeContainer>();
  readonly networks = new Map<string, FakeNetwork>();
  readonly volumes = new Map<string, FakeVolume>();
  readonly images = new Map<string, FakeImage>();
  protected seq = 0;
  protected nextPort = 49153;
  protected subscribers = new Set<(e: EngineEvent) => void>();
  protected clock: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.clock = options.now ?? (() => Date.now());
    for (const [name, driver] of [["bridge", "bridge"], ["host", "host"], ["none", "null"]] as const) {
      this.networks.set(name, { id: this.newId("e"), spec: { Name: name, Driver: driver }, builtin: true });
    }
  }

  protected newId(prefix: string): string {
    return hex64(prefix, ++this.seq);
  }

  protected record(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args });
  }

  /** The call log restricted to some methods (handy in planner tests). */
  callsOf(...methods: string[]): FakeCall[] {
    return this.calls.filter((c) => methods.includes(c.method));
  }

  protected emit(type: string, action: string, id: string, attributes: Record<string, string>): void {
    const now = this.clock();
    const event: EngineEvent = { type, action, id, attributes, time: now / 1000 };
    for (const s of this.subscribers) s(event);
  }

  protected containerEvent(c: FakeContainer, action: string, extra: Record<string, string> = {}): void {
    this.emit("container", action, c.id, { ...(c.spec.Labels ?? {}), name: c.name, image: c.spec.Image, ...extra });
  }


  // --- containers by id, name or id prefix ---------------------------------------------------

  protected findContainer(idOrName: string): FakeContainer | undefined {
    const byId = this.containers.get(idOrName);
    if (byId) return byId;
    const name = idOrName.replace(/^\//, "");
    for (const c of this.containers.values()) if (c.name === name) return c;
    if (/^[0-9a-f]{3,63}$/.test(idOrName)) {
      const matches = [...this.containers.values()].filter((c) => c.id.startsWith(idOrName));
      if (matches.length === 1) return matches[0];
    }
    return undefined;
  }

  protected getContainer(idOrName: string): FakeContainer {
    const c = this.findContainer(idOrName);
    if (!c) throw new EngineError("NOT_FOUND", `No such container: ${idOrName}`, { statusCode: 404 });
    return c;
  }

  // --- images ---------------------------------------------------------------------------------

  /** Make an image available locally (no pull needed). `taggedAt` (ms): when it was last pulled/tagged. */
  addImage(ref: string, options: { labels?: Labels; cmd?: string[]; taggedAt?: number } = {}): string {
    const tag = normalizeImageRef(ref);
    const existing = this.findImage(tag);
    if (existing) return existing.id;
    const id = `sha256:${this.newId("a")}`;
    const now = new Date(this.clock()).toISOString();
    const lastTagTime = options.taggedAt !== undefined ? new Date(options.taggedAt).toISOString() : now;
    this.images.set(id, { id, tags: new Set([tag]), labels: options.labels ?? {}, cmd: options.cmd ?? ["sh"], created: now, lastTagTime });
    return id;
  }

  protected findImage(ref: string): FakeImage | undefined {
    const direct = this.images.get(ref) ?? this.images.get(`sha256:${ref}`);
    if (direct) return direct;
    const tag = normalizeImageRef(ref);
    for (const img of this.images.values()) if (img.tags.has(tag)) return img;
    if (/^[0-9a-f]{6,64}$/.test(ref)) {
      for (const img of this.images.values()) if (img.id.slice(7).startsWith(ref)) return img;
    }
    return undefined;
  }

  async inspectImage(ref: string): Promise<ImageInfo | undefined> {
    this.record("inspectImage", ref);
    const img = this.findImage(ref);
    if (!img) return undefined;
    return { id: img.id, repoTags: [...img.tags], repoDigests: [], labels: { ...img.labels }, created: img.created, lastTagTime: img.lastTagTime };
  }

  async pullImage(ref: string, onProgress?: (m: ProgressMessage) => void, signal?: AbortSignal, platform?: string): Promise<void> {
    this.record("pullImage", ref, platform);
    await tick();
    if (signal?.aborted) throw new FlotillaError("ABORTED", "the operation was cancelled");
    const failure = this.script.pullFailures.get(normalizeImageRef(ref));
    if (failure !== undefined) {
      throw new EngineError("PULL_FAILED", `cannot pull image ${ref}: ${failure}`, { hint: "check the image name and tag, your network and registry credentials (docker login)" });
    }
    onProgress?.({ status: `Pulling from ${ref}` });
    this.findImage(this.addImage(ref))!.lastTagTime = new Date(this.clock()).toISOString();
    onProgress?.({ status: `Status: Downloaded newer image for ${normalizeImageRef(ref)}` });
    this.emit("image", "pull", normalizeImageRef(ref), { name: normalizeImageRef(ref) });
  }

  /** Pushed references, in order (what a registry would now hold). */
  readonly pushed: string[] = [];

  async pushImage(ref: string, onProgress?: (m: ProgressMessage) => void, signal?: AbortSignal): Promise<void> {
    this.record("pushImage", ref);
    await tick();
    if (signal?.aborted) throw new FlotillaError("ABORTED", "the operation was cancelled");
    if (!this.findImage(ref)) throw new EngineError("PUSH_FAILED", `cannot push image ${ref}: An image does not exist locally with the tag: ${ref}`, { statusCode: 404 });
    const failure = this.script.pushFailures.get(normalizeImageRef(ref));
    if (failure !== undefined) throw new EngineError("PUSH_FAILED", `cannot push image ${ref}: ${failure}`, { hint: "check your registry credentials (docker login)" });
    onProgress?.({ status: `The push refers to repository [${ref}]` });
    this.pushed.push(normalizeImageRef(ref));
    this.emit("image", "push", normalizeImageRef(ref), { name: normalizeImageRef(ref) });
  }

  async buildImage(spec: BuildSpec, onProgress?: (m: ProgressMessage) => void, signal?: AbortSignal): Promise<string> {
    this.record("buildImage", { ...spec, context: "<stream>" });
    // Drain the context like the engine would.
    for await (const _ of spec.context) void _;
    if (signal?.aborted) throw new FlotillaError("ABORTED", "the operation was cancelled");
    for (const tag of spec.tags) {
      const failure = this.script.buildFailures.get(normalizeImageRef(tag));
      if (failure !== undefined) {
        throw new EngineError("BUILD_FAILED", `cannot build ${spec.tags[0]}: ${failure}`, { hint: "fix the Dockerfile or the build context" });
      }
    }
    const id = `sha256:${this.newId("b")}`;
    const now = new Date(this.clock()).toISOString();
    const image: FakeImage = { id, tags: new Set(), labels: { ...(spec.labels ?? {}) }, cmd: ["sh"], created: now, lastTagTime: now };
    for (const tag of spec.tags) {
      const t = normalizeImageRef(tag);
      for (const other of this.images.values()) other.tags.delete(t);
      image.tags.add(t);
    }
    this.images.set(id, image);
    onProgress?.({ stream: `Successfully built ${id.slice(7, 19)}\n` });
    return id;
  }

  async removeImage(ref: string, force?: boolean): Promise<void> {
    this.record("removeImage", ref, force);
    const img = this.findImage(ref);
    if (!img) return;
    // Like the engine: removing one of several tags only untags.
    const tag = normalizeImageRef(ref);
    if (img.tags.has(tag) && img.tags.size > 1) {
      img.tags.delete(tag);
      return;
    }
    if (!force) {
      for (const c of this.containers.values()) {
        if (c.image === img) throw new EngineError("CONFLICT", `conflict: unable to remove image ${ref}: image is being used by container ${c.id.slice(0, 12)}`, { statusCode: 409 });
      }
    }
    this.images.delete(img.id);
  }

  async tagImage(ref: string, repo: string, tag: string): Promise<void> {
    this.record("tagImage", ref, repo, tag);
    const img = this.findImage(ref);
    if (!img) throw new EngineError("IMAGE_NOT_FOUND", `No such image: ${ref}`, { statusCode: 404 });
    const t = normalizeImageRef(`${repo}:${tag}`);
    for (const other of this.images.values()) other.tags.delete(t);
    img.tags.add(t);
    img.lastTagTime = new Date(this.clock()).toISOString();
  }


  // --- networks -------------------------------------------------------------------------------

  protected findNetwork(idOrName: string): FakeNetwork | undefined {
    const byName = this.networks.get(idOrName);
    if (byName) return byName;
    for (const n of this.networks.values()) if (n.id === idOrName || (idOrName.length >= 6 && n.id.startsWith(idOrName))) return n;
    return undefined;
  }

  protected networkSummary(n: FakeNetwork): NetworkSummary {
    const containers: NetworkSummary["containers"] = {};
    for (const c of this.containers.values()) {
      if (c.networks.has(n.spec.Name) && (c.state === "running" || c.state === "paused")) containers[c.id] = { name: c.name };
    }
    const config: NetworkSummary["ipam"]["config"] = (n.spec.IPAM?.Config ?? []).map((x) => {
      const o: NetworkSummary["ipam"]["config"][number] = {};
      if (x.Subnet) o.subnet = x.Subnet;
      if (x.Gateway) o.gateway = x.Gateway;
      if (x.IPRange) o.ipRange = x.IPRange;
      return o;
    });
    return {
      id: n.id,
      name: n.spec.Name,
      driver: n.spec.Driver ?? "bridge",
      labels: { ...(n.spec.Labels ?? {}) },
      internal: n.spec.Internal === true,
      attachable: n.spec.Attachable === true,
      enableIPv6: n.spec.EnableIPv6 === true,
      ipam: { driver: n.spec.IPAM?.Driver ?? "default", config, options: { ...(n.spec.IPAM?.Options ?? {}) } },
      options: { ...(n.spec.Options ?? {}) },
      containers,
    };
  }

  async listNetworks(filter: { labels?: LabelFilter; name?: string }): Promise<NetworkSummary[]> {
    this.record("listNetworks", filter);
    return [...this.networks.values()]
      .filter((n) => labelsMatch(n.spec.Labels ?? {}, filter.labels) && (filter.name === undefined || n.spec.Name === filter.name))
      .map((n) => this.networkSummary(n));
  }

  async inspectNetwork(idOrName: string): Promise<NetworkSummary | undefined> {
    this.record("inspectNetwork", idOrName);
    const n = this.findNetwork(idOrName);
    return n ? this.networkSummary(n) : undefined;
  }

  async createNetwork(spec: NetworkCreateSpec): Promise<string> {
    this.record("createNetwork", spec);
    await tick();
    if (this.networks.has(spec.Name)) throw new EngineError("CONFLICT", `cannot create network ${spec.Name}: network with name ${spec.Name} already exists`, { statusCode: 409 });
    const id = this.newId("d");
    this.networks.set(spec.Name, { id, spec: structuredClone(spec), builtin: false });
    this.emit("network", "create", id, { name: spec.Name, type: spec.Driver ?? "bridge" });
    return id;
  }

  async removeNetwork(idOrName: string): Promise<void> {
    this.record("removeNetwork", idOrName);
    await tick();
    const n = this.findNetwork(idOrName);
    if (!n) return;
    if (n.builtin) throw new EngineError("ENGINE", `cannot remove network ${idOrName}: ${n.spec.Name} is a pre-defined network and cannot be removed`, { statusCode: 403 });
    if (Object.keys(this.networkSummary(n).containers).length > 0) {
      throw new EngineError("IN_USE", `cannot remove network ${idOrName}: error while removing network: network ${n.spec.Name} id ${n.id} has active endpoints`, { statusCode: 403 });
    }
    for (const c of this.containers.values()) c.networks.delete(n.spec.Name);
    this.networks.delete(n.spec.Name);
    this.emit("network", "destroy", n.id, { name: n.spec.Name });
  }

  async connectNetwork(network: string, containerId: string, endpoint: EndpointSpec): Promise<void> {
    this.record("connectNetwork", network, containerId, endpoint);
    const n = this.findNetwork(network);
    if (!n) throw new EngineError("NOT_FOUND", `cannot connect container ${containerId} to network ${network}: network ${network} not found`, { statusCode: 404 });
    const c = this.getContainer(containerId);
    if (c.networks.has(n.spec.Name)) {
      throw new EngineError("ENGINE", `cannot connect container ${containerId} to network ${network}: endpoint with name ${c.name} already exists in network ${n.spec.Name}`, { statusCode: 403 });
    }
    c.networks.set(n.spec.Name, { aliases: [...(endpoint.Aliases ?? [])], ipAddress: c.state === "running" ? `172.19.0.${c.networks.size + 2}` : "", networkId: n.id });
    this.emit("network", "connect", n.id, { name: n.spec.Name, container: c.id });
  }

  async disconnectNetwork(network: string, containerId: string, force?: boolean): Promise<void> {
    this.record("disconnectNetwork", network, containerId, force);
    const n = this.findNetwork(network);
    if (!n) throw new EngineError("NOT_FOUND", `network ${network} not found`, { statusCode: 404 });
    const c = this.getContainer(containerId);
    if (!c.networks.delete(n.spec.Name) && !force) {
      throw new EngineError("ENGINE", `container ${c.id} is not connected to network ${n.spec.Name}`, { statusCode: 403 });
    }
    this.emit("network", "disconnect", n.id, { name: n.spec.Name, container: c.id });
  }


  // --- volumes --------------------------------------------------------------------------------

  protected volumeSummary(v: FakeVolume): VolumeSummary {
    return {
      name: v.spec.Name,
      driver: v.spec.Driver ?? "local",
      labels: { ...(v.spec.Labels ?? {}) },
      mountpoint: fakeMountpoint(v.spec.Name),
      options: { ...(v.spec.DriverOpts ?? {}) },
    };
  }

  async listVolumes(filter: { labels?: LabelFilter }): Promise<VolumeSummary[]> {
    this.record("listVolumes", filter);
    return [...this.volumes.values()].filter((v) => labelsMatch(v.spec.Labels ?? {}, filter.labels)).map((v) => this.volumeSummary(v));
  }

  async inspectVolume(name: string): Promise<VolumeSummary | undefined> {
    this.record("inspectVolume", name);
    const v = this.volumes.get(name);
    return v ? this.volumeSummary(v) : undefined;
  }

  async createVolume(spec: VolumeCreateSpec): Promise<void> {
    this.record("createVolume", spec);
    await tick();
    // Like the engine, creating an existing volume is a no-op.
    if (!this.volumes.has(spec.Name)) {
      this.volumes.set(spec.Name, { spec: structuredClone(spec), files: new Map() });
      this.emit("volume", "create", spec.Name, { driver: spec.Driver ?? "local" });
    }
  }

  async removeVolume(name: string, force?: boolean): Promise<void> {
    this.record("removeVolume", name, force);
    await tick();
    if (!this.volumes.has(name)) return;
    for (const c of this.containers.values()) {
      const binds = (c.spec.HostConfig["Binds"] as string[] | undefined) ?? [];
      const mounts = (c.spec.HostConfig["Mounts"] as { Source?: string }[] | undefined) ?? [];
      if (binds.some((b) => b.split(":")[0] === name) || mounts.some((m) => m.Source === name)) {
        throw new EngineError("IN_USE", `cannot remove volume ${name}: remove ${name}: volume is in use - [${c.id}]`, { statusCode: 409 });
      }
    }
    this.volumes.delete(name);
    this.emit("volume", "destroy", name, {});
  }


  // --- events ---------------------------------------------------------------------------------

  /** Live events only: the fake keeps no history, so `since` and `until` are not modelled. */
  events(filter: { labels?: LabelFilter; since?: number | string; until?: number | string }, signal?: AbortSignal): AsyncIterable<EngineEvent> {
    this.record("events", filter);
    return this.eventStream(filter, signal);
  }

  private async *eventStream(filter: { labels?: LabelFilter }, signal?: AbortSignal): AsyncGenerator<EngineEvent> {
    {
      {
        const queue: EngineEvent[] = [];
        let wake: (() => void) | undefined;
        const subscriber = (e: EngineEvent): void => {
          if (filter.labels && !labelsMatch(e.attributes, filter.labels)) return;
          queue.push(e);
          wake?.();
        };
        const onAbort = (): void => wake?.();
        this.subscribers.add(subscriber);
        signal?.addEventListener("abort", onAbort, { once: true });
        try {
          for (;;) {
            for (let e = queue.shift(); e !== undefined; e = queue.shift()) yield e;
            if (signal?.aborted) return;
            await new Promise<void>((resolve) => {
              wake = resolve;
            });
            wake = undefined;
          }
        } finally {
          this.subscribers.delete(subscriber);
          signal?.removeEventListener("abort", onAbort);
        }
      }
    }
  }
}

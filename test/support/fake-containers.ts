/** The fake engine's containers: create, inspect, list and the lifecycle (start, stop, kill, pause…). */
import { EngineError, FlotillaError } from "../../src/errors.js";
import type { ContainerCreateSpec, ContainerDetails, ContainerSummary, EndpointSpec, EngineInfo, LabelFilter, LogChunk, PortBinding } from "../../src/runtime/engine.js";
import { fakeMounts, labelsMatch, tick, volumeOfHostPath, type FakeContainer, type FakeNetwork, type HealthStatus } from "./fake-model.js";
import { FakeResources } from "./fake-resources.js";
import { emulateCommand } from "./fake-shell.js";

export class FakeContainers extends FakeResources {
  // --- containers -----------------------------------------------------------------------------

  async info(): Promise<EngineInfo> {
    this.record("info");
    return { endpoint: "fake://", host: "localhost", serverVersion: "20.10.0-fake", apiVersion: "1.41", os: "linux", arch: "amd64", flavor: "docker" };
  }

  async listContainers(filter: { labels: LabelFilter; all?: boolean }): Promise<ContainerSummary[]> {
    this.record("listContainers", filter);
    const out: ContainerSummary[] = [];
    for (const c of this.containers.values()) {
      if (!filter.all && c.state !== "running" && c.state !== "paused" && c.state !== "restarting") continue;
      if (!labelsMatch(c.spec.Labels ?? {}, filter.labels)) continue;
      out.push({
        id: c.id,
        name: c.name,
        image: c.spec.Image,
        imageId: c.image.id,
        command: [...(c.spec.Entrypoint ?? []), ...(c.spec.Cmd ?? c.image.cmd)].join(" "),
        created: Math.floor(c.created / 1000),
        state: c.state,
        status: this.statusText(c),
        labels: { ...(c.spec.Labels ?? {}) },
        ports: c.ports.map((p) => ({ ...p })),
        networks: [...c.networks.keys()],
        networkIds: Object.fromEntries([...c.networks].map(([name, ep]) => [name, ep.networkId ?? ""])),
        mounts: fakeMounts(c).map((m) => (m.type === "volume" ? { name: m.name ?? m.source, driver: "local" } : { name: m.source })),
      });
    }
    return out;
  }

  protected statusText(c: FakeContainer): string {
    switch (c.state) {
      case "running": {
        const h = c.health ? c.health.sequence[Math.min(c.health.index, c.health.sequence.length - 1)] : undefined;
        return `Up${h ? ` (${h === "starting" ? "health: starting" : h})` : ""}`;
      }
      case "exited":
        return `Exited (${c.exitCode})`;
      case "created":
        return "Created";
      case "paused":
        return "Up (Paused)";
      default:
        return c.state;
    }
  }

  async inspectContainer(idOrName: string): Promise<ContainerDetails | undefined> {
    this.record("inspectContainer", idOrName);
    const c = this.findContainer(idOrName);
    if (!c) return undefined;
    const state: ContainerDetails["state"] = {
      status: c.state,
      running: c.state === "running" || c.state === "paused" || c.state === "restarting",
      exitCode: c.exitCode,
      oomKilled: false,
    };
    if (c.startedAt !== undefined) state.startedAt = new Date(c.startedAt).toISOString();
    if (c.finishedAt !== undefined) state.finishedAt = new Date(c.finishedAt).toISOString();
    if (c.health) {
      const h = c.health;
      const status: HealthStatus = h.sequence[Math.min(h.index, h.sequence.length - 1)] ?? "starting";
      state.health = { status, failingStreak: status === "unhealthy" ? 3 : 0, log: [] };
      if (state.running) {
        // The first inspect that reports a new status also emits its health_status event.
        if (status !== "starting" && h.reported !== status) this.containerEvent(c, `health_status: ${status}`);
        h.reported = status;
        // Each inspect of a running container advances the scripted sequence by one step.
        if (h.index < h.sequence.length - 1) h.index++;
      }
    }
    const networks: ContainerDetails["networks"] = {};
    for (const [name, ep] of c.networks) {
      const net = this.networks.get(name);
      const entry: ContainerDetails["networks"][string] = { aliases: [...ep.aliases], networkId: net?.id ?? "" };
      if (state.running) entry.ipAddress = ep.ipAddress;
      networks[name] = entry;
    }
    const mounts = fakeMounts(c);
    const raw = {
      Id: c.id,
      Name: `/${c.name}`,
      Image: c.image.id,
      Config: { ...c.spec, Labels: { ...(c.spec.Labels ?? {}) }, Tty: c.spec.Tty === true },
      HostConfig: c.spec.HostConfig,
      State: { Status: c.state, ExitCode: c.exitCode },
    };
    return {
      id: c.id,
      name: c.name,
      image: c.image.id,
      created: new Date(c.created).toISOString(),
      labels: { ...(c.spec.Labels ?? {}) },
      state,
      restartCount: c.restartCount,
      tty: c.spec.Tty === true,
      openStdin: c.spec.OpenStdin === true,
      ports: c.ports.map((p) => ({ ...p })),
      networks,
      mounts,
      raw,
    };
  }

  async createContainer(spec: ContainerCreateSpec): Promise<string> {
    this.record("createContainer", spec);
    await tick();
    const scripted = this.script.createFailures.get(spec.name);
    if (scripted) throw scripted;
    if (spec.name !== "" && this.findContainer(spec.name)) {
      const other = this.findContainer(spec.name) as FakeContainer;
      throw new EngineError("CONFLICT", `Conflict. The container name "/${spec.name}" is already in use by container "${other.id}". You have to remove (or rename) that container to be able to reuse that name.`, { statusCode: 409 });
    }
    const image = this.findImage(spec.Image);
    if (!image) {
      throw new EngineError("IMAGE_NOT_FOUND", `cannot create container ${spec.name}: No such image: ${spec.Image}`, { statusCode: 404, hint: "pull or build the image first (flotilla pull / flotilla build)" });
    }
    const networks = new Map<string, { aliases: string[]; ipAddress: string; networkId?: string }>();
    const mode = spec.HostConfig["NetworkMode"];
    const wanted = new Map<string, EndpointSpec>(Object.entries(spec.NetworkingConfig?.EndpointsConfig ?? {}));
    if (typeof mode === "string" && mode !== "" && mode !== "default" && !mode.startsWith("container:") && !wanted.has(mode)) wanted.set(mode, {});
    if (wanted.size === 0 && (mode === undefined || mode === "" || mode === "default")) wanted.set("bridge", {});
    for (const [name, ep] of wanted) {
      if (!this.networks.has(name) && !this.findNetwork(name)) {
        throw new EngineError("NOT_FOUND", `network ${name} not found`, { statusCode: 404 });
      }
      const net = (this.networks.get(name) ?? this.findNetwork(name)) as FakeNetwork;
      networks.set(net.spec.Name, { aliases: [...(ep.Aliases ?? [])], ipAddress: "", networkId: net.id });
    }
    const files = this.boundVolumeFiles(spec);
    const name = spec.name !== "" ? spec.name : `fake_${this.seq + 1}`;
    const id = this.newId("c");
    const c: FakeContainer = {
      id,
      name,
      spec: structuredClone({ ...spec, name }),
      image,
      state: "created",
      exitCode: 0,
      created: this.clock(),
      restartCount: 0,
      networks,
      ports: [],
      logs: [],
      files,
      waiters: [],
      logWaiters: [],
    };
    const scriptedHealth = this.script.healthSequences.get(name);
    const test = spec.Healthcheck?.Test;
    if (scriptedHealth) c.health = { sequence: scriptedHealth, index: 0 };
    else if (test && test.length > 0 && test[0] !== "NONE") c.health = { sequence: ["starting", "healthy"], index: 0 };
    this.containers.set(id, c);
    this.containerEvent(c, "create");
    return id;
  }

  /**
   * Bind mounts whose source is a file under a volume's mount point show that file at their target
   * (a source that does not exist fails the create, as Docker does; Podman fails only the start).
   */
  private boundVolumeFiles(spec: ContainerCreateSpec): Map<string, Buffer> {
    const files = new Map<string, Buffer>();
    for (const m of (spec.HostConfig["Mounts"] as { Type?: string; Source?: string; Target?: string }[] | undefined) ?? []) {
      const at = m.Type === "bind" && m.Source ? volumeOfHostPath(m.Source) : undefined;
      if (!at || !m.Target) continue;
      const file = this.volumes.get(at.volume)?.files.get(at.file);
      if (!file) throw new EngineError("ENGINE", `invalid mount config for type "bind": bind source path does not exist: ${m.Source}`, { statusCode: 400 });
      files.set(m.Target, file.data);
    }
    return files;
  }

  protected publishPorts(c: FakeContainer): void {
    const bindings = (c.spec.HostConfig["PortBindings"] ?? {}) as Record<string, { HostIp?: string; HostPort?: string }[] | null>;
    const ports: PortBinding[] = [];
    const taken = new Set<string>();
    for (const other of this.containers.values()) {
      if (other === c || other.state !== "running") continue;
      for (const p of other.ports) if (p.publicPort !== undefined) taken.add(`${p.protocol}/${p.publicPort}`);
    }
    for (const [key, list] of Object.entries(bindings)) {
      // Like the engine: a binding publishes only when its port is in ExposedPorts.
      if (!(key in (c.spec.ExposedPorts ?? {})) && !(`${key}/tcp` in (c.spec.ExposedPorts ?? {}))) continue;
      const [port = "0", proto = "tcp"] = key.split("/");
      const protocol: PortBinding["protocol"] = proto === "udp" || proto === "sctp" ? proto : "tcp";
      for (const b of list ?? [{}]) {
        let publicPort = b.HostPort ? Number(b.HostPort.split("-")[0]) : 0;
        if (publicPort === 0) {
          while (taken.has(`${protocol}/${this.nextPort}`)) this.nextPort++;
          publicPort = this.nextPort++;
        } else if (taken.has(`${protocol}/${publicPort}`)) {
          throw new EngineError(
            "PORT_ALLOCATED",
            `cannot start container ${c.name}: driver failed programming external connectivity on endpoint ${c.name}: Bind for ${b.HostIp || "0.0.0.0"}:${publicPort} failed: port is already allocated`,
            { statusCode: 500, hint: "another container or process uses this host port: stop it or publish a different port" },
          );
        }
        taken.add(`${protocol}/${publicPort}`);
        ports.push({ privatePort: Number(port), protocol, hostIp: b.HostIp || "0.0.0.0", publicPort });
      }
    }
    for (const key of Object.keys(c.spec.ExposedPorts ?? {})) {
      const [port = "0", proto = "tcp"] = key.split("/");
      if (!ports.some((p) => `${p.privatePort}/${p.protocol}` === `${port}/${proto}`)) {
        ports.push({ privatePort: Number(port), protocol: proto === "udp" || proto === "sctp" ? proto : "tcp" });
      }
    }
    c.ports = ports;
  }

  protected appendLog(c: FakeContainer, chunk: LogChunk): void {
    if (chunk.data.length === 0) return;
    c.logs.push(chunk);
    this.wakeLogs(c);
  }

  protected wakeLogs(c: FakeContainer): void {
    const waiters = c.logWaiters.splice(0);
    for (const w of waiters) w();
  }

  protected exitContainer(c: FakeContainer, code: number, action = "die"): void {
    if (c.exitTimer) {
      clearTimeout(c.exitTimer as NodeJS.Timeout);
      clearImmediate(c.exitTimer as NodeJS.Immediate);
      delete c.exitTimer;
    }
    if (c.state !== "running" && c.state !== "paused" && c.state !== "restarting") return;
    c.state = "exited";
    c.exitCode = code;
    c.finishedAt = this.clock();
    for (const n of c.networks.values()) n.ipAddress = "";
    this.containerEvent(c, action, { exitCode: String(code) });
    const waiters = c.waiters.splice(0);
    for (const w of waiters) w();
    this.wakeLogs(c);
  }

  async startContainer(id: string): Promise<void> {
    this.record("startContainer", id);
    await this.startNow(id);
  }

  protected async startNow(id: string): Promise<void> {
    await tick();
    const c = this.getContainer(id);
    const scripted = this.script.startFailures.get(c.name) ?? this.script.startFailures.get(c.id);
    if (scripted) throw scripted;
    if (c.state === "running") return;
    if (c.state === "paused") throw new EngineError("ENGINE", `cannot start a paused container, try unpause instead`, { statusCode: 500 });
    this.publishPorts(c);
    if (c.health) {
      c.health.index = 0;
      delete c.health.reported;
    }
    c.state = "running";
    c.startedAt = this.clock();
    let ip = 2;
    for (const n of c.networks.values()) n.ipAddress = `172.18.0.${ip++}`;
    this.containerEvent(c, "start");
    const argv = [...(c.spec.Entrypoint ?? []), ...(c.spec.Cmd ?? (c.spec.Entrypoint ? [] : c.image.cmd))];
    if (c.spec.OpenStdin === true && argv.length === 1 && argv[0]?.replace(/^.*\//, "") === "cat") {
      // `cat` with stdin open copies its input to stdout and ends with it (no input attached: it waits).
      void c.stdin?.then((data) => {
        this.appendLog(c, { stream: "stdout", data });
        this.exitContainer(c, 0);
      });
      return;
    }
    const run = emulateCommand(argv, c.files);
    if (run.stdout) this.appendLog(c, { stream: c.spec.Tty ? "stdout" : "stdout", data: Buffer.from(run.stdout) });
    if (run.stderr) this.appendLog(c, { stream: c.spec.Tty ? "stdout" : "stderr", data: Buffer.from(run.stderr) });
    for (const chunk of this.script.outputs.get(c.name) ?? []) this.appendLog(c, { ...chunk });
    const exit = this.script.exits.get(c.name);
    if (exit) {
      c.exitTimer = exit.delayMs > 0 ? setTimeout(() => this.exitContainer(c, exit.code), exit.delayMs) : setImmediate(() => this.exitContainer(c, exit.code));
    } else if (!run.keepsRunning) {
      c.exitTimer = setImmediate(() => this.exitContainer(c, run.exitCode));
    }
  }

  async stopContainer(id: string, timeout?: number): Promise<void> {
    this.record("stopContainer", id, timeout);
    await tick();
    const c = this.getContainer(id);
    if (c.state === "running" || c.state === "paused") {
      this.containerEvent(c, "kill", { signal: "15" });
      this.exitContainer(c, 143);
      this.containerEvent(c, "stop");
    }
  }

  async restartContainer(id: string, timeout?: number): Promise<void> {
    this.record("restartContainer", id, timeout);
    const c = this.getContainer(id);
    if (c.state === "running" || c.state === "paused") this.exitContainer(c, 143);
    c.restartCount++;
    await this.startNow(c.id);
  }

  async killContainer(id: string, signal = "SIGKILL"): Promise<void> {
    this.record("killContainer", id, signal);
    await tick();
    const c = this.getContainer(id);
    if (c.state !== "running" && c.state !== "paused") {
      throw new EngineError("CONFLICT", `Cannot kill container: ${id}: Container ${c.id} is not running`, { statusCode: 409 });
    }
    this.containerEvent(c, "kill", { signal });
    this.exitContainer(c, signal === "SIGKILL" || signal === "KILL" || signal === "9" ? 137 : 143);
  }

  async pauseContainer(id: string): Promise<void> {
    this.record("pauseContainer", id);
    const c = this.getContainer(id);
    if (c.state !== "running") throw new EngineError("CONFLICT", `Container ${c.id} is not running`, { statusCode: 409 });
    c.state = "paused";
    this.containerEvent(c, "pause");
  }

  async unpauseContainer(id: string): Promise<void> {
    this.record("unpauseContainer", id);
    const c = this.getContainer(id);
    // Docker answers 500 here (not 409).
    if (c.state !== "paused") throw new EngineError("ENGINE", `Container ${c.id} is not paused`, { statusCode: 500 });
    c.state = "running";
    this.containerEvent(c, "unpause");
  }

  async removeContainer(id: string, options: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    this.record("removeContainer", id, options);
    await tick();
    const c = this.findContainer(id);
    if (!c) return;
    if ((c.state === "running" || c.state === "paused") && !options.force) {
      throw new EngineError("CONFLICT", `You cannot remove a running container ${c.id}. Stop the container before attempting removal or force remove`, { statusCode: 409 });
    }
    if (c.state === "running" || c.state === "paused") this.exitContainer(c, 137);
    this.containers.delete(c.id);
    this.containerEvent(c, "destroy");
    this.wakeLogs(c);
  }

  async renameContainer(id: string, name: string): Promise<void> {
    this.record("renameContainer", id, name);
    const c = this.getContainer(id);
    const other = this.findContainer(name);
    if (other && other !== c) throw new EngineError("CONFLICT", `Conflict. The container name "/${name}" is already in use by container "${other.id}"`, { statusCode: 409 });
    c.name = name;
    c.spec.name = name;
    this.containerEvent(c, "rename");
  }

  async waitContainer(id: string, signal?: AbortSignal): Promise<number> {
    this.record("waitContainer", id);
    const c = this.getContainer(id);
    if (c.state !== "running" && c.state !== "paused" && c.state !== "restarting") return c.exitCode;
    return new Promise<number>((resolve, reject) => {
      const onAbort = (): void => {
        c.waiters.splice(c.waiters.indexOf(done), 1);
        reject(new FlotillaError("ABORTED", "the operation was cancelled"));
      };
      const done = (): void => {
        signal?.removeEventListener("abort", onAbort);
        resolve(c.exitCode);
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      c.waiters.push(done);
    });
  }
}

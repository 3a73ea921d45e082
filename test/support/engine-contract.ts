/**
 * The Engine contract: behaviour every Engine implementation (DockerEngine, FakeEngine) must
 * share, so planner tests on the fake mean something on the real engine.
 *
 * `make` returns the engine, an image that exists locally and has busybox's `sh`, a registry to
 * push to and pull from (`host:port`), and a cleanup.
 * Optional `capabilities` (known when the tests are registered):
 *   - `realProcesses` (default false): the engine runs real processes. Checks that depend on
 *     real process timing or signals run only then (they are not registered for the fake, so
 *     nothing is counted as skipped). The fake emulates simple `sh -c` scripts (echo, cat, exit, >&2), which the other checks use.
 * Every resource carries a unique label so parallel runs and leftovers never collide.
 *
 * ENGINE_METHODS lists every method of the port: a method added to `Engine` without an entry is a
 * compile error, and the last case fails while any listed method has no contract case.
 */
import { after, before, describe, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { ContainerCreateSpec, Engine } from "../../src/runtime/engine.js";
import { containerCases } from "./contract/containers.js";
import { fileCases } from "./contract/files.js";
import { imageCases } from "./contract/images.js";
import { resourceCases } from "./contract/resources.js";

export interface ContractSubject {
  engine: Engine;
  image: string;
  /** `host:port` of a registry the engine can push to and pull from. */
  registry: string;
  cleanup: () => Promise<void>;
}

export interface ContractCapabilities {
  realProcesses?: boolean;
}

/** Every method of the Engine port; each needs at least one contract case. */
export const ENGINE_METHODS: Readonly<Record<keyof Engine, true>> = {
  info: true,
  listContainers: true,
  inspectContainer: true,
  createContainer: true,
  startContainer: true,
  stopContainer: true,
  restartContainer: true,
  killContainer: true,
  pauseContainer: true,
  unpauseContainer: true,
  removeContainer: true,
  renameContainer: true,
  waitContainer: true,
  logs: true,
  exec: true,
  attachStdin: true,
  getArchive: true,
  statPath: true,
  stats: true,
  commitContainer: true,
  exportContainer: true,
  top: true,
  resizeTty: true,
  putArchive: true,
  listNetworks: true,
  inspectNetwork: true,
  createNetwork: true,
  removeNetwork: true,
  connectNetwork: true,
  disconnectNetwork: true,
  listVolumes: true,
  inspectVolume: true,
  createVolume: true,
  removeVolume: true,
  inspectImage: true,
  pullImage: true,
  pushImage: true,
  buildImage: true,
  removeImage: true,
  tagImage: true,
  events: true,
};

/** An Engine whose optional methods are all there (the contract exercises every one). */
export type FullEngine = Engine & Required<Engine>;

/** What the case modules share: the subject, unique names, cleanup lists and case registration. */
export interface ContractContext {
  readonly subject: ContractSubject;
  readonly engine: FullEngine;
  /** A unique prefix for this run's resource names, and the label that marks them. */
  readonly run: string;
  readonly RUN: string;
  readonly realProcesses: boolean;
  readonly networks: string[];
  readonly volumes: string[];
  readonly images: string[];
  readonly spec: (suffix: string, cmd: string[], extra?: Partial<ContainerCreateSpec>) => ContainerCreateSpec;
  /** Create a container that is removed after the suite. */
  readonly create: (s: ContainerCreateSpec) => Promise<string>;
  /** Register a case exercising `methods` (what the coverage check counts). */
  readonly contract: (name: string, methods: readonly (keyof Engine)[], fn: (t: TestContext) => Promise<void>) => void;
}

function fullEngine(engine: Engine): FullEngine {
  const missing = (Object.keys(ENGINE_METHODS) as (keyof Engine)[]).filter((m) => typeof engine[m] !== "function");
  assert.deepEqual(missing, [], "the engine implements every method of the port");
  return engine as FullEngine;
}

export function engineContract(name: string, make: () => Promise<ContractSubject>, capabilities: ContractCapabilities = {}): void {
  describe(`Engine contract: ${name}`, () => {
    let subject: ContractSubject | undefined;
    let engine: FullEngine | undefined;
    const created: string[] = [];
    const covered = new Set<keyof Engine>();
    const ctx: ContractContext = {
      get subject() {
        assert.ok(subject, "the subject is made before the cases run");
        return subject;
      },
      get engine() {
        assert.ok(engine, "the engine is made before the cases run");
        return engine;
      },
      run: `flotilla-contract-${randomBytes(4).toString("hex")}`,
      RUN: "io.flotilla.test.run",
      realProcesses: capabilities.realProcesses === true,
      networks: [],
      volumes: [],
      images: [],
      spec: (suffix, cmd, extra = {}) => ({
        name: `${ctx.run}-${suffix}`,
        Image: ctx.subject.image,
        Cmd: cmd,
        Labels: { [ctx.RUN]: ctx.run, "io.flotilla.test.role": suffix },
        HostConfig: { Init: true },
        ...extra,
      }),
      create: async (s) => {
        const id = await ctx.engine.createContainer(s);
        created.push(id);
        return id;
      },
      contract: (caseName, methods, fn) => {
        for (const m of methods) covered.add(m);
        test(caseName, fn);
      },
    };

    before(async () => {
      subject = await make();
      engine = fullEngine(subject.engine);
    });

    after(async () => {
      if (!engine || !subject) return;
      for (const id of created) await engine.removeContainer(id, { force: true, volumes: true }).catch(() => {});
      for (const n of ctx.networks) await engine.removeNetwork(n).catch(() => {});
      for (const v of ctx.volumes) await engine.removeVolume(v, true).catch(() => {});
      for (const i of ctx.images) await engine.removeImage(i, true).catch(() => {});
      await subject.cleanup();
    });

    containerCases(ctx);
    fileCases(ctx);
    resourceCases(ctx);
    imageCases(ctx);

    test("every Engine method has a contract case", () => {
      const missing = (Object.keys(ENGINE_METHODS) as (keyof Engine)[]).filter((m) => !covered.has(m));
      assert.deepEqual(missing, [], `methods without a contract case: ${missing.join(", ")}`);
    });
  });
}

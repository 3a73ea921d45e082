import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadProject, loadProjectSync } from "../../src/spec/load.js";
import type { LoaderFs } from "../../src/spec/discover.js";
import { fx, loadError } from "../support/spec.js";

describe("loadProject: the example stack", () => {
  test("loads, interpolates from .env and normalizes", async () => {
    const p = await loadProject({ cwd: fx("example"), env: {} });
    assert.equal(p.model.name, "flotilla-example");
    assert.equal(p.workingDir, fx("example"));
    assert.deepEqual(p.configFiles, [fx("example", "compose.yaml")]);
    assert.deepEqual(p.envFiles, [fx("example", ".env")]);
    assert.deepEqual(Object.keys(p.model.services).sort(), ["api", "migrate", "web"]);
    const web = p.model.services["web"]!;
    assert.equal(web.ports?.[0]?.published, "8088");
    assert.equal(web.ports?.[0]?.host_ip, "127.0.0.1");
    assert.equal(web.ports?.[0]?.target, 80);
    assert.equal(web.init, true);
    assert.equal(web.volumes?.[0]?.source, fx("example", "site"));
    assert.equal(web.depends_on?.["api"]?.condition, "service_healthy");
    const api = p.model.services["api"]!;
    assert.equal(api.environment?.["GREETING"], "Hello from Flotilla");
    assert.equal(api.depends_on?.["migrate"]?.condition, "service_completed_successfully");
    assert.equal(p.model.volumes["appdata"]?.name, "flotilla-example_appdata");
    assert.equal(p.environment["COMPOSE_PROJECT_NAME"], "flotilla-example");
    assert.equal(p.environment["WEB_PORT"], "8088");
    assert.deepEqual(p.warnings, []);
  });

  test("the process environment wins over .env, and -p over name:", async () => {
    const p = await loadProject({ cwd: fx("example"), env: { WEB_PORT: "9999" }, projectName: "demo" });
    assert.equal(p.model.services["web"]!.ports?.[0]?.published, "9999");
    assert.equal(p.model.name, "demo");
    assert.equal(p.model.volumes["appdata"]?.name, "demo_appdata");
    assert.equal(p.environment["COMPOSE_PROJECT_NAME"], "demo");
  });
});

describe("loadProject: discovery and merging", () => {
  test("the override file is merged over the base", async () => {
    const p = await loadProject({ cwd: fx("load-discovery", "sub", "deeper"), env: {} });
    assert.deepEqual(p.configFiles, [fx("load-discovery", "compose.yaml"), fx("load-discovery", "compose.override.yaml")]);
    assert.equal(p.model.name, "load-discovery");
    assert.deepEqual(p.model.services["web"]!.environment, { ROLE: "override", EXTRA: "1" });
  });

  test("-f files are merged in order", async () => {
    const p = await loadProject({ cwd: fx("load-discovery"), env: {}, files: ["compose.yaml", "other.yaml"] });
    assert.deepEqual(Object.keys(p.model.services).sort(), ["other", "web"]);
    assert.deepEqual(p.model.services["web"]!.environment, { ROLE: "base" });
  });

  test(".env can set COMPOSE_FILE and COMPOSE_PROFILES; `version` is dropped with a warning", async () => {
    const p = await loadProject({ cwd: fx("load-envcompose"), env: {} });
    assert.deepEqual(p.configFiles, [fx("load-envcompose", "main.yaml"), fx("load-envcompose", "extra.yaml")]);
    assert.deepEqual(Object.keys(p.model.services).sort(), ["extra", "main"]);
    assert.deepEqual(p.profiles, ["extra"]);
    assert.equal("version" in p.model, false);
    assert.ok(p.warnings.some((w) => w.includes("main.yaml") && w.includes("`version` is obsolete")), p.warnings.join("\n"));
  });
});

describe("loadProject: environment", () => {
  test("COMPOSE_PROJECT_NAME and variables come from .env", async () => {
    const p = await loadProject({ cwd: fx("load-envfile"), env: { WHO: "me" } });
    assert.equal(p.model.name, "fromdotenv");
    assert.equal(p.model.services["app"]!.image, "flotilla-busybox:dotenv");
    assert.equal(p.model.services["app"]!.environment?.["GREETING"], "hi from .env");
    assert.equal(p.model.services["app"]!.environment?.["WHO"], "me");
  });

  test("the .env of the project directory is used when -f points elsewhere", async () => {
    const p = await loadProject({ cwd: fx("load-discovery"), env: { WHO: "x" }, files: ["../load-envfile/compose.yaml"] });
    assert.equal(p.workingDir, fx("load-envfile"));
    assert.deepEqual(p.envFiles, [fx("load-envfile", ".env")]);
    assert.equal(p.model.name, "fromdotenv");
    assert.equal(p.model.services["app"]!.image, "flotilla-busybox:dotenv");
  });

  test("the process environment wins over .env (COMPOSE_PROJECT_NAME too)", async () => {
    const p = await loadProject({ cwd: fx("load-envfile"), env: { TAG: "os", COMPOSE_PROJECT_NAME: "osname", WHO: "x" } });
    assert.equal(p.model.name, "osname");
    assert.equal(p.model.services["app"]!.image, "flotilla-busybox:os");
  });

  test("--env-file replaces .env; later files win", async () => {
    const p = await loadProject({ cwd: fx("load-envfile"), env: { WHO: "x" }, envFiles: ["alt.env", "alt2.env"] });
    assert.equal(p.model.name, "load-envfile", "COMPOSE_PROJECT_NAME from .env must not apply");
    assert.equal(p.model.services["app"]!.image, "flotilla-busybox:alt");
    assert.equal(p.model.services["app"]!.environment?.["GREETING"], "hi from alt2");
    assert.deepEqual(p.envFiles, [fx("load-envfile", "alt.env"), fx("load-envfile", "alt2.env")]);
  });

  test("COMPOSE_ENV_FILES works like --env-file", async () => {
    const p = await loadProject({ cwd: fx("load-envfile"), env: { WHO: "x", COMPOSE_ENV_FILES: "alt2.env,alt.env" } });
    assert.equal(p.model.services["app"]!.environment?.["GREETING"], "hi from alt");
  });

  test("COMPOSE_DISABLE_ENV_FILE skips .env; unset variables become warnings", async () => {
    const p = await loadProject({ cwd: fx("load-envfile"), env: { COMPOSE_DISABLE_ENV_FILE: "true" } });
    assert.deepEqual(p.envFiles, []);
    assert.equal(p.model.services["app"]!.environment?.["GREETING"], "hello");
    assert.ok(p.warnings.some((w) => w.includes('"WHO" variable is not set')), p.warnings.join("\n"));
    assert.ok(p.warnings.some((w) => w.includes('"TAG" variable is not set')), p.warnings.join("\n"));
  });

  test("a missing --env-file is a CONFIG_ENV_FILE error", async () => {
    const e = await loadError({ cwd: fx("load-envfile"), env: {}, envFiles: ["missing.env"] });
    assert.equal(e.code, "CONFIG_ENV_FILE");
    assert.match(e.message, /missing\.env/);
  });

  test("interpolate:false keeps ${...} as written", async () => {
    const p = await loadProject({ cwd: fx("load-envfile"), env: {}, interpolate: false });
    assert.equal(p.model.services["app"]!.image, "flotilla-busybox:${TAG}");
  });
});

describe("loadProject: profiles", () => {
  test("COMPOSE_PROFILES from the environment", async () => {
    const p = await loadProject({ cwd: fx("profiles-basic"), env: { COMPOSE_PROFILES: "dev" } });
    assert.deepEqual(Object.keys(p.model.services).sort(), ["db", "mock", "web"]);
    assert.deepEqual(Object.keys(p.disabledServices).sort(), ["debug", "helper", "optional", "tools"]);
  });

  test("a named service is activated with its dependencies", async () => {
    const p = await loadProject({ cwd: fx("profiles-basic"), env: {}, services: ["debug"] });
    assert.deepEqual(Object.keys(p.model.services).sort(), ["db", "debug", "web"]);
  });

  test("a dependency on a disabled service is an error with file:line:col", async () => {
    const e = await loadError({ cwd: fx("profiles-basic"), env: {}, profiles: ["tools"] });
    assert.equal(e.code, "CONFIG_INVALID");
    assert.match(e.message, /"tools" depends on service "helper"/);
    assert.equal(e.issues[0]!.location?.file, fx("profiles-basic", "compose.yaml"));
    assert.equal(e.issues[0]!.location?.line, 19);
    assert.match(e.issues[0]!.hint ?? "", /--profile helpers/);
  });
});

describe("loadProject: errors", () => {
  test("an invalid file reports several issues, each with file:line:col", async () => {
    const e = await loadError({ cwd: fx("load-invalid"), env: {} });
    const file = fx("load-invalid", "compose.yaml");
    assert.ok(e.issues.length >= 2, e.message);
    const schema = e.issues.find((i) => i.code === "CONFIG_SCHEMA" && /imagee/.test(i.message));
    assert.ok(schema, e.message);
    assert.deepEqual([schema.location?.file, schema.location?.line], [file, 3]);
    const interp = e.issues.find((i) => i.code === "CONFIG_INTERPOLATION");
    assert.ok(interp, e.message);
    assert.match(interp.message, /PORT must be set/);
    assert.deepEqual([interp.location?.file, interp.location?.line], [file, 10]);
    assert.match(e.message, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:3:\\d+`));
  });

  test("YAML syntax errors are reported with their position", async () => {
    const e = await loadError({ cwd: "/", env: {}, documents: ["services:\n  a:\n    image: [unclosed\n"] });
    assert.equal(e.issues[0]!.code, "CONFIG_YAML");
    assert.equal(e.issues[0]!.location?.file, "<inline-0>");
  });

  test("no compose file → CONFIG_NOT_FOUND", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flotilla-load-"));
    try {
      const e = await loadError({ cwd: dir, env: {} });
      assert.equal(e.code, "CONFIG_NOT_FOUND");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("loadProject: inline input", () => {
  test("documents (YAML text and objects) are merged in order", async () => {
    const p = await loadProject({
      cwd: "/tmp/Inline-Proj",
      env: { IMG: "flotilla-busybox:latest" },
      documents: ["services:\n  a:\n    image: ${IMG}\n    environment: [X=1]\n", { services: { a: { environment: { Y: "2" } }, b: { image: "x" } } }],
    });
    assert.equal(p.model.name, "inline-proj");
    assert.equal(p.model.services["a"]!.image, "flotilla-busybox:latest");
    assert.deepEqual(p.model.services["a"]!.environment, { X: "1", Y: "2" });
    assert.deepEqual(p.configFiles, ["<inline-0>", "<inline-1>"]);
  });

  test("documents with files are merged after them, like override files, in the project directory", async () => {
    const p = await loadProject({
      cwd: "/",
      env: {},
      files: [fx("example", "compose.yaml")],
      documents: [{ services: { api: { environment: { GREETING: "from the test" } }, extra: { image: "x", volumes: ["./data:/data"] } } }],
    });
    assert.equal(p.model.name, "flotilla-example");
    assert.equal(p.model.services["api"]!.environment?.["GREETING"], "from the test", "the document overrides the file");
    assert.ok(p.model.services["web"], "the file's services stay");
    assert.equal(p.model.services["extra"]!.volumes?.[0]?.source, fx("example", "data"), "relative to the project directory");
    assert.deepEqual(p.configFiles, [fx("example", "compose.yaml"), "<inline-0>"]);
  });

  test("${COMPOSE_PROJECT_NAME} is the project's name also when it comes from name: or the directory", async () => {
    const fromName = await loadProject({ cwd: "/tmp/Some-Dir", env: {}, documents: ['name: from-file\nservices:\n  a:\n    image: x\n    labels:\n      pn: "${COMPOSE_PROJECT_NAME}"\n'] });
    assert.equal(fromName.model.services["a"]!.labels?.["pn"], "from-file");
    assert.deepEqual(fromName.warnings, [], "no 'variable is not set' warning");
    const fromDir = await loadProject({ cwd: "/tmp/Some-Dir", env: {}, documents: ['services:\n  a:\n    image: x\n    labels:\n      pn: "${COMPOSE_PROJECT_NAME:-unset}"\n'] });
    assert.equal(fromDir.model.services["a"]!.labels?.["pn"], "some-dir");
    const fromFlag = await loadProject({ cwd: "/tmp/Some-Dir", env: {}, projectName: "flagged", documents: ['name: ignored\nservices:\n  a:\n    image: x\n    labels:\n      pn: "${COMPOSE_PROJECT_NAME}"\n'] });
    assert.equal(fromFlag.model.services["a"]!.labels?.["pn"], "flagged");
  });

  test("YAML 1.1 booleans are read, with a warning at their position; x-develop and x-initialSync are read as develop and initial_sync, deprecated", async () => {
    const p = await loadProject({
      cwd: "/tmp/bools",
      env: {},
      documents: [
        "services:\n  a:\n    image: x\n    tty: yes\n    stdin_open: \"off\"\n    init: true\n    x-develop:\n      watch:\n        - path: ./src\n          action: sync\n          target: /app\n          x-initialSync: true\n",
      ],
    });
    const a = p.model.services["a"]!;
    assert.deepEqual([a.tty, a.stdin_open === true, a.init], [true, false, true]);
    assert.equal(a.develop?.watch?.[0]?.initial_sync, true);
    assert.equal(a.develop?.watch?.[0]?.path, "/tmp/bools/src");
    assert.deepEqual(p.warnings, [
      '<inline-0>:4:5: services.a.tty: "yes" is a YAML 1.1 boolean, read as true: write true',
      '<inline-0>:5:5: services.a.stdin_open: "off" is a YAML 1.1 boolean, read as false: write false',
      "<inline-0>:7:5: services.a.x-develop: x-develop is deprecated: rename it to develop",
      "<inline-0>:12:11: services.a.x-develop.watch[0].x-initialSync: x-initialSync is deprecated: rename it to initial_sync",
    ]);
  });

  test("!reset and !override tags are honoured across documents and removed from a single one", async () => {
    const merged = await loadProject({
      cwd: "/tmp/tags",
      env: {},
      documents: [
        "services:\n  a:\n    image: x\n    ports: ['8080:80']\n    command: [sleep, '1']\n    environment: {A: '1'}\n",
        "services:\n  a:\n    ports: !reset []\n    environment: !override {B: '2'}\n",
      ],
    });
    const a = merged.model.services["a"]!;
    assert.equal(a.ports, undefined);
    assert.deepEqual(a.environment, { B: "2" });
    const single = await loadProject({ cwd: "/tmp/tags", env: {}, documents: ["services:\n  a:\n    image: x\n    ports: !reset ['1:1']\n"] });
    assert.equal(single.model.services["a"]!.ports, undefined);
  });

  test("stdin via -f -", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flotilla-stdin-"));
    try {
      writeFileSync(join(dir, ".env"), "IMG=from-dotenv\n");
      const p = await loadProject({ cwd: dir, env: {}, files: ["-"], stdin: "services:\n  s:\n    image: ${IMG}\n", projectName: "stdin" });
      assert.deepEqual(p.configFiles, ["-"]);
      assert.equal(p.model.services["s"]!.image, "from-dotenv");
      assert.equal(p.workingDir, dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("loadProject: large projects", () => {
  test("a 200-service document loads completely", async () => {
    const services: Record<string, unknown> = {};
    for (let i = 0; i < 200; i++) {
      services[`svc${i}`] = {
        image: "flotilla-busybox:latest",
        command: ["sleep", "3600"],
        environment: { INDEX: String(i), NAME: "svc${SUFFIX:-x}" },
        ports: [`${10000 + i}:80`],
        volumes: [`data${i % 10}:/data`],
        depends_on: i > 0 ? [`svc${i - 1}`] : [],
        labels: { tier: "t" },
        healthcheck: { test: ["CMD", "true"], interval: "5s" },
      };
    }
    const volumes: Record<string, unknown> = {};
    for (let i = 0; i < 10; i++) volumes[`data${i}`] = {};
    const doc = { services, volumes };
    // Speed is measured by bench/config.mjs; here: a large project loads completely and stays consistent.
    const p = await loadProject({ cwd: "/tmp/bench", env: {}, documents: [doc] });
    assert.equal(Object.keys(p.model.services).length, 200);
    assert.equal(Object.keys(p.model.volumes).length, 10);
    assert.equal(p.model.networks.default?.name, `${p.model.name}_default`);
  });
});

describe("loadProjectSync with an in-memory file system", () => {
  test("discovery, .env, include and extends all go through the injected fs", () => {
    const files: Record<string, string> = {
      "/m/app/compose.yaml": "include:\n  - ../lib/compose.yaml\nservices:\n  web:\n    extends: {file: ../lib/base.yaml, service: base}\n    image: ${IMG}\n",
      "/m/app/.env": "IMG=mem-image\n",
      "/m/lib/compose.yaml": "services:\n  db:\n    image: db\n    volumes: ['./data:/data']\n",
      "/m/lib/base.yaml": "services:\n  base:\n    build: ./ctx\n",
    };
    const fs: LoaderFs = {
      isFile: (p) => p in files,
      readFile: (p) => {
        const v = files[p];
        if (v === undefined) throw new Error(`ENOENT: ${p}`);
        return v;
      },
    };
    const p = loadProjectSync({ cwd: "/m/app", env: {} }, fs);
    assert.equal(p.model.name, "app");
    assert.equal(p.model.services["web"]!.image, "mem-image");
    assert.equal(p.model.services["web"]!.build?.context, "/m/lib/ctx");
    assert.equal(p.model.services["db"]!.volumes?.[0]?.source, "/m/lib/data");
    assert.deepEqual(p.envFiles, ["/m/app/.env"]);
  });

  test("a file is read again for ${COMPOSE_PROJECT_NAME} only when it uses it", () => {
    const reads: string[] = [];
    const files: Record<string, string> = {
      "/r/plain/compose.yaml": "services:\n  a:\n    image: x\n",
      "/r/uses/compose.yaml": "services:\n  a:\n    image: x\n    labels: {p: \"${COMPOSE_PROJECT_NAME}\"}\n",
    };
    const fs: LoaderFs = {
      isFile: (p) => p in files,
      readFile: (p) => {
        reads.push(p);
        const v = files[p];
        if (v === undefined) throw new Error(`ENOENT: ${p}`);
        return v;
      },
    };
    loadProjectSync({ cwd: "/r/plain", env: {} }, fs);
    assert.deepEqual(reads, ["/r/plain/compose.yaml"]);
    reads.length = 0;
    const uses = loadProjectSync({ cwd: "/r/uses", env: {} }, fs);
    assert.deepEqual(reads, ["/r/uses/compose.yaml", "/r/uses/compose.yaml"]);
    assert.equal(uses.model.services["a"]!.labels?.["p"], "uses");
  });
});

/** `flotilla config`: the normalized model (YAML or JSON), or one of its lists. Never loads the runtime. */
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import type { LoadedProject } from "../../spec/model.js";
import type { CliContext } from "../context.js";
import { exitAction, type CommandModule } from "./command.js";

export interface ConfigFlags {
  format?: string;
  services?: boolean;
  volumes?: boolean;
  networks?: boolean;
  profiles?: boolean;
  images?: boolean;
  hash?: string;
  quiet?: boolean;
  interpolate?: boolean;
  envResolution?: boolean;
  output?: string;
  variables?: boolean;
  environment?: boolean;
}

export type ConfigRequest =
  /** `escape: false` (with `--no-interpolate`): a `$` is printed as it is, not as `$$`. */
  | { kind: "model"; format: "yaml" | "json"; escape?: boolean }
  | { kind: "services" | "volumes" | "networks" | "profiles" | "images" | "environment" }
  | { kind: "hash"; services: "*" | string[] }
  | { kind: "quiet" }
  | { kind: "variables"; format: "table" | "yaml" | "json" };

/** Flags -> what to print; rejects conflicting list flags. */
export function configRequest(flags: ConfigFlags): ConfigRequest {
  const format = (flags.format ?? "yaml").toLowerCase();
  if (format !== "yaml" && format !== "json") throw new UsageError(`invalid --format "${flags.format}": expected yaml or json`);
  const lists = (["services", "volumes", "networks", "profiles", "images", "variables", "environment"] as const).filter((k) => flags[k] === true);
  const chosen = [...lists, ...(flags.hash !== undefined ? ["hash"] : []), ...(flags.quiet ? ["quiet"] : [])];
  if (chosen.length > 1) throw new UsageError(`--${chosen[0]} and --${chosen[1]} cannot be combined`);
  if (flags.quiet) return { kind: "quiet" };
  // A table unless a format is asked for explicitly, as Compose does.
  if (flags.variables) return { kind: "variables", format: flags.format === undefined ? "table" : format };
  if (flags.hash !== undefined) {
    const h = flags.hash.trim();
    return { kind: "hash", services: h === "*" ? "*" : h.split(",").map((s) => s.trim()).filter((s) => s !== "") };
  }
  if (lists[0] && lists[0] !== "variables") return { kind: lists[0] };
  return { kind: "model", format, ...(flags.interpolate === false ? { escape: false } : {}) };
}

/** A variable the files use, as `config --variables` lists it (Compose's field names). */
export interface VariableInfo {
  Name: string;
  /** From `${NAME:-x}` / `${NAME-x}`. */
  DefaultValue: string;
  /** From `${NAME:+x}` / `${NAME+x}`. */
  PresenceValue: string;
  /** `${NAME:?msg}` / `${NAME?msg}`. */
  Required: boolean;
}

const NAME_CHAR = /[A-Za-z0-9_]/;

/** Index of the `}` that closes the `${` whose body starts at `from`, or -1. */
function closeOf(s: string, from: number): number {
  let depth = 1;
  for (let i = from; i < s.length; i++) {
    if (s[i] === "$" && s[i + 1] === "{") {
      depth++;
      i++;
    } else if (s[i] === "}" && --depth === 0) return i;
  }
  return -1;
}

function scanVariables(s: string, out: Map<string, VariableInfo>): void {
  const add = (v: VariableInfo): void => {
    const seen = out.get(v.Name);
    if (!seen) return void out.set(v.Name, v);
    seen.Required ||= v.Required;
    seen.DefaultValue ||= v.DefaultValue;
    seen.PresenceValue ||= v.PresenceValue;
  };
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== "$") continue;
    const next = s[i + 1];
    if (next === "$") {
      i++; // `$$` is a literal dollar
      continue;
    }
    if (next === "{") {
      const end = closeOf(s, i + 2);
      if (end < 0) return; // malformed: the loader reports it when interpolating
      const body = s.slice(i + 2, end);
      let n = 0;
      while (n < body.length && NAME_CHAR.test(body.charAt(n))) n++;
      const name = body.slice(0, n);
      const rest = body.slice(n);
      if (name !== "") {
        const op = /^(:?)([-+?])/.exec(rest);
        const arg = op ? rest.slice(op[0].length) : "";
        add({
          Name: name,
          DefaultValue: op?.[2] === "-" ? arg : "",
          PresenceValue: op?.[2] === "+" ? arg : "",
          Required: op?.[2] === "?",
        });
        if (op && op[2] !== "?") scanVariables(arg, out); // `${A:-${B}}` uses B too
      }
      i = end;
      continue;
    }
    let n = i + 1;
    while (n < s.length && NAME_CHAR.test(s.charAt(n))) n++;
    if (n > i + 1 && !/[0-9]/.test(s.charAt(i + 1))) {
      add({ Name: s.slice(i + 1, n), DefaultValue: "", PresenceValue: "", Required: false });
      i = n - 1;
    }
  }
}

/** The variables used in a (not interpolated) model: every string value, sorted by name. */
export function extractVariables(value: unknown): VariableInfo[] {
  const out = new Map<string, VariableInfo>();
  const walk = (v: unknown): void => {
    if (typeof v === "string") scanVariables(v, out);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(value);
  return [...out.values()].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
}

/** The `config --variables` output: a NAME/REQUIRED/DEFAULT VALUE/ALTERNATE VALUE table, or a map by name. */
export async function renderVariables(vars: readonly VariableInfo[], format: "table" | "yaml" | "json"): Promise<string> {
  const byName = Object.fromEntries(vars.map((v) => [v.Name, v]));
  if (format === "json") return `${JSON.stringify(byName, null, 2)}\n`;
  if (format === "yaml") {
    const { stringify } = await import("yaml");
    return vars.length === 0 ? "{}\n" : stringify(byName);
  }
  const { renderTable } = await import("../render/table.js");
  return renderTable(
    ["NAME", "REQUIRED", "DEFAULT VALUE", "ALTERNATE VALUE"],
    vars.map((v) => [v.Name, String(v.Required), v.DefaultValue, v.PresenceValue]),
  );
}

/**
 * The variables of the compose files as written: the files are found like the loader finds them
 * (-f, COMPOSE_FILE, search) and only parsed, so a required variable that is missing, or a value
 * that is only valid once interpolated, does not stop the listing. `include`d and `extends`
 * files are not followed.
 */
async function variablesOfFiles(ctx: CliContext): Promise<VariableInfo[]> {
  const [{ toLoadOptions }, { discoverComposeFiles, STDIN_FILE }, { readFile }, { parseDocument }, { ConfigError }] = await Promise.all([
    import("../global-options.js"),
    import("../../spec/discover.js"),
    import("node:fs/promises"),
    import("yaml"),
    import("../../errors.js"),
  ]);
  const options = await toLoadOptions(ctx.globals, ctx.io);
  const found = discoverComposeFiles({
    cwd: options.cwd,
    env: options.env,
    ...(options.files ? { files: options.files } : {}),
    ...(options.projectDirectory !== undefined ? { projectDirectory: options.projectDirectory } : {}),
  });
  const docs: unknown[] = [];
  for (const file of found.files) {
    const text = file === STDIN_FILE ? (options.stdin ?? "") : await readFile(file, "utf8");
    const doc = parseDocument(text, { merge: true });
    const err = doc.errors[0];
    if (err) {
      const pos = err.linePos?.[0];
      throw ConfigError.of("CONFIG_YAML", err.message.split("\n")[0] ?? err.message, {
        ...(pos ? { location: { file, line: pos.line, col: pos.col } } : {}),
        hint: "fix the YAML syntax at this position",
      });
    }
    docs.push(doc.toJS({ maxAliasCount: 1000 }));
  }
  return extractVariables(docs);
}

function sortedKeys(o: Record<string, unknown> | undefined): string[] {
  return Object.keys(o ?? {}).sort();
}

/** Render the request against a loaded project (pure apart from the lazy serializer imports). */
/**
 * `config SERVICE…`: as Compose, the named services and the services they depend on (depends_on,
 * links, network_mode/volumes_from/ipc/pid `service:`), nothing else. Top-level resources stay.
 */
export async function selectServices(project: LoadedProject, names: readonly string[]): Promise<LoadedProject> {
  const { ServiceGraph } = await import("../../graph/graph.js");
  const keep = ServiceGraph.fromServices(project.model.services).closure(names);
  const services: typeof project.model.services = {};
  for (const name of sortedKeys(project.model.services)) {
    const svc = project.model.services[name];
    if (svc !== undefined && keep.has(name)) services[name] = svc;
  }
  return { ...project, model: { ...project.model, services } };
}

export async function renderConfig(project: LoadedProject, req: ConfigRequest): Promise<string> {
  const model = project.model;
  const lines = (xs: string[]): string => xs.map((x) => `${x}\n`).join("");
  switch (req.kind) {
    case "quiet":
      return "";
    case "services": {
      // As Compose (project.ForEachService): dependencies before the services that need them; ties by name.
      const { ServiceGraph } = await import("../../graph/graph.js");
      const sorted: Record<string, (typeof model.services)[string]> = {};
      for (const k of sortedKeys(model.services)) sorted[k] = model.services[k]!;
      return lines(ServiceGraph.fromServices(sorted).order());
    }
    case "volumes":
      return lines(sortedKeys(model.volumes));
    case "networks":
      return lines(sortedKeys(model.networks));
    case "profiles": {
      const all = new Set<string>();
      for (const svc of [...Object.values(model.services), ...Object.values(project.disabledServices)]) {
        for (const p of svc.profiles ?? []) all.add(p);
      }
      return lines([...all].sort());
    }
    case "images":
      return lines(sortedKeys(model.services).map((name) => model.services[name]?.image ?? `${model.name}-${name}`));
    case "variables":
      return renderVariables(extractVariables(model), req.format);
    case "environment":
      return lines(sortedKeys(project.environment).map((k) => `${k}=${project.environment[k]}`));
    case "hash": {
      const { serviceConfigHash } = await import("../../spec/hash.js");
      const names = req.services === "*" ? sortedKeys(model.services) : req.services;
      const out: string[] = [];
      for (const name of names) {
        const svc = model.services[name];
        if (!svc) {
          const { suggest } = await import("../usage.js");
          const guess = suggest(name, Object.keys(model.services));
          throw new UsageError(`no such service: "${name}"${guess ? ` (did you mean "${guess}"?)` : ""}`);
        }
        out.push(`${name} ${serviceConfigHash(svc)}`);
      }
      return lines(out);
    }
    case "model": {
      const { modelToJson, modelToYaml } = await import("../../spec/serialize.js");
      // As Compose: a literal `$` is printed `$$` unless the model was loaded without interpolation.
      const print = { escape: req.escape !== false };
      const text = req.format === "json" ? modelToJson(model, print) : modelToYaml(model, print);
      return text.endsWith("\n") ? text : `${text}\n`;
    }
  }
}

export const configCommand: CommandModule = {
  name: "config",
  register(program: Command, ctx: CliContext): Command {
    return program
      .command("config")
      .description("Parse, resolve and render the compose file in canonical format")
      .argument("[services...]", "Services to render")
      .option("--format <format>", 'Output format: yaml or json (default "yaml")')
      .option("--services", "Print the service names, one per line")
      .option("--volumes", "Print the volume names, one per line")
      .option("--networks", "Print the network names, one per line")
      .option("--profiles", "Print the profile names, one per line")
      .option("--images", "Print the image names, one per line")
      .option("--variables", "Print the model variables and their default values (a table unless --format is given)")
      .option("--environment", "Print the environment used for interpolation (KEY=VALUE, sorted)")
      .option("--hash <services>", 'Print the config hash of "*" or SVC[,SVC...]')
      .option("-q, --quiet", "Only validate the configuration, print nothing")
      .option("--no-interpolate", "Don't interpolate environment variables")
      .option("--no-env-resolution", "Don't resolve env_file into environment")
      .option("-o, --output <file>", "Save to this file instead of stdout")
      .action(
        exitAction(ctx, async (services: string[], flags: ConfigFlags) => {
          const req = configRequest(flags);
          if (req.kind === "variables") {
            const text = await renderVariables(await variablesOfFiles(ctx), req.format);
            if (flags.output) {
              const [fsp, path] = await Promise.all([import("node:fs/promises"), import("node:path")]);
              await fsp.writeFile(path.resolve(ctx.io.cwd, flags.output), text);
            } else ctx.out(text);
            return 0;
          }
          const project = await ctx.loadConfig({
            services,
            interpolate: flags.interpolate !== false,
            resolveEnvFiles: flags.envResolution !== false,
          });
          const text = await renderConfig(services.length > 0 ? await selectServices(project, services) : project, req);
          if (flags.output) {
            const [fsp, path] = await Promise.all([import("node:fs/promises"), import("node:path")]);
            await fsp.writeFile(path.resolve(ctx.io.cwd, flags.output), text);
          } else {
            ctx.out(text);
          }
          return 0;
        }),
      );
  },
};

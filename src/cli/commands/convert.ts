/**
 * `flotilla convert --to kubernetes|kustomize|helm [-o DIR | -]`: the project as Kubernetes manifests,
 * checked offline as strictly as the API server would check them. Warnings go to stderr with their
 * file:line:col; refusals stop the conversion (exit 1) unless `--ignore KEY`.
 */
import { Option, type Command } from "commander";
import { UsageError } from "../../errors.js";
import type { CliContext } from "../context.js";
import { toLoadOptions } from "../global-options.js";
import { collect } from "../usage.js";
import { exitAction, type CommandModule } from "./command.js";

export interface ConvertFlags {
  to: string;
  output?: string;
  format?: string;
  expose?: string;
  namespace?: string;
  ignore?: string[];
  bindAsHostpath?: boolean;
  volumeSize?: string;
  storageClass?: string;
  waitImage?: string;
}

const TARGETS = ["kubernetes", "kustomize", "helm"] as const;
const EXPOSE = ["clusterip", "nodeport", "loadbalancer"] as const;

/** `--to swarm`: what `stack config` prints (JSON specs), to stdout or `DIR/stack.json`. */
async function convertToSwarm(ctx: CliContext, flags: ConvertFlags): Promise<number> {
  if (flags.format !== undefined && flags.format.toLowerCase() !== "json") throw new UsageError(`invalid --format "${flags.format}" for --to swarm: the specs are JSON`);
  for (const [flag, set] of [["--expose", flags.expose], ["--namespace", flags.namespace], ["--volume-size", flags.volumeSize], ["--storage-class", flags.storageClass], ["--wait-image", flags.waitImage]] as const) {
    if (set !== undefined) throw new UsageError(`${flag} applies to Kubernetes targets, not --to swarm`);
  }
  const { runStackConfig } = await import("./stack-config.js");
  let output: string | undefined;
  if (flags.output !== undefined && flags.output !== "-") {
    const [fsp, path] = await Promise.all([import("node:fs/promises"), import("node:path")]);
    const dir = path.resolve(ctx.io.cwd, flags.output);
    await fsp.mkdir(dir, { recursive: true });
    output = path.join(dir, "stack.json");
  }
  return runStackConfig(ctx, undefined, { ignore: flags.ignore ?? [], ...(output !== undefined ? { output } : {}) });
}

export const convertCommand: CommandModule = {
  name: "convert",
  register(program: Command, ctx: CliContext): Command {
    return program
      .command("convert")
      .description("Convert the project to Kubernetes manifests, a kustomization or a Helm chart")
      .addOption(new Option("--to <target>", "What to write: kubernetes, kustomize, helm, or swarm (the specs stack deploy sends)").makeOptionMandatory())
      .option("-o, --output <dir>", 'Directory to write the files into, or "-" for stdout (default: stdout)')
      .option("--format <format>", 'kubernetes only: "yaml" (default) or "json"')
      .option("--expose <mode>", "Service type for published ports: clusterip (default), nodeport or loadbalancer")
      .option("--namespace <ns>", "Namespace of every object (default: none, the one you apply to)")
      .option("--ignore <key>", "Turn the refusal of this key (e.g. privileged, services.web.ulimits) into a warning; repeatable", collect, [])
      .option("--bind-as-hostpath", "Mount bind mounts as hostPath volumes (a path on whichever node runs the pod) instead of refusing them")
      .option("--volume-size <size>", "Size of each PersistentVolumeClaim without x-flotilla.k8s.size (default 1Gi)")
      .option("--storage-class <name>", "Storage class of the claims without x-flotilla.k8s.storage_class")
      .option("--wait-image <image>", "Image of the init containers that wait for dependencies (default busybox:1.36)")
      .action(
        exitAction(ctx, async (flags: ConvertFlags) => {
          const target = flags.to.toLowerCase();
          if (target === "swarm") return convertToSwarm(ctx, flags);
          if (!(TARGETS as readonly string[]).includes(target)) throw new UsageError(`invalid --to "${flags.to}": expected kubernetes, kustomize or helm`);
          const format = (flags.format ?? "yaml").toLowerCase();
          if (format !== "yaml" && format !== "json") throw new UsageError(`invalid --format "${flags.format}": expected yaml or json`);
          if (format === "json" && target !== "kubernetes") throw new UsageError("--format json applies to --to kubernetes only");
          const expose = (flags.expose ?? "clusterip").toLowerCase();
          if (!(EXPOSE as readonly string[]).includes(expose)) throw new UsageError(`invalid --expose "${flags.expose}": expected clusterip, nodeport or loadbalancer`);
          const { renderConversion } = await import("../../api/convert.js");
          const { formatKubernetesIssue } = await import("../../cluster/kubernetes/check.js");
          const load = await toLoadOptions(ctx.globals, ctx.io, {});
          const rendered = await renderConversion(load, {
            target: target as (typeof TARGETS)[number],
            format,
            expose: expose as (typeof EXPOSE)[number],
            ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}),
            ...(flags.ignore !== undefined && flags.ignore.length > 0 ? { ignore: flags.ignore } : {}),
            ...(flags.bindAsHostpath === true ? { bindAsHostPath: true } : {}),
            ...(flags.volumeSize !== undefined ? { volumeSize: flags.volumeSize } : {}),
            ...(flags.storageClass !== undefined ? { storageClass: flags.storageClass } : {}),
            ...(flags.waitImage !== undefined ? { waitImage: flags.waitImage } : {}),
          });
          for (const w of rendered.result.project.warnings) ctx.warn(w);
          for (const w of rendered.warnings) ctx.err(`${formatKubernetesIssue(w)}\n`);
          if (flags.output === undefined || flags.output === "-") {
            ctx.out(rendered.text);
            return 0;
          }
          const fsp = await import("node:fs/promises");
          const path = await import("node:path");
          const dir = path.resolve(ctx.io.cwd, flags.output);
          for (const [rel, text] of Object.entries(rendered.files)) {
            const file = path.resolve(dir, rel);
            await fsp.mkdir(path.dirname(file), { recursive: true });
            await fsp.writeFile(file, text);
          }
          ctx.err(`wrote ${Object.keys(rendered.files).length} files to ${dir}\n`);
          return 0;
        }),
      );
  },
};

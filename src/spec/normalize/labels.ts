/**
 * `label_file`: files of `KEY=VALUE` lines (the `.env` syntax) whose labels are merged under
 * `labels` by the service step, `labels` winning (compose-go `WithServicesLabelsResolved`). A
 * later file overrides an earlier one; `${VAR}` in a file sees only the labels read before it.
 */
import { ConfigError } from "../../errors.js";
import { parseDotenv } from "../dotenv.js";
import type { NormalizeFn } from "../attributes/types.js";

export const labelFile: NormalizeFn<string[]> = (nz, v, p, scope) => {
  const files = nz.stringList(v).map((f) => nz.abs(f));
  const labels: Record<string, string> = {};
  files.forEach((file, i) => {
    let text: string;
    try {
      text = nz.ctx.readFile(file);
    } catch (e) {
      // the same words as the load checks' (checks.ts), which run only when normalizing found nothing
      const why = e instanceof Error && "code" in e && e.code === "ENOENT" ? "does not exist" : `cannot be read (${e instanceof Error ? e.message : String(e)})`;
      nz.issue("CONFIG_ENV_FILE", [...p, i], `label file ${file} ${why}`, "create it, or fix the path (relative paths start from the project directory)");
      return;
    }
    try {
      Object.assign(labels, parseDotenv(text, file, (name) => labels[name]));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      for (const issue of e.issues) nz.ctx.issues.add(issue);
    }
  });
  scope.labelFileLabels = labels;
  return files;
};

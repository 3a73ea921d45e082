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
    const at = Array.isArray(v) ? [...p, i] : p;
    let text: string;
    try {
      text = nz.ctx.readFile(file);
    } catch (e) {
      const why = e instanceof Error && "code" in e && e.code === "ENOENT" ? "not found" : `cannot be read (${e instanceof Error ? e.message : String(e)})`;
      nz.issue("CONFIG_ENV_FILE", at, `label file ${file} ${why}`, "create the file or fix the path in label_file");
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

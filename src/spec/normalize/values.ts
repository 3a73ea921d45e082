/**
 * The small normalizers most attributes share: a value kept as written, booleans (optional or
 * plain), integers, numbers, string lists and maps, commands. Each is a `NormalizeFn` for the
 * attribute table.
 */
import type { NormalizeFn } from "../attributes/types.js";
import { isRawMap } from "../tags.js";
import { clone, type Normalizer } from "./normalizer.js";

/** Kept as written (deep copy); the type is what the schema allows. */
export const keep = <T>(): NormalizeFn<T> => (_nz, v) => clone(v) as T;

/** An optional boolean in Compose's model: false is kept (it differs from unset). */
export const optionalBool: NormalizeFn<boolean> = (nz, v, p) => nz.bool(v, p);

/** A plain boolean in Compose's model: false is the same as unset and is not printed. */
export const flag: NormalizeFn<boolean> = (nz, v, p) => (nz.bool(v, p) === true ? true : undefined);

export const integer: NormalizeFn<number> = (nz, v, p) => nz.int(v, p);
export const number: NormalizeFn<number> = (nz, v, p) => nz.num(v, p);
/** A byte size (`mem_limit`, `shm_size`…): a number of bytes; the model keeps its type number | string (library users may set a string). */
export const bytes: NormalizeFn<number | string> = (nz, v, p) => nz.bytes(v, p);
/** `cpus`: normalized to a number; the model keeps its long-standing type number | string (library users may set a string). */
export const cpus: NormalizeFn<number | string> = number;
export const stringList: NormalizeFn<string[]> = (nz, v) => nz.stringList(v);
export const stringMap: NormalizeFn<Record<string, string>> = (nz, v, p) => nz.stringMap(v, p);
/** `command` / `entrypoint`: a string is split as a shell would; null leaves the image's. */
export const command: NormalizeFn<string[] | null> = (nz, v, p) => nz.command(v, p);

/** `pull_policy`: `if_not_present` is Compose's old spelling of `missing`. */
export const pullPolicy: NormalizeFn<string> = (_nz, v) => (v === "if_not_present" ? "missing" : String(v));

/** `logging`: the driver, and its options as strings. */
export const logging: NormalizeFn<{ driver?: string; options?: Record<string, string> }> = (nz: Normalizer, v, p) => {
  const l = isRawMap(v) ? v : {};
  const lo: { driver?: string; options?: Record<string, string> } = {};
  if (typeof l["driver"] === "string") lo.driver = l["driver"];
  if (l["options"] !== undefined && l["options"] !== null) lo.options = nz.stringMap(l["options"], [...p, "options"]);
  return lo;
};

/** `provider`: its `options` as compose-go's MultiOptions, every value a list of strings (`a: 1` → `a: ["1"]`). */
export const provider: NormalizeFn<{ type?: string; options?: Record<string, string[]> } & Record<string, unknown>> = (nz, v) => {
  const out = (isRawMap(v) ? clone(v) : {}) as { type?: string; options?: Record<string, string[]> } & Record<string, unknown>;
  const opts = isRawMap(v) ? v["options"] : undefined;
  if (isRawMap(opts)) {
    out.options = Object.fromEntries(Object.entries(opts).map(([k, val]) => [k, nz.stringList(val)]));
  }
  return out;
};

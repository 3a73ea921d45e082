/** The attribute table and the lookups derived from it. */
import { SERVICE_ATTRIBUTES } from "./table.js";
import type { ServiceAttribute } from "./types.js";

export { SERVICE_ATTRIBUTES } from "./table.js";
export * from "./types.js";

/** Row of each service key. */
export const SERVICE_ATTRIBUTE_BY_KEY: ReadonlyMap<string, ServiceAttribute> = new Map((SERVICE_ATTRIBUTES as readonly ServiceAttribute[]).map((a) => [a.key, a]));

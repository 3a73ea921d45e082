/**
 * The model → Engine API create body: the entry point the executor imports. The conversion lives
 * in `convert/` (one file per concern); what each service key becomes is the `container` column
 * of the attribute table (`spec/attributes/table.ts`).
 */
export * from "./convert/index.js";
export { networkSpec, volumeSpec, networkWarnings } from "./network/networks.js";

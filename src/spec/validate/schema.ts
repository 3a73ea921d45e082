/**
 * The Compose schema (schemas/compose-spec.json) and its validator, precompiled at build time
 * (scripts/compile-schema.mjs) into schemas/compose-validator.cjs: both loaded once, on first use.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The fields of an ajv error that the standalone validator produces (messages are off). */
export interface RawError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
}

export type CompiledValidator = ((data: unknown) => boolean) & {
  errors?: RawError[] | null;
  /** sha256 of the schema file it was generated from. */
  schemaSha256: string;
};

/** A JSON-schema node as written in schemas/compose-spec.json. */
export interface SchemaNode {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  patternProperties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  allOf?: SchemaNode[];
  then?: SchemaNode;
  else?: SchemaNode;
  not?: SchemaNode;
  required?: string[];
  enum?: unknown[];
  pattern?: string;
  "x-message"?: string;
  "x-not-message"?: string;
}

/**
 * Where the schema and its generated validator come from. Both live in `<package>/schemas/`
 * and ship with the package. Two builds load this module:
 *  - tsc's output (dist/src/spec/validate/schema.js): the files are read from the package root, found
 *    by walking up from this module to the directory that holds package.json and schemas/;
 *  - the CLI bundle (scripts/bundle.mjs): esbuild defines FLOTILLA_BUNDLE and follows the two
 *    literal `require` calls below, so both files are inlined into the bundle (and its V8 code
 *    cache) instead of being read and compiled on every run. The paths are relative to
 *    dist/src/spec/validate/, the input the bundle is built from.
 */
declare const FLOTILLA_BUNDLE: boolean | undefined;
const BUNDLED = typeof FLOTILLA_BUNDLE !== "undefined" && FLOTILLA_BUNDLE === true;
const SCHEMA_FILE = "schemas/compose-spec.json";
const VALIDATOR_MODULE = "schemas/compose-validator.cjs";

let packageRequire: NodeJS.Require | undefined;
/** A `require` rooted at the package directory (the nearest ancestor with package.json and schemas/). */
function fromPackage(file: string): unknown {
  if (!packageRequire) {
    const here = dirname(fileURLToPath(import.meta.url));
    let dir = here;
    while (!(existsSync(join(dir, "package.json")) && existsSync(join(dir, SCHEMA_FILE)))) {
      const parent = dirname(dir);
      if (parent === dir) {
        throw new Error(`flotilla: ${SCHEMA_FILE} not found above ${here}: the installation is incomplete (reinstall the package, or run npm run build in a checkout)`);
      }
      dir = parent;
    }
    packageRequire = createRequire(join(dir, "package.json"));
  }
  return packageRequire(`./${file}`);
}

let cachedValidator: CompiledValidator | undefined;
let cachedSchema: (SchemaNode & { definitions: Record<string, SchemaNode> }) | undefined;

/** The precompiled validator, loaded on first use and kept for the life of the process. */
export function compiledValidator(): CompiledValidator {
  if (!cachedValidator) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the CLI bundle inlines the generated CommonJS validator; loading it stays synchronous
    cachedValidator = (BUNDLED ? require("../../../../schemas/compose-validator.cjs") : fromPackage(VALIDATOR_MODULE)) as CompiledValidator;
  }
  return cachedValidator;
}

/** The schema (used to explain errors), parsed once. */
export function schemaRoot(): SchemaNode & { definitions: Record<string, SchemaNode> } {
  if (!cachedSchema) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- as above: the bundle inlines the schema JSON
    cachedSchema = (BUNDLED ? require("../../../../schemas/compose-spec.json") : fromPackage(SCHEMA_FILE)) as SchemaNode & {
      definitions: Record<string, SchemaNode>;
    };
  }
  return cachedSchema;
}

/** Every attribute a service may have, in schema order (for code that warns about unsupported ones). */
export const SERVICE_ATTRIBUTES: readonly string[] = Object.freeze(
  Object.keys(schemaRoot().definitions["service"]?.properties ?? {}),
);

/** The top-level elements of a Compose file. */
export const TOP_LEVEL_ELEMENTS: readonly string[] = Object.freeze(Object.keys(schemaRoot().properties ?? {}));


/**
 * Every key path of the Compose model, read from the Compose JSON schema: the rows the
 * capabilities table must have. Pure: takes the parsed schema (callers read
 * `schemas/compose-spec.json`), returns sorted key paths such as `services.deploy.replicas`.
 *
 * Structured values are walked into (`services.deploy.resources.limits.cpus`,
 * `services.ports.published` from the long port syntax, `services.depends_on.condition` from the
 * entries of a name-keyed map); maps keyed by user data (labels, environment, sysctls) and `x-*`
 * extensions are leaves.
 */

type SchemaNode = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  patternProperties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
};

interface ComposeSchema {
  properties?: Record<string, SchemaNode>;
  definitions?: Record<string, SchemaNode>;
}

/** The top-level sections whose entries the table describes, and the schema definition of one entry. */
export const SECTIONS = {
  services: "service",
  networks: "network",
  volumes: "volume",
  secrets: "secret",
  configs: "config",
} as const;

export type Section = keyof typeof SECTIONS;

const MAX_DEPTH = 4;

export function modelKeyPaths(schema: ComposeSchema): string[] {
  const defs = schema.definitions ?? {};
  const resolve = (n: SchemaNode | undefined, seen: Set<string>): SchemaNode | undefined => {
    let node = n;
    while (node?.$ref !== undefined) {
      const name = node.$ref.replace(/^#\/definitions\//, "");
      if (seen.has(name)) return undefined;
      seen.add(name);
      node = defs[name];
    }
    return node;
  };
  /** The object shapes a value can take: its own properties, its list items', its oneOf/anyOf branches', name-keyed entries'. */
  const shapes = (n: SchemaNode | undefined, seen: Set<string>): Record<string, SchemaNode>[] => {
    const node = resolve(n, seen);
    if (!node) return [];
    const out: Record<string, SchemaNode>[] = [];
    if (node.properties) out.push(node.properties);
    if (node.items) out.push(...shapes(node.items, new Set(seen)));
    for (const branch of [...(node.oneOf ?? []), ...(node.anyOf ?? [])]) out.push(...shapes(branch, new Set(seen)));
    for (const [pattern, value] of Object.entries(node.patternProperties ?? {})) {
      if (pattern.startsWith("^x-")) continue;
      // a map keyed by names (depends_on, networks of a service): walk into the entry's structure
      const entry = resolve(value, new Set(seen));
      if (entry?.properties) out.push(entry.properties);
    }
    return out;
  };
  const paths = new Set<string>();
  const walk = (prefix: string, node: SchemaNode | undefined, depth: number, seen: Set<string>): void => {
    for (const props of shapes(node, seen)) {
      for (const [key, child] of Object.entries(props)) {
        const path = `${prefix}.${key}`;
        paths.add(path);
        if (depth < MAX_DEPTH) walk(path, child, depth + 1, new Set(seen));
      }
    }
  };
  for (const [section, def] of Object.entries(SECTIONS)) walk(section, defs[def], 1, new Set([def]));
  return [...paths].sort();
}

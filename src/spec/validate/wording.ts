/** How schema messages name JSON types and quote the values they got. */

export function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

const TYPE_WORDS: Record<string, [string, string]> = {
  string: ["a", "string"],
  number: ["a", "number"],
  integer: ["an", "integer"],
  boolean: ["a", "boolean"],
  array: ["a", "list"],
  object: ["a", "mapping"],
  null: ["", "null"],
};

/** ["string", "number"] → "a string or number". */
export function describeTypes(types: readonly string[]): string {
  const uniq = [...new Set(types.includes("number") ? types.filter((t) => t !== "integer") : types)];
  const words = uniq.map((t) => TYPE_WORDS[t] ?? ["", t]);
  if (words.length === 0) return "valid";
  const [first, ...rest] = words;
  const head = `${first![0] ? `${first![0]} ` : ""}${first![1]}`;
  if (rest.length === 0) return head;
  const tail = rest.map((w) => w[1]);
  const last = tail.pop()!;
  return [head, ...tail].join(", ") + ` or ${last}`;
}

export function describeValue(v: unknown): string {
  switch (jsonType(v)) {
    case "string": {
      const s = v as string;
      return JSON.stringify(s.length > 60 ? `${s.slice(0, 57)}...` : s);
    }
    case "array":
      return "a list";
    case "object":
      return "a mapping";
    case "undefined":
      return "nothing";
    default:
      return String(v);
  }
}

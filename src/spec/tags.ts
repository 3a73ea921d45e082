/**
 * Compose's YAML tags, kept through parsing so the merge can honour them:
 * `!reset` drops the value inherited from earlier files, `!override` replaces instead of merging.
 */
export class ResetTag {
  /** The value written after the tag (usually null/empty); ignored by the merge. */
  constructor(readonly value: unknown = null) {}
}

export class OverrideTag {
  constructor(readonly value: unknown) {}
}

export function isResetTag(v: unknown): v is ResetTag {
  return v instanceof ResetTag;
}

export function isOverrideTag(v: unknown): v is OverrideTag {
  return v instanceof OverrideTag;
}

/** A plain parsed YAML mapping. */
export type RawMap = Record<string, unknown>;

export function isRawMap(v: unknown): v is RawMap {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof ResetTag) && !(v instanceof OverrideTag);
}

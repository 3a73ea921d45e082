/** What one load carries from stage to stage: the file reader, the issues and warnings so far. */
import { IssueCollector } from "../../errors.js";
import type { LoaderFs } from "../discover.js";
import type { ExtendsUnit } from "../extends.js";

export interface LoadState {
  fs: LoaderFs;
  issues: IssueCollector;
  warnings: string[];
  /** Interpolation warnings (deduplicated by interpolateTree). */
  interpolationWarnings: Set<string>;
  interpolate: boolean;
  /** Key `<env id>\0<file>` → loaded unit, for files read by `extends`. */
  extendsCache: Map<string, ExtendsUnit | undefined>;
}

export function newLoadState(fs: LoaderFs, interpolate: boolean): LoadState {
  return { fs, issues: new IssueCollector(), warnings: [], interpolationWarnings: new Set(), interpolate, extendsCache: new Map() };
}

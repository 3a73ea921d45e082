/** How the model checks report: an issue or a warning at a model path, with its source position. */
import { formatLocation, type ErrorCode, type IssueCollector } from "../../errors.js";
import { formatPath, type Locations, type PathSegment } from "../locations.js";

export class CheckReport {
  constructor(
    private readonly locations: Locations,
    private readonly issues: IssueCollector,
    private readonly warnings: string[] | undefined,
  ) {}

  add(code: ErrorCode, path: PathSegment[], message: string, hint?: string): void {
    const loc = this.locations.find(path);
    this.issues.add({ code, message, path: formatPath(path), ...(loc ? { location: loc } : {}), ...(hint !== undefined ? { hint } : {}) });
  }

  /** A CONFIG_INVALID issue (most checks report this code). */
  invalid(path: PathSegment[], message: string, hint?: string): void {
    this.add("CONFIG_INVALID", path, message, hint);
  }

  warn(path: PathSegment[], message: string): void {
    const loc = this.locations.find(path);
    this.warnings?.push(`${loc ? `${formatLocation(loc)}: ` : ""}${formatPath(path)}: ${message}`);
  }
}

/**
 * Semantic checks on the normalized model: what the JSON schema cannot see (references between
 * services and resources, dependency cycles, port numbers, conflicting attributes). Every problem
 * becomes an issue with its model path and source location; nothing is thrown. One file per kind
 * of check under checks/; checkRawModel (the model as written) and checkFiles (the files a project
 * needs) live there too.
 */
import type { IssueCollector } from "../errors.js";
import type { Locations } from "./locations.js";
import type { ComposeModel } from "./model.js";
import { checkContainerNames, checkContentSources, checkDependencyCycles, warnExternalNetworkAttributes } from "./checks/project.js";
import { checkNetworks, checkSecretsAndConfigs, checkServiceReferences, checkVolumes } from "./checks/references.js";
import { CheckReport } from "./checks/report.js";
import { checkAttributeConflicts, checkMountTargets, checkPorts, checkWatchRules } from "./checks/service-attributes.js";

export { checkFiles } from "./checks/files.js";
export { findDependencyCycles } from "./checks/project.js";
export { checkRawModel } from "./checks/raw.js";
export { closestName } from "./checks/references.js";

export function checkModel(model: ComposeModel, locations: Locations, issues: IssueCollector, warnings?: string[]): void {
  const report = new CheckReport(locations, issues, warnings);
  for (const [name, s] of Object.entries(model.services)) {
    checkServiceReferences(model, name, s, report);
    checkNetworks(model, name, s, report);
    checkVolumes(model, name, s, report);
    checkSecretsAndConfigs(model, name, s, report);
    checkPorts(name, s, report);
    checkAttributeConflicts(name, s, report);
    checkMountTargets(name, s, report);
    checkWatchRules(name, s, report);
  }
  checkContainerNames(model, report);
  warnExternalNetworkAttributes(model, report);
  checkDependencyCycles(model, report);
  checkContentSources(model, report);
}

/**
 * The dockerode adapter of the Engine port: `connectEngine` (connection.ts) makes a DockerEngine
 * (docker-engine.ts), which composes one module per resource. Only this directory imports dockerode.
 */
export { DockerEngine, type DockerEngineOptions } from "./docker-engine.js";
export { connectEngine, openEngine } from "./connection.js";
export { StreamDemuxer } from "./streams.js";
export { labelFilters, matchesLabels } from "./filters.js";
export { containerStats } from "./stats.js";
export { ipv4First } from "./container-docs.js";
export { splitTag } from "./images.js";
export {
  familiarImageName,
  familiarRepoTags,
  healthcheckOverdue,
  podmanApiVersion,
  withDockerStopTimeout,
  isNetworkInUseMessage,
  isPodmanConflictMessage,
  isInterfaceRaceMessage,
  dockerImageId,
  hasNetworkNames,
  withNetworkIds,
  DOCKER_DEFAULT_STOP_TIMEOUT,
} from "./podman.js";

/**
 * The dockerode adapter of the Engine port: `connectEngine` (connection.ts) makes a DockerEngine
 * (docker-engine.ts), which composes one module per resource. Only this directory imports dockerode.
 */
export { DockerEngine, type DockerEngineOptions } from "./docker-engine.js";
export { connectEngine, openEngine } from "./connection.js";
export { StreamDemuxer } from "./streams.js";
export { labelFilters, matchesLabels } from "./filters.js";
export { containerStats } from "./stats.js";
export { untilMs } from "./events.js";
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
  isPodmanNotFoundMessage,
  libpodApiVersion,
  isInterfaceRaceMessage,
  dockerImageId,
  hasNetworkNames,
  withNetworkIds,
  platformMismatch,
  dockerTopColumns,
  DOCKER_DEFAULT_STOP_TIMEOUT,
} from "./podman.js";

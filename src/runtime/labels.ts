/** Compose's label keys: the state Flotilla shares with Docker Compose and Docker's own tools. */
const P = "com.docker.compose.";

export const Label = {
  project: `${P}project`,
  service: `${P}service`,
  containerNumber: `${P}container-number`,
  oneoff: `${P}oneoff`,
  slug: `${P}slug`,
  configHash: `${P}config-hash`,
  dependsOn: `${P}depends_on`,
  image: `${P}image`,
  version: `${P}version`,
  workingDir: `${P}project.working_dir`,
  configFiles: `${P}project.config_files`,
  environmentFile: `${P}project.environment_file`,
  replace: `${P}replace`,
  network: `${P}network`,
  volume: `${P}volume`,
  imageBuilder: `${P}image.builder`,
  /** On pre_start (init) containers: the hook kind. */
  hook: `${P}hook`,
} as const;

/** The Compose version Flotilla reports in `com.docker.compose.version` (the v2 line it matches). */
export const COMPOSE_VERSION = "2.40.0";

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

/** Flotilla's own labels for the volume that holds a container's injected files (see secrets-volume.ts). */
export const SecretsLabel = {
  /** On a secrets volume: the name of the container it serves. */
  volume: "io.flotilla.secrets",
  /** On a secrets volume of a one-off (`run`) container: "True". */
  oneoff: "io.flotilla.secrets.oneoff",
  /** On a container: the name of its secrets volume. */
  container: "io.flotilla.secrets-volume",
  /** On the helper container that fills a secrets volume: the volume's name. */
  fill: "io.flotilla.secrets-fill",
} as const;

/** The Compose version Flotilla reports in `com.docker.compose.version` (the v2 line it matches). */
export const COMPOSE_VERSION = "2.40.0";

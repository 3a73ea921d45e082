/** `images`: the images of the project's containers, as `docker compose images` lists them. */
import { formatPlatform, repositoryAndTag } from "../image-reference.js";
import { checkServices, engineOf, serviceContainers, type EngineLike, type ProjectRef } from "./project-ref.js";

export interface ContainerImage {
  container: string;
  /** From the container's own image reference (as Compose), "" for an image ID. */
  repository: string;
  tag: string;
  imageId: string;
  size?: number;
  /** `linux/amd64`; "unknown" when the engine does not say. */
  platform?: string;
  /** RFC 3339 times from the image inspect. */
  created?: string;
  lastTagTime?: string;
}

/** Of the named services, or all. */
export async function containerImages(engine: EngineLike, project: ProjectRef, services?: string[]): Promise<ContainerImage[]> {
  checkServices(project, services);
  const connected = await engineOf(engine);
  const containers = await serviceContainers(connected, project, services, true);
  return Promise.all(
    containers.map(async (c) => {
      const info = await connected.inspectImage(c.imageId || c.image);
      // The container's own reference, as Compose: not the image's first tag (an image may have several).
      const { repository, tag } = repositoryAndTag(c.image);
      return {
        container: c.name,
        repository,
        tag,
        imageId: info?.id ?? c.imageId,
        ...(info?.size !== undefined ? { size: info.size } : {}),
        ...(info ? { platform: formatPlatform(info.platform) } : {}),
        ...(info?.created ? { created: info.created } : {}),
        ...(info?.lastTagTime ? { lastTagTime: info.lastTagTime } : {}),
      };
    }),
  );
}

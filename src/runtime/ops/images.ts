/** `images`: the images of the project's containers, as `docker compose images` lists them. */
import { checkServices, engineOf, serviceContainers, type EngineLike, type ProjectRef } from "./project-ref.js";

export interface ContainerImage {
  container: string;
  repository: string;
  tag: string;
  imageId: string;
  size?: number;
}

/** Of the named services, or all. */
export async function containerImages(engine: EngineLike, project: ProjectRef, services?: string[]): Promise<ContainerImage[]> {
  checkServices(project, services);
  const connected = await engineOf(engine);
  const containers = await serviceContainers(connected, project, services, true);
  return Promise.all(
    containers.map(async (c) => {
      const info = await connected.inspectImage(c.imageId || c.image);
      const ref = info?.repoTags[0] ?? c.image;
      const at = ref.lastIndexOf(":");
      const tagged = at > ref.lastIndexOf("/");
      return {
        container: c.name,
        repository: tagged ? ref.slice(0, at) : ref,
        tag: tagged ? ref.slice(at + 1) : "",
        imageId: info?.id ?? c.imageId,
        ...(info?.size !== undefined ? { size: info.size } : {}),
      };
    }),
  );
}

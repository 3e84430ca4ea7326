import type { Container } from '../../core/containers/container.js';
import type { ImageService } from '../../core/images/image-service.js';
import { presentContainerSummary } from '../presenters/container-presenter.js';
import { presentImageSummary } from '../presenters/image-presenter.js';
import type { Route } from '../router.js';

/** What `system df` needs from the container side. */
export interface ContainerDiskUsage {
  list(): Container[];
  size(container: Container): Promise<{ SizeRw: number; SizeRootFs: number }>;
}

/**
 * `GET /system/df`: images with container counts and shared sizes, containers with their sizes.
 * Volumes and the build cache are empty lists: this engine has neither named volumes nor a builder cache yet.
 */
export function systemDfRoutes(images: ImageService, containers: ContainerDiskUsage): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/system/df',
      handler: async (context) => {
        const usage = await images.diskUsage();
        const containerItems: Record<string, unknown>[] = [];
        for (const container of containers.list()) {
          containerItems.push(presentContainerSummary(container, await containers.size(container)));
        }
        context.send(200, {
          LayersSize: usage.layersSize,
          Images: usage.images.map(({ image, containers: count, sharedSize }) =>
            presentImageSummary(image, { containers: count, sharedSize }),
          ),
          Containers: containerItems,
          Volumes: [],
          BuildCache: [],
        });
      },
    },
  ];
}

import type { Container } from '../../core/containers/container.js';
import type { ImageService } from '../../core/images/image-service.js';
import type { VolumeRecord } from '../../core/volumes/volume.js';
import { presentContainerSummary } from '../presenters/container-presenter.js';
import { presentImageSummary } from '../presenters/image-presenter.js';
import { presentVolume } from '../presenters/volume-presenter.js';
import type { Route } from '../router.js';

/** What `system df` needs from the container side. */
export interface ContainerDiskUsage {
  list(): Container[];
  size(container: Container): Promise<{ SizeRw: number; SizeRootFs: number }>;
}

/** What `system df` needs from the volume side. */
export interface VolumeDiskUsage {
  usage(): Promise<{ volume: VolumeRecord; size: number; refCount: number }[]>;
  mountpoint(volume: VolumeRecord): string;
}

/**
 * `GET /system/df`: images with container counts and shared sizes, containers and volumes with
 * their sizes. The build cache is an empty list: this engine has no builder cache.
 */
export function systemDfRoutes(images: ImageService, containers: ContainerDiskUsage, volumes: VolumeDiskUsage): Route[] {
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
          Volumes: (await volumes.usage()).map(({ volume, size, refCount }) =>
            presentVolume(volume, volumes.mountpoint(volume), { size, refCount }),
          ),
          BuildCache: null,
          BuilderSize: 0,
        });
      },
    },
  ];
}

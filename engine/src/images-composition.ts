import type { EngineConfig } from './config/engine-config.js';
import type { ImageService, ImageUsage } from './core/images/image-service.js';
import type { Snapshotter } from './core/snapshots/snapshotter.js';
import type { Logger } from './lib/logger.js';
import { LocalContentStore } from './drivers/content/local-content-store.js';
import { applyMigrations, type SqliteDatabase } from './drivers/metadata/sqlite-database.js';
import { SqliteImageStore, imageMigrations } from './drivers/metadata/sqlite-image-store.js';
import { OciRegistryClient } from './drivers/registry/oci-registry-client.js';
import { OverlayfsSnapshotter } from './drivers/snapshots/overlayfs-snapshotter.js';
import { DefaultImageService } from './services/images/image-service.js';
import { EventingImageService, type ImageEventSink } from './services/images/image-events.js';
import { ContainerImages, type ContainerAccess } from './services/images/container-images.js';
import { treeArchiver } from './drivers/snapshots/tree-archiver.js';
import type { RootfsMounter } from './core/containers/rootfs-mounter.js';
import { commitRoutes } from './api/routes/commit.routes.js';
import { containerFilesystemRoutes } from './api/routes/container-archive-export.routes.js';
import type { Route } from './api/router.js';

/** Part of the composition root: the image side (content, registry, snapshots, image records). */
export async function createImageDrivers(options: {
  config: EngineConfig;
  db: SqliteDatabase;
  logger: Logger;
  /** Which containers use an image (asked lazily: the container service is built after the images). */
  usage?: ImageUsage;
  /** Where image events (pull, tag, delete…) are published. */
  events: ImageEventSink;
}): Promise<{ images: ImageService; snapshotter: Snapshotter }> {
  const { config, db, logger } = options;
  applyMigrations(db, imageMigrations);
  const content = new LocalContentStore({ dataRoot: config.dataRoot, logger: logger.child({ component: 'content' }) });
  await content.init();
  const snapshotter = new OverlayfsSnapshotter({ dataRoot: config.dataRoot, logger: logger.child({ component: 'snapshots' }) });
  await snapshotter.init();
  const registry = new OciRegistryClient({
    logger: logger.child({ component: 'registry' }),
    insecureRegistries: config.insecureRegistries,
    registryMirrors: config.registryMirrors,
  });
  const stored = new DefaultImageService({
    content,
    registry,
    snapshotter,
    store: new SqliteImageStore(db),
    logger: logger.child({ component: 'images' }),
    ...(options.usage ? { usage: options.usage } : {}),
  });
  return { images: new EventingImageService(stored, options.events), snapshotter };
}

/** Commit, diff and export: the routes where containers and images meet. */
export function createContainerImageRoutes(options: {
  containers: ContainerAccess;
  events: ImageEventSink;
  images: ImageService;
  snapshotter: Snapshotter;
  /** The engine's one mounter: mounts of a target take turns across all its users. */
  mounter: RootfsMounter;
  containersDir: string;
  logger: Logger;
}): Route[] {
  const containerImages = new ContainerImages({
    ...options,
    archiver: treeArchiver,
    logger: options.logger.child({ component: 'container-images' }),
  });
  return [...commitRoutes(containerImages), ...containerFilesystemRoutes(containerImages)];
}

import { join } from 'node:path';
import type { EngineConfig } from './config/engine-config.js';
import type { Container } from './core/containers/container.js';
import type { ContainerStore } from './core/containers/container-store.js';
import type { RootfsMounter } from './core/containers/rootfs-mounter.js';
import type { Snapshotter } from './core/snapshots/snapshotter.js';
import type { Logger } from './lib/logger.js';
import { applyMigrations, type SqliteDatabase } from './drivers/metadata/sqlite-database.js';
import { LocalVolumeDriver } from './drivers/volumes/local-volume-driver.js';
import { SqliteVolumeStore, volumeMigrations } from './drivers/volumes/sqlite-volume-store.js';
import type { EventBus } from './services/events/event-bus.js';
import { ContainerArchive } from './services/volumes/container-archive.js';
import { VolumeService } from './services/volumes/volume-service.js';
import { archiveRoutes } from './api/routes/archive.routes.js';
import { volumeRoutes } from './api/routes/volumes.routes.js';
import type { Route } from './api/router.js';

/** Part of the composition root: volumes, container mounts, `docker cp`, and their API. */
export function createVolumes(options: {
  config: EngineConfig;
  db: SqliteDatabase;
  containerStore: ContainerStore;
  events: EventBus;
  logger: Logger;
}): { volumes: VolumeService; routes: Route[] } {
  applyMigrations(options.db, volumeMigrations);
  const volumes = new VolumeService({
    store: new SqliteVolumeStore(options.db),
    driver: new LocalVolumeDriver(join(options.config.dataRoot, 'volumes')),
    containers: options.containerStore,
    events: options.events,
    logger: options.logger,
  });
  volumes.initialize();
  return { volumes, routes: volumeRoutes(volumes) };
}

/** `docker cp` routes, for containers found by the lifecycle service. */
export function createArchiveRoutes(options: {
  find: (reference: string) => Container;
  snapshotter: Snapshotter;
  mounter: RootfsMounter;
  containersDir: string;
}): Route[] {
  return archiveRoutes(new ContainerArchive(options));
}

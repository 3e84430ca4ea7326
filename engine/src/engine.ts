import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EngineConfig } from './config/engine-config.js';
import { dataRootPaths } from './config/engine-config.js';
import type { Logger } from './lib/logger.js';
import { acquireDataRootLock } from './platform/data-root-lock.js';
import { CommandRootfsMounter } from './platform/rootfs-mounter.js';
import { applyMigrations, openDatabase } from './drivers/metadata/sqlite-database.js';
import { SqliteContainerStore, containerMigrations } from './drivers/metadata/sqlite-container-store.js';
import { readK8sFileLog } from './drivers/logs/k8s-file-log-reader.js';
import { hostSeccompTarget, loadSeccompProfile, toOciSeccomp } from './drivers/runtime/seccomp-profile.js';
import { readBoundingCapabilityMask, readHostNofileLimit } from './drivers/runtime/host-limits.js';
import { listThermalThrottlePaths } from './drivers/runtime/host-masked-paths.js';
import { listHostDevices } from './drivers/runtime/host-devices.js';
import { capabilitiesFromMask } from './services/containers/capabilities.js';
import { EventBus } from './services/events/event-bus.js';
import { ContainerService } from './services/containers/container-service.js';
import { ContainerLogService } from './services/containers/container-log-service.js';
import { DockerSpecFactory } from './services/containers/container-spec.js';
import { IsolatedNetworking } from './services/networks/isolated-networking.js';
import { NoExtraMounts } from './services/volumes/no-extra-mounts.js';
import { ApiServer } from './api/api-server.js';
import { Router } from './api/router.js';
import { systemRoutes } from './api/routes/system.routes.js';
import { containerRoutes } from './api/routes/containers.routes.js';
import { imageRoutes } from './api/routes/images.routes.js';
import { createImageDrivers } from './images-composition.js';
import { createTaskRuntime } from './runtime-composition.js';

export interface RunningEngine {
  stop(): Promise<void>;
}

/**
 * The composition root: builds drivers, then services, then the API, and nothing else. This is
 * the only module that sees every layer.
 */
export async function startEngine(config: EngineConfig, logger: Logger): Promise<RunningEngine> {
  const paths = dataRootPaths(config.dataRoot);
  await mkdir(config.dataRoot, { recursive: true, mode: 0o711 });
  const lock = acquireDataRootLock(paths.lockFile);
  try {
    await mkdir(paths.containers, { recursive: true, mode: 0o710 });
    const engineId = await loadEngineId(config.dataRoot);
    const db = openDatabase(paths.database);
    const events = new EventBus();

    const imageDrivers = await createImageDrivers({ config, db, logger });
    applyMigrations(db, [...containerMigrations]);

    const seccompProfile = await loadSeccompProfile();
    const hostNofileLimit = await readHostNofileLimit();
    const capabilityMask = await readBoundingCapabilityMask();
    const runtime = await createTaskRuntime({ config, logger });
    const containers = new ContainerService({
      store: new SqliteContainerStore(db),
      images: imageDrivers.images,
      snapshotter: imageDrivers.snapshotter,
      runtime,
      mounter: new CommandRootfsMounter(),
      specFactory: new DockerSpecFactory({
        defaultSeccomp: (capabilities) => toOciSeccomp(seccompProfile, hostSeccompTarget(capabilities)),
        cgroupParent: '/berth',
        ...(hostNofileLimit !== undefined ? { hostNofileLimit } : {}),
        ...(capabilityMask !== undefined ? { hostCapabilities: capabilitiesFromMask(capabilityMask) } : {}),
        extraMaskedPaths: await listThermalThrottlePaths(),
        listHostDevices: () => listHostDevices(),
      }),
      networking: new IsolatedNetworking(),
      mounts: new NoExtraMounts(),
      events,
      containersDir: paths.containers,
      logger,
    });
    await containers.restore();
    const logs = new ContainerLogService(containers, readK8sFileLog);

    const router = new Router()
      .add(
        systemRoutes({
          engineId,
          dataRoot: config.dataRoot,
          runtimeName: config.runtime,
          insecureRegistries: config.insecureRegistries,
          registryMirrors: config.registryMirrors,
          counts: async () => {
            const list = containers.list();
            const running = list.filter((container) => container.state.status === 'running').length;
            const paused = list.filter((container) => container.state.status === 'paused').length;
            return {
              containers: list.length,
              running,
              paused,
              stopped: list.length - running - paused,
              images: (await imageDrivers.images.list()).length,
            };
          },
        }),
      )
      .add(containerRoutes(containers, logs, paths.containers))
      .add(imageRoutes(imageDrivers.images));
    const server = new ApiServer(router, logger.child({ component: 'api' }));
    await server.listen(config.socketPath);
    logger.info({ socket: config.socketPath, dataRoot: config.dataRoot, runtime: config.runtime }, 'API listening');

    return {
      stop: async () => {
        await server.close();
        db.close();
        lock.release();
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}

/** A stable ID for /info, created on first start. */
async function loadEngineId(dataRoot: string): Promise<string> {
  const file = join(dataRoot, 'engine-id');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const id = randomUUID();
    await writeFile(file, `${id}\n`, { mode: 0o600 });
    return id;
  }
}

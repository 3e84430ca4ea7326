import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EngineConfig } from './config/engine-config.js';
import { dataRootPaths } from './config/engine-config.js';
import type { Logger } from './lib/logger.js';
import { acquireDataRootLock } from './platform/data-root-lock.js';
import { CommandRootfsMounter } from './platform/rootfs-mounter.js';
import { runCommand } from './platform/run-command.js';
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
import { createNetworking } from './networks-composition.js';
import { createArchiveRoutes, createVolumes } from './volumes-composition.js';
import { ApiServer } from './api/api-server.js';
import { Router } from './api/router.js';
import { systemRoutes } from './api/routes/system.routes.js';
import { containerRoutes } from './api/routes/containers.routes.js';
import { imageRoutes } from './api/routes/images.routes.js';
import { systemDfRoutes } from './api/routes/system-df.routes.js';
import { authRoutes } from './api/routes/auth.routes.js';
import { statsRoutes } from './api/routes/stats.routes.js';
import { eventRoutes } from './api/routes/events.routes.js';
import { CgroupStatsSource } from './drivers/cgroups/cgroup-stats-source.js';
import { detectCgroupHost } from './services/containers/cgroup-host.js';
import { ContainerStatsService } from './services/stats/container-stats-service.js';
import { createContainerImageRoutes, createImageDrivers } from './images-composition.js';
import { createTaskRuntime } from './runtime-composition.js';
import { ExecService } from './services/exec/exec-service.js';
import { execRoutes } from './api/routes/exec.routes.js';
import { HealthMonitor } from './services/health/health-monitor.js';
import { setContainerHealthSource } from './api/presenters/container-health-source.js';
import { LogRotationService } from './services/logs/log-rotation-service.js';
import { k8sFileLogFiles } from './drivers/logs/k8s-file-rotation.js';

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

    const imageDrivers = await createImageDrivers({
      config,
      db,
      logger,
      events,
      // Called only once requests flow, after `containers` below exists.
      usage: {
        containersUsing: (imageId) =>
          containers
            .list()
            .filter((container) => container.imageId === imageId)
            .map((container) => ({
              id: container.id,
              running: ['running', 'paused', 'restarting'].includes(container.state.status),
            })),
        settled: () => containers.settled(),
      },
    });
    applyMigrations(db, [...containerMigrations]);

    const seccompProfile = await loadSeccompProfile();
    const cgroupHost = await detectCgroupHost();
    const hostNofileLimit = await readHostNofileLimit();
    const capabilityMask = await readBoundingCapabilityMask();
    const { runtime, facts: runtimeFacts } = await createTaskRuntime({ config, logger });
    const containerStore = new SqliteContainerStore(db);
    const networking = await createNetworking({ config, db, containerStore, events, logger });
    await networking.networks.initialize();
    const volumes = createVolumes({ config, db, containerStore, events, logger });
    // One mounter for every user of container roots: its mounts of one target take turns.
    const rootfsMounter = new CommandRootfsMounter();
    const containers = new ContainerService({
      store: containerStore,
      images: imageDrivers.images,
      snapshotter: imageDrivers.snapshotter,
      runtime,
      mounter: rootfsMounter,
      specFactory: new DockerSpecFactory({
        defaultSeccomp: (capabilities) => toOciSeccomp(seccompProfile, hostSeccompTarget(capabilities)),
        cgroupParent: '/berth',
        cgroupHost,
        ...(hostNofileLimit !== undefined ? { hostNofileLimit } : {}),
        ...(capabilityMask !== undefined ? { hostCapabilities: capabilitiesFromMask(capabilityMask) } : {}),
        extraMaskedPaths: await listThermalThrottlePaths(),
        listHostDevices: () => listHostDevices(),
      }),
      networking: networking.networks,
      cgroupHost,
      mounts: volumes.volumes,
      events,
      containersDir: paths.containers,
      reapingDir: paths.reaping,
      logger,
      listHostProcesses: async (args) => (await runCommand('ps', args)).stdout,
      // `health` below is built later (it needs `containers`); filters ask it only once requests flow.
      health: { healthOf: (id) => health.healthOf(id) },
    });
    await containers.restore();
    const stats = new ContainerStatsService({
      // runc's cgroupsPath is `<cgroupParent>/<id>` (see DockerSpecFactory's cgroupParent above).
      source: await CgroupStatsSource.forHost((id) => `/berth/${id}`),
      containers,
      logger,
    });
    const logs = new ContainerLogService(containers, readK8sFileLog);
    const execs = new ExecService({
      containers,
      runtime,
      events,
      rootfsOf: (id) => join(paths.containers, id, 'rootfs'),
      logger,
    });
    const health: HealthMonitor = new HealthMonitor({
      containers,
      runCommand: (id, cmd, options) => execs.runCommand(id, cmd, options),
      events,
      logger,
    });
    health.start();
    setContainerHealthSource(health);
    const logRotation = new LogRotationService({ containers, files: k8sFileLogFiles, reopener: runtime, events, logger });
    logRotation.start();

    const router = new Router()
      .add(
        systemRoutes({
          engineId,
          dataRoot: config.dataRoot,
          runtimeName: config.runtime,
          insecureRegistries: config.insecureRegistries,
          registryMirrors: config.registryMirrors,
          warnings: runtimeFacts.warnings,
          runtimeCommit: runtimeFacts.commit,
          cgroup: cgroupHost,
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
      .add(imageRoutes(imageDrivers.images))
      .add(execRoutes(execs))
      .add(networking.routes)
      .add(volumes.routes)
      .add(
        createArchiveRoutes({
          find: (reference) => containers.get(reference),
          snapshotter: imageDrivers.snapshotter,
          mounter: rootfsMounter,
          containersDir: paths.containers,
        }),
      )
      .add(
        createContainerImageRoutes({
          containers,
          events,
          images: imageDrivers.images,
          snapshotter: imageDrivers.snapshotter,
          mounter: rootfsMounter,
          containersDir: paths.containers,
          logger,
        }),
      )
      .add(systemDfRoutes(imageDrivers.images, containers, volumes.volumes))
      .add(authRoutes(imageDrivers.images))
      .add(statsRoutes(stats))
      .add(eventRoutes(events));
    const server = new ApiServer(router, logger.child({ component: 'api' }));
    await server.listen(config.socketPath);
    logger.info({ socket: config.socketPath, dataRoot: config.dataRoot, runtime: config.runtime }, 'API listening');

    return {
      stop: async () => {
        health.stop();
        logRotation.stop();
        await server.close();
        // Removed containers' mounts and layers go before the engine does (none left behind at stop).
        await containers.settled();
        await containers.unmountIdleRoots();
        await networking.networks.close();
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

import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { EngineConfig } from './config/engine-config.js';
import type { ContainerStore } from './core/containers/container-store.js';
import type { Logger } from './lib/logger.js';
import { applyMigrations, type SqliteDatabase } from './drivers/metadata/sqlite-database.js';
import { LinuxBridgeDriver } from './drivers/network/linux-bridge-driver.js';
import { NetavarkDriver } from './drivers/network/netavark-driver.js';
import { RoutingNetworkDriver } from './drivers/network/routing-network-driver.js';
import { SqliteNetworkStore, networkMigrations } from './drivers/network/sqlite-network-store.js';
import { findNetavark } from './platform/network-commands.js';
import type { EventBus } from './services/events/event-bus.js';
import { NetworkService } from './services/networks/network-service.js';
import { networkRoutes } from './api/routes/networks.routes.js';
import type { Route } from './api/router.js';

/** Part of the composition root: networks (the default bridge directly, user networks through netavark + aardvark-dns) and their API. */
export async function createNetworking(options: {
  config: EngineConfig;
  db: SqliteDatabase;
  containerStore: ContainerStore;
  events: EventBus;
  logger: Logger;
}): Promise<{ networks: NetworkService; routes: Route[] }> {
  const { config, db } = options;
  applyMigrations(db, networkMigrations);
  const netavark = new NetavarkDriver({
    binaries: await findNetavark(),
    stateDir: join(config.dataRoot, 'network'),
    dataRoot: config.dataRoot,
  });
  const linuxBridge = new LinuxBridgeDriver({
    stateDir: join(config.dataRoot, 'network', 'bridge'),
    logger: options.logger.child({ component: 'bridge' }),
  });
  const driver = new RoutingNetworkDriver(netavark, linuxBridge);
  const networks = new NetworkService({
    store: new SqliteNetworkStore(db),
    driver,
    containers: options.containerStore,
    events: options.events,
    // Unique per data root: engines on other data roots get their own default bridge.
    defaultBridgeName: `berth${createHash('sha256').update(config.dataRoot).digest('hex').slice(0, 6)}`,
    logger: options.logger,
    hostsFilePath: (containerId) => join(config.dataRoot, 'containers', containerId, 'hosts'),
  });
  return { networks, routes: networkRoutes(networks) };
}

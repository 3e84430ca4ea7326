import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container } from '../../core/containers/container.js';
import { zeroTime } from '../../core/containers/container.js';
import type { JoinedInterface, NamespaceRelease, NetworkDriver, NetworkJoin } from '../../core/networks/network-driver.js';
import { applyMigrations, openDatabase } from '../../drivers/metadata/sqlite-database.js';
import { SqliteContainerStore, containerMigrations } from '../../drivers/metadata/sqlite-container-store.js';
import { SqliteNetworkStore, networkMigrations } from '../../drivers/network/sqlite-network-store.js';
import { createSilentLogger } from '../../lib/logger.js';
import { EventBus } from '../events/event-bus.js';
import { NetworkService } from './network-service.js';

/** Records what the service asks for; each release's namespace deletion finishes when the test says so. */
class ScriptedDriver implements NetworkDriver {
  readonly calls: string[] = [];
  readonly pendingDeletions = new Map<string, () => void>();
  failNextRelease = false;

  namespacePath(containerId: string): Promise<string | undefined> {
    return Promise.resolve(`/run/netns/${containerId}`);
  }
  createNamespace(containerId: string): Promise<string> {
    this.calls.push(`createNamespace ${containerId}`);
    return Promise.resolve(`/run/netns/${containerId}`);
  }
  join(containerId: string, _name: string, joins: NetworkJoin[]): Promise<JoinedInterface[]> {
    this.calls.push(`join ${containerId}`);
    return Promise.resolve(
      joins.map(({ network, endpoint }) => ({
        networkId: network.id,
        macAddress: '02:42:ac:11:00:02',
        ipAddress: endpoint.ipAddress ?? '',
        prefixLength: 16,
        gateway: network.gateway ?? '',
      })),
    );
  }
  leave(): Promise<void> {
    return Promise.resolve();
  }
  release(containerId: string): Promise<NamespaceRelease> {
    this.calls.push(`release ${containerId}`);
    if (this.failNextRelease) {
      this.failNextRelease = false;
      return Promise.reject(new Error('ip: device busy'));
    }
    const namespaceGone = new Promise<void>((resolve) => this.pendingDeletions.set(containerId, resolve));
    return Promise.resolve({ namespaceGone });
  }
  finishDeletion(containerId: string): void {
    this.pendingDeletions.get(containerId)?.();
    this.pendingDeletions.delete(containerId);
  }
  routedSubnets(): Promise<string[]> {
    return Promise.resolve([]);
  }
  claimSubnet(): Promise<boolean> {
    return Promise.resolve(true);
  }
  releaseSubnet(): Promise<void> {
    return Promise.resolve();
  }
  isPortFree(): Promise<boolean> {
    return Promise.resolve(true);
  }
  restore(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function containerRecord(id: string): Container {
  return {
    id,
    name: `c-${id.slice(0, 4)}`,
    created: '2026-01-01T00:00:00.000Z',
    imageName: 'busybox',
    imageId: 'sha256:1111',
    path: 'true',
    args: [],
    config: {},
    hostConfig: { NetworkMode: 'bridge' },
    state: { status: 'created', pid: 0, exitCode: 0, error: '', oomKilled: false, startedAt: zeroTime, finishedAt: zeroTime },
    restartCount: 0,
    snapshotKey: `container-${id}`,
    logPath: '/dev/null',
  };
}

async function setUp(): Promise<{ service: NetworkService; driver: ScriptedDriver; containers: SqliteContainerStore }> {
  const db = openDatabase(':memory:');
  applyMigrations(db, containerMigrations);
  applyMigrations(db, networkMigrations);
  const containers = new SqliteContainerStore(db);
  const driver = new ScriptedDriver();
  const service = new NetworkService({
    store: new SqliteNetworkStore(db),
    driver,
    containers,
    events: new EventBus(),
    defaultBridgeName: 'berthtest0',
    logger: createSilentLogger(),
  });
  await service.initialize();
  return { service, driver, containers };
}

/** Creates the container's record and brings its interfaces up; returns its address on `bridge`. */
async function start(service: NetworkService, containers: SqliteContainerStore, container: Container): Promise<string> {
  if (containers.get(container.id) === undefined) {
    await service.register(container, undefined);
    containers.insert(container);
  }
  const attachment = await service.attach(container);
  const settings = await attachment.interfacesUp;
  const address = (settings['Networks'] as Record<string, { IPAddress: string }> | undefined)?.['bridge']?.IPAddress;
  assert.ok(address !== undefined && address !== '', 'the container has an address on bridge');
  return address;
}

/** What the driver is asked while the container is forgotten (its namespace deletion let finish). */
async function driverCallsOfForget(service: NetworkService, driver: ScriptedDriver, containerId: string): Promise<string[]> {
  driver.calls.length = 0;
  const forgotten = service.forget(containerId);
  await new Promise((resolve) => setTimeout(resolve, 0));
  driver.finishDeletion(containerId);
  await forgotten;
  return [...driver.calls];
}

test('a stopped container keeps its address taken until its namespace is gone', async () => {
  const { service, driver, containers } = await setUp();
  const first = containerRecord('a'.repeat(64));
  const firstAddress = await start(service, containers, first);
  await service.detach(first);
  assert.ok(driver.pendingDeletions.has(first.id), 'detach returned while the namespace is still being deleted');

  const second = containerRecord('b'.repeat(64));
  const secondAddress = await start(service, containers, second);
  assert.notEqual(secondAddress, firstAddress, 'the dying namespace still answers for its address');

  driver.finishDeletion(first.id);
  await service.close();
  const third = containerRecord('c'.repeat(64));
  assert.equal(await start(service, containers, third), firstAddress, 'free again once the namespace is gone');
});

test('a quick restart waits for the previous namespace to be deleted (same name)', async () => {
  const { service, driver, containers } = await setUp();
  const container = containerRecord('d'.repeat(64));
  await start(service, containers, container);
  await service.detach(container);
  driver.calls.length = 0;

  const restarted = start(service, containers, container);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(driver.calls, [], 'nothing is created while the old namespace is being deleted');
  driver.finishDeletion(container.id);
  await restarted;
  assert.deepEqual(driver.calls, [`createNamespace ${container.id}`, `join ${container.id}`]);
});

test('removing a stopped container does not wait for its namespace deletion, whose address stays taken', async () => {
  const { service, driver, containers } = await setUp();
  const container = containerRecord('7'.repeat(64));
  const address = await start(service, containers, container);
  await service.detach(container);
  assert.ok(driver.pendingDeletions.has(container.id));

  // `docker run --rm` answers once the record is gone: the namespace's deletion is not its business.
  const forgotten = await Promise.race([
    service.forget(container.id).then(() => true),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), 200)),
  ]);
  assert.equal(forgotten, true, 'forget resolved while the namespace was still being deleted');

  const other = containerRecord('6'.repeat(64));
  assert.notEqual(await start(service, containers, other), address, 'the dying namespace still answers for its address');
  driver.finishDeletion(container.id);
  await service.close();
});

test('removing a stopped container does not release its network twice; removing a running one does', async () => {
  const { service, driver, containers } = await setUp();
  const stopped = containerRecord('e'.repeat(64));
  await start(service, containers, stopped);
  await service.detach(stopped);
  driver.finishDeletion(stopped.id);
  driver.calls.length = 0;
  await service.forget(stopped.id);
  assert.deepEqual(driver.calls, [], 'nothing is left to tear down');

  const running = containerRecord('f'.repeat(64));
  await start(service, containers, running);
  assert.deepEqual(await driverCallsOfForget(service, driver, running.id), [`release ${running.id}`]);
});

test('a failed teardown keeps the addresses, so removal tries again', async () => {
  const { service, driver, containers } = await setUp();
  const container = containerRecord('9'.repeat(64));
  const address = await start(service, containers, container);
  driver.failNextRelease = true;
  await assert.rejects(service.detach(container), /device busy/);

  const other = containerRecord('8'.repeat(64));
  assert.notEqual(await start(service, containers, other), address, 'the address is still taken');
  assert.deepEqual(await driverCallsOfForget(service, driver, container.id), [`release ${container.id}`]);
});

test('a namespace prewarmed at create is taken over by the start, or goes with the removal of a container never started', async () => {
  const { service, driver, containers } = await setUp();
  const started = containerRecord('5'.repeat(64));
  await service.register(started, undefined);
  containers.insert(started);
  await service.prewarm(started);
  assert.deepEqual(driver.calls, [`createNamespace ${started.id}`]);
  await start(service, containers, started);
  assert.ok(!driver.calls.includes(`release ${started.id}`), 'the start kept the prewarmed namespace');

  const neverStarted = containerRecord('4'.repeat(64));
  await service.register(neverStarted, undefined);
  containers.insert(neverStarted);
  await service.prewarm(neverStarted);
  assert.deepEqual(await driverCallsOfForget(service, driver, neverStarted.id), [`release ${neverStarted.id}`]);
  driver.finishDeletion(started.id);
  await service.close();
});

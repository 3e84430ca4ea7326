import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container } from '../../core/containers/container.js';
import type { ContainerHealth } from '../../core/containers/container-health.js';
import { zeroTime } from '../../core/containers/container.js';
import { containerListJson } from './container-list-presenter.js';
import { humanStatus, presentContainerSummary } from './container-presenter.js';
import { setContainerHealthSource } from './container-health-source.js';

function record(overrides: Partial<Container> = {}): Container {
  return {
    id: 'd'.repeat(64),
    name: 'web',
    created: '2024-01-01T00:00:00.000Z',
    imageName: 'busybox',
    imageId: 'sha256:1111',
    path: 'sh',
    args: ['-c', 'sleep 1000'],
    config: { Labels: { tier: 'web' } },
    hostConfig: { NetworkMode: 'bridge' },
    state: {
      status: 'running',
      pid: 10,
      exitCode: 0,
      error: '',
      oomKilled: false,
      startedAt: '2024-01-01T00:00:00.000Z',
      finishedAt: zeroTime,
    },
    restartCount: 0,
    snapshotKey: 'k',
    logPath: '/l',
    networkSettings: { Ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] } },
    mountPoints: [{ Type: 'volume', Name: 'data', Destination: '/data' }],
    ...overrides,
  };
}

/** What `docker ps` got before the list text was cached (Status at `now`). */
const uncached = (containers: Container[], now: number): unknown =>
  JSON.parse(
    JSON.stringify(
      containers.map((container) => ({ ...presentContainerSummary(container), Status: humanStatus(container, now) })),
    ),
  );

test('the list text equals the serialised summaries, Status recomputed on each call', () => {
  const running = Object.freeze(record());
  const exited = Object.freeze(
    record({
      id: 'e'.repeat(64),
      name: 'done',
      state: { ...record().state, status: 'exited', exitCode: 3, finishedAt: '2024-01-01T00:00:00.000Z' },
    }),
  );
  const start = Date.parse('2024-01-01T00:00:05.000Z');
  const first = containerListJson([running, exited], start);
  assert.deepEqual(JSON.parse(first), uncached([running, exited], start));
  assert.match(first, /"Status":"Up 5 seconds"/);
  const later = Date.parse('2024-01-01T00:10:00.000Z');
  const second = JSON.parse(containerListJson([running, exited], later)) as { Status: string }[];
  assert.deepEqual(
    second.map((item) => item.Status),
    ['Up 10 minutes', 'Exited (3) 10 minutes ago'],
  );
  assert.deepEqual(containerListJson([], later), '[]');
});

test('health changes show without a record change', () => {
  const running = Object.freeze(record());
  const now = Date.parse('2024-01-01T00:01:00.000Z');
  let health: ContainerHealth | undefined = { Status: 'starting', FailingStreak: 0, Log: [] };
  setContainerHealthSource({ healthOf: () => health });
  try {
    assert.match(containerListJson([running], now), /"Status":"Up About a minute \(health: starting\)"/);
    health = { Status: 'healthy', FailingStreak: 0, Log: [] };
    assert.match(containerListJson([running], now), /"Status":"Up About a minute \(healthy\)"/);
  } finally {
    setContainerHealthSource(undefined);
  }
});

test('a new record object (a store write) is presented afresh; a mutable one is never cached', () => {
  const now = Date.parse('2024-01-01T00:01:00.000Z');
  const original = Object.freeze(record());
  assert.match(containerListJson([original], now), /"Names":\["\/web"\]/);
  const renamed = Object.freeze(record({ name: 'api' }));
  assert.match(containerListJson([renamed], now), /"Names":\["\/api"\]/);

  const mutable = record();
  assert.match(containerListJson([mutable], now), /"Labels":\{"tier":"web"\}/);
  mutable.config = { Labels: { tier: 'db' } };
  assert.match(containerListJson([mutable], now), /"Labels":\{"tier":"db"\}/);
});

test('list items carry the networks and the network mode as dockerd lists them', () => {
  const bridge = {
    NetworkID: 'n'.repeat(64),
    EndpointID: 'e'.repeat(64),
    IPAddress: '172.17.0.2',
    Gateway: '172.17.0.1',
    Aliases: ['web'],
    Links: null,
    DriverOpts: null,
  };
  const container = Object.freeze(
    record({
      hostConfig: {},
      networkSettings: { Ports: {}, Networks: { bridge } },
    }),
  );
  const [item] = JSON.parse(containerListJson([container])) as {
    HostConfig: { NetworkMode: string };
    NetworkSettings: { Networks: Record<string, unknown> };
  }[];
  // Addresses as inspect has them; no aliases, as dockerd's list.
  assert.deepEqual(item?.NetworkSettings.Networks, { bridge: { ...bridge, Aliases: null } });
  assert.equal(item?.HostConfig.NetworkMode, 'default');
});

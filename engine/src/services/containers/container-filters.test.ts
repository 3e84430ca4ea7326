import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container } from '../../core/containers/container.js';
import { zeroTime } from '../../core/containers/container.js';
import { checkFilters, matchesContainerFilters } from './container-filters.js';

function container(overrides: Partial<Container> = {}): Container {
  return {
    id: 'abc123'.padEnd(64, '0'),
    name: 'web',
    created: '2024-01-01T00:00:00.000Z',
    imageName: 'busybox',
    imageId: 'sha256:1111',
    path: 'sh',
    args: [],
    config: { Labels: { tier: 'web', team: 'a=b' }, ExposedPorts: { '80/tcp': {} } },
    hostConfig: { NetworkMode: 'bridge', PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } },
    state: { status: 'exited', pid: 0, exitCode: 2, error: '', oomKilled: false, startedAt: zeroTime, finishedAt: zeroTime },
    restartCount: 0,
    snapshotKey: 'k',
    logPath: '/l',
    ...overrides,
  };
}

const match = (filters: Record<string, string[]>, context = { ancestorImageIds: new Set<string>() }): boolean =>
  matchesContainerFilters(container(), new Map(Object.entries(filters)), context);

test('container filters as dockerd applies them', () => {
  assert.equal(match({ label: ['tier'] }), true);
  assert.equal(match({ label: ['tier=web', 'team=a=b'] }), true);
  assert.equal(match({ label: ['tier=db'] }), false);
  assert.equal(match({ 'label!': ['tier'] }), false);
  assert.equal(match({ name: ['^/we'] }), true);
  assert.equal(match({ status: ['running', 'exited'] }), true);
  assert.equal(match({ exited: ['2'] }), true);
  assert.equal(match({ exited: ['0'] }), false);
  assert.equal(match({ id: ['abc'] }), true);
  assert.equal(match({ ancestor: ['busybox'] }), false);
  assert.equal(match({ ancestor: ['busybox'] }, { ancestorImageIds: new Set(['sha256:1111']) }), true);
  assert.equal(match({ publish: ['8080'] }), true);
  assert.equal(match({ expose: ['80/tcp'] }), true);
  assert.equal(match({ network: ['bridge'] }), true);
  assert.equal(match({ health: ['none'] }), true);
  assert.equal(
    matchesContainerFilters(container(), new Map(), { ancestorImageIds: new Set(), createdBefore: Date.parse('2024-01-01') }),
    false,
  );
});

test('unknown keys and values are refused', () => {
  assert.throws(() => checkFilters(new Map([['colour', ['x']]])), { message: "invalid filter 'colour'" });
  assert.throws(() => checkFilters(new Map([['status', ['sleeping']]])), { message: "invalid filter 'status=sleeping'" });
  assert.throws(() => checkFilters(new Map([['exited', ['x']]])), /exited=x/);
});

test('the health filter asks the health source; without a healthcheck a container is none', () => {
  const health = new Map([['abc123'.padEnd(64, '0'), { Status: 'healthy' as const, FailingStreak: 0, Log: [] }]]);
  const context = { ancestorImageIds: new Set<string>(), health: { healthOf: (id: string) => health.get(id) } };
  const byHealth = (value: string, subject = container()): boolean =>
    matchesContainerFilters(subject, new Map([['health', [value]]]), context);
  assert.equal(byHealth('healthy'), true);
  assert.equal(byHealth('none'), false);
  assert.equal(byHealth('unhealthy'), false);
  const unchecked = container({ id: 'f'.repeat(64) });
  assert.equal(byHealth('none', unchecked), true);
  assert.equal(byHealth('healthy', unchecked), false);
});

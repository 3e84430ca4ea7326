import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container } from '../../core/containers/container.js';
import { zeroTime } from '../../core/containers/container.js';
import { applyMigrations, openDatabase } from './sqlite-database.js';
import { SqliteContainerStore, containerMigrations } from './sqlite-container-store.js';

function record(id: string, name: string): Container {
  return {
    id,
    name,
    created: '2024-01-01T00:00:00.000Z',
    imageName: 'busybox',
    imageId: 'sha256:1111',
    path: 'true',
    args: [],
    config: { Labels: { a: 'b' } },
    hostConfig: {},
    state: { status: 'created', pid: 0, exitCode: 0, error: '', oomKilled: false, startedAt: zeroTime, finishedAt: zeroTime },
    restartCount: 0,
    snapshotKey: `container-${id}`,
    logPath: '/l',
  };
}

function openStore(): SqliteContainerStore {
  const db = openDatabase(':memory:');
  applyMigrations(db, containerMigrations);
  return new SqliteContainerStore(db);
}

test('listFrozen shares deep-frozen records, in insertion order, and a write replaces the object', () => {
  const store = openStore();
  store.insert(record('a'.repeat(64), 'first'));
  store.insert(record('b'.repeat(64), 'second'));
  const before = store.listFrozen();
  assert.deepEqual(
    before.map((container) => container.name),
    ['first', 'second'],
  );
  assert.equal(store.listFrozen(), before, 'unchanged store, same array');
  const [first] = before;
  assert.ok(
    first !== undefined && Object.isFrozen(first) && Object.isFrozen(first.state) && Object.isFrozen(first.config.Labels),
  );
  assert.throws(() => {
    (first.state as { status: string }).status = 'running';
  }, TypeError);

  const changed = store.get(first.id);
  assert.ok(changed !== undefined && !Object.isFrozen(changed), 'get returns a writable copy');
  changed.state.status = 'running';
  store.update(changed);
  const after = store.listFrozen();
  assert.notEqual(after, before);
  assert.notEqual(after[0], first, 'the updated record is a new object');
  assert.equal(after[0]?.state.status, 'running');
  assert.equal(after[1], before[1], 'untouched records keep their identity');
  assert.equal(first.state.status, 'created', 'objects handed out earlier do not change');

  changed.name = 'renamed';
  assert.equal(store.listFrozen()[0]?.name, 'first', 'a caller writing its copy does not reach the store');
  store.delete('b'.repeat(64));
  assert.deepEqual(
    store.listFrozen().map((container) => container.id),
    ['a'.repeat(64)],
  );
});

test('records loaded from the database are frozen too', () => {
  const db = openDatabase(':memory:');
  applyMigrations(db, containerMigrations);
  new SqliteContainerStore(db).insert(record('c'.repeat(64), 'loaded'));
  const reopened = new SqliteContainerStore(db);
  const [loaded] = reopened.listFrozen();
  assert.equal(loaded?.name, 'loaded');
  assert.ok(Object.isFrozen(loaded?.hostConfig));
});

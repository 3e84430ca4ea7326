import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SnapshotIndex } from './snapshot-index.js';

test('reserved numbers never collide with numbers taken inside updates, also while a write is in flight', async () => {
  const root = await mkdtemp(join(tmpdir(), 'berth-snapshot-index-'));
  try {
    const index = new SnapshotIndex(root);
    await index.load();
    const taken: number[] = [index.reserveId()];
    const writes: Promise<number>[] = [];
    for (let i = 0; i < 20; i++) {
      writes.push(
        index.update((data) => {
          const id = data.nextId++;
          data.snapshots[`k${i}`] = { id, kind: 'committed', createdAt: 0 };
          return id;
        }),
      );
      // Between queued updates and during their writes.
      taken.push(index.reserveId());
    }
    taken.push(...(await Promise.all(writes)));
    taken.push(index.reserveId());
    assert.equal(new Set(taken).size, taken.length, `duplicates in ${taken.join(',')}`);
    // The counter on disk covers every number handed out before the last write.
    const reloaded = new SnapshotIndex(root);
    await reloaded.load();
    const next = reloaded.reserveId();
    assert.ok(next > Math.max(...(await Promise.all(writes))), `next ${next}`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

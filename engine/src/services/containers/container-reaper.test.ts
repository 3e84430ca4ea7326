import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSilentLogger } from '../../lib/logger.js';
import { ContainerReaper, type ReapEntry } from './container-reaper.js';

const idA = 'a'.repeat(64);
const idB = 'b'.repeat(64);

async function withJournal(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-reaper-'));
  try {
    await body(join(dir, 'reaping'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('the journal entry exists before reclaiming starts and goes once it is done; settled() waits for it', () =>
  withJournal(async (journalDir) => {
    let release!: () => void;
    const seen: string[][] = [];
    const reaper = new ContainerReaper({
      journalDir,
      reclaim: async () => {
        seen.push(await readdir(journalDir));
        await new Promise<void>((resolve) => (release = resolve));
      },
      logger: createSilentLogger(),
    });
    await reaper.schedule({ containerId: idA, snapshotKey: `container-${idA}`, taskLeft: true });
    let settled = false;
    const waiting = reaper.settled().then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(seen, [[`${idA}.json`]]);
    assert.equal(settled, false);
    release();
    await waiting;
    assert.deepEqual(await readdir(journalDir), []);
  }));

test('a failed reclaim keeps its entry, and the next engine start finishes it (and drops garbage entries)', () =>
  withJournal(async (journalDir) => {
    const failing = new ContainerReaper({
      journalDir,
      reclaim: async () => {
        throw new Error('umount: target is busy');
      },
      logger: createSilentLogger(),
    });
    await failing.schedule({ containerId: idA, snapshotKey: `container-${idA}`, taskLeft: true });
    await failing.settled();
    assert.deepEqual(await readdir(journalDir), [`${idA}.json`]);
    // A second entry left by an engine killed between journaling and reclaiming, and a torn one.
    await writeFile(
      join(journalDir, `${idB}.json`),
      JSON.stringify({ containerId: idB, snapshotKey: `container-${idB}`, taskLeft: true }),
    );
    await writeFile(join(journalDir, 'torn.json'), '{"containerId":');

    const reclaimed: ReapEntry[] = [];
    const next = new ContainerReaper({
      journalDir,
      reclaim: async (entry) => {
        reclaimed.push(entry);
      },
      logger: createSilentLogger(),
    });
    await next.recover();
    assert.deepEqual(reclaimed.map((entry) => entry.containerId).sort(), [idA, idB]);
    assert.deepEqual(await readdir(journalDir), []);
  }));

test('recover() with no journal directory is a no-op', () =>
  withJournal(async (journalDir) => {
    const reaper = new ContainerReaper({
      journalDir,
      reclaim: async () => assert.fail('nothing to reclaim'),
      logger: createSilentLogger(),
    });
    await reaper.recover();
  }));

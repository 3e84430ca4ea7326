import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSilentLogger } from '../../lib/logger.js';
import { ExitDirectoryWatcher } from './exit-watcher.js';

describe('ExitDirectoryWatcher', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'exit-watch-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  const readCode = (id: string) => async (): Promise<number | undefined> => {
    try {
      return Number(await readFile(join(dir, id), 'utf8'));
    } catch {
      return undefined;
    }
  };

  it('resolves at once when the file is already there', async () => {
    await writeFile(join(dir, 'a'), '4');
    const watcher = new ExitDirectoryWatcher(dir, createSilentLogger(), 60_000);
    assert.equal(await watcher.wait('a', readCode('a')), 4);
  });

  it('wakes on a rename into place (how conmon writes), well before the poll', async () => {
    const watcher = new ExitDirectoryWatcher(dir, createSilentLogger(), 60_000);
    const started = Date.now();
    const waiting = watcher.wait('b', readCode('b'));
    setTimeout(() => {
      void writeFile(join(dir, 'b.tmp123'), '9').then(() => rename(join(dir, 'b.tmp123'), join(dir, 'b')));
    }, 50);
    assert.equal(await waiting, 9);
    assert.ok(Date.now() - started < 5000);
  });

  it('falls back to polling the check', async () => {
    const watcher = new ExitDirectoryWatcher(dir, createSilentLogger(), 30);
    let calls = 0;
    assert.equal(await watcher.wait('never', async () => (++calls >= 3 ? 'gone' : undefined)), 'gone');
  });

  it('rejects with canceled on abort and propagates check errors', async () => {
    const watcher = new ExitDirectoryWatcher(dir, createSilentLogger(), 30);
    await assert.rejects(watcher.wait('c', readCode('c'), AbortSignal.timeout(50)), { kind: 'canceled' });
    await assert.rejects(
      watcher.wait('d', async () => {
        throw new Error('boom');
      }),
      /boom/,
    );
  });
});

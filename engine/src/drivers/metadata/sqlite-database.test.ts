import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, writeWith } from './sqlite-database.js';

const full = 2;
const normal = 1;

test('writeWith commits a non-durable write without a flush, then restores synchronous=FULL', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-sqlite-'));
  const db = openDatabase(join(dir, 'metadata.db'));
  const reader = openDatabase(join(dir, 'metadata.db'));
  try {
    db.exec('CREATE TABLE facts (value TEXT)');
    let during: unknown;
    writeWith(db, { durable: false }, () => {
      during = db.pragma('synchronous', { simple: true });
      db.prepare('INSERT INTO facts VALUES (?)').run('exited');
    });
    assert.equal(during, normal, 'the write ran with synchronous=NORMAL');
    assert.equal(db.pragma('synchronous', { simple: true }), full);
    assert.deepEqual(
      reader.prepare('SELECT value FROM facts').all(),
      [{ value: 'exited' }],
      'committed: another connection sees it',
    );

    assert.throws(() =>
      writeWith(db, { durable: false }, () => {
        throw new Error('constraint');
      }),
    );
    assert.equal(db.pragma('synchronous', { simple: true }), full, 'restored after a failed write too');

    writeWith(db, undefined, () => {
      during = db.pragma('synchronous', { simple: true });
    });
    assert.equal(during, full, 'durable by default');
  } finally {
    reader.close();
    db.close();
    await rm(dir, { recursive: true, force: true });
  }
});

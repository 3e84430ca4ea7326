import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '@berth/common';
import { createSilentLogger } from '../../lib/logger.js';
import { sha256Digest } from '../../lib/digest.js';
import { LocalContentStore } from './local-content-store.js';

let root: string;
let store: LocalContentStore;
const data = Buffer.from('hello content store');
const digest = sha256Digest(data);

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'berth-content-'));
  store = new LocalContentStore({ dataRoot: root, logger: createSilentLogger() });
  await store.init();
});
afterEach(() => rm(root, { recursive: true, force: true }));

test('write, verify, read, list, delete', async () => {
  assert.equal(await store.has(digest), false);
  await store.writeBlob(data, digest);
  assert.deepEqual(await store.info(digest), { digest, size: data.length });
  assert.deepEqual(await store.readBlob(digest), data);
  const chunks: Buffer[] = [];
  for await (const chunk of await store.createReadStream(digest)) chunks.push(chunk as Buffer);
  assert.deepEqual(Buffer.concat(chunks), data);
  assert.deepEqual(await store.list(), [{ digest, size: data.length }]);
  await store.delete(digest);
  assert.equal(await store.has(digest), false);
  await assert.rejects(store.readBlob(digest), (e: unknown) => e instanceof AppError && e.kind === 'not-found');
});

test('digest mismatch names the digest and stores nothing', async () => {
  const wrong = sha256Digest('other');
  await assert.rejects(store.writeBlob(data, wrong), (e: unknown) => e instanceof AppError && e.message.includes(wrong));
  assert.equal(await store.has(wrong), false);
  assert.deepEqual(await readdir(join(root, 'content', 'ingest')), []);
});

test('size mismatch is refused', async () => {
  const writer = await store.writer('size', { digest, size: data.length + 1 });
  await writer.write(data);
  await assert.rejects(writer.commit(), /size mismatch/);
  assert.equal(await store.has(digest), false);
});

test('a closed ingest resumes at its offset and commits the whole blob', async () => {
  const first = await store.writer('pull-x', { digest, size: data.length });
  assert.equal(first.offset, 0);
  await first.write(data.subarray(0, 5));
  await first.close();
  const second = await store.writer('pull-x', { digest, size: data.length });
  assert.equal(second.offset, 5);
  await second.write(data.subarray(5));
  assert.deepEqual(await second.commit(), { digest, size: data.length });
  assert.deepEqual(await store.readBlob(digest), data);
});

test('truncate restarts an ingest; writers are exclusive per ref', async () => {
  const writer = await store.writer('ref', { digest, size: data.length });
  await assert.rejects(store.writer('ref', { digest }), (e: unknown) => e instanceof AppError && e.kind === 'unavailable');
  await writer.write(Buffer.from('garbage'));
  await writer.truncate();
  await writer.write(data);
  await writer.commit();
  assert.equal(await store.has(digest), true);
});

test('init removes stale ingests', async () => {
  const writer = await store.writer('stale', { digest });
  await writer.write(data.subarray(0, 3));
  await writer.close();
  const strict = new LocalContentStore({ dataRoot: root, logger: createSilentLogger(), staleIngestAgeMs: -1 });
  await strict.init();
  assert.deepEqual(await readdir(join(root, 'content', 'ingest')), []);
});

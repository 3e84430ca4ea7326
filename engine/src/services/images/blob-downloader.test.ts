import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { AppError, parseImageReference } from '@berth/common';
import type { ContentWriter, ExpectedBlob } from '../../core/content/content-store.js';
import type { BlobResponse, Descriptor, RegistryClient } from '../../core/registry/registry-client.js';
import { LocalContentStore } from '../../drivers/content/local-content-store.js';
import { sha256Digest } from '../../lib/digest.js';
import { createSilentLogger } from '../../lib/logger.js';
import { BlobDownloader } from './blob-downloader.js';

/** A content store that counts the ingest writes it receives. */
class CountingContentStore extends LocalContentStore {
  writes = 0;

  override async writer(ref: string, expected?: ExpectedBlob): Promise<ContentWriter> {
    const inner = await super.writer(ref, expected);
    return {
      ref: inner.ref,
      get offset() {
        return inner.offset;
      },
      write: (chunk) => {
        this.writes++;
        return inner.write(chunk);
      },
      truncate: () => inner.truncate(),
      commit: () => inner.commit(),
      close: () => inner.close(),
      abort: () => inner.abort(),
    };
  }
}

/** Serves one blob; `respond` decides each attempt's body from the requested offset. */
function oneBlobRegistry(respond: (offset: number, attempt: number) => BlobResponse): RegistryClient {
  let attempt = 0;
  const unused = (): never => {
    throw new Error('not used by the downloader');
  };
  return {
    fetchBlob: async (_reference, _descriptor, options) => respond(options?.offset ?? 0, ++attempt),
    ping: unused,
    fetchManifest: unused,
    resolve: unused,
    login: unused,
    blobExists: unused,
    mountBlob: unused,
    uploadBlob: unused,
    putManifest: unused,
  };
}

/** `data` as a network would deliver it: many small chunks. */
function chunked(data: Buffer, chunkSize: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += chunkSize) chunks.push(data.subarray(offset, offset + chunkSize));
  return chunks;
}

const reference = parseImageReference('127.0.0.1:5000/test/blob:latest');
const blob = Buffer.alloc(8 * 1024 * 1024 + 123);
for (let i = 0; i < blob.length; i++) blob[i] = (i * 7919) % 251;
const descriptor: Descriptor = { mediaType: 'application/octet-stream', digest: sha256Digest(blob), size: blob.length };

let root: string;
let content: CountingContentStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'berth-downloader-'));
  content = new CountingContentStore({ dataRoot: root, logger: createSilentLogger() });
  await content.init();
});
afterEach(() => rm(root, { recursive: true, force: true }));

test('many small network chunks reach the ingest as far fewer writes, and the blob is intact', async () => {
  const chunks = chunked(blob, 16 * 1024);
  const registry = oneBlobRegistry(() => ({ body: Readable.from(chunks), offset: 0 }));
  const downloader = new BlobDownloader(content, registry, createSilentLogger(), { attempts: 1, delayMs: 0 });
  const progress: number[] = [];
  await downloader.download({ reference, descriptor, onProgress: (current) => progress.push(current) });

  assert.ok((await content.readBlob(descriptor.digest)).equals(blob));
  assert.ok(content.writes * 8 < chunks.length, `${content.writes} writes for ${chunks.length} chunks`);
  assert.equal(progress.at(-1), blob.length);
  assert.deepEqual(
    progress,
    [...progress].sort((a, b) => a - b),
    'progress never goes back',
  );
});

test('a body cut off mid-way resumes from what reached the ingest', async () => {
  const offsets: number[] = [];
  const registry = oneBlobRegistry((offset, attempt) => {
    offsets.push(offset);
    if (attempt === 1) {
      const half = chunked(blob.subarray(0, blob.length / 2), 64 * 1024);
      const body = Readable.from(
        (async function* () {
          yield* half;
          throw new Error('connection reset');
        })(),
      );
      return { body, offset: 0 };
    }
    return { body: Readable.from(chunked(blob.subarray(offset), 64 * 1024)), offset };
  });
  const downloader = new BlobDownloader(content, registry, createSilentLogger(), { attempts: 2, delayMs: 0 });
  await downloader.download({ reference, descriptor });

  assert.ok((await content.readBlob(descriptor.digest)).equals(blob));
  assert.equal(offsets.length, 2);
  assert.ok((offsets[1] ?? 0) > 0 && (offsets[1] ?? 0) <= blob.length / 2, `resumed at ${offsets[1]}`);
});

test('bytes that do not match the digest are refused and nothing is stored', async () => {
  const tampered = Buffer.from(blob);
  tampered[1000] = (tampered[1000] ?? 0) ^ 0xff;
  const registry = oneBlobRegistry(() => ({ body: Readable.from(chunked(tampered, 32 * 1024)), offset: 0 }));
  const downloader = new BlobDownloader(content, registry, createSilentLogger(), { attempts: 1, delayMs: 0 });
  await assert.rejects(
    downloader.download({ reference, descriptor }),
    (error: unknown) =>
      error instanceof AppError && error.kind === 'invalid-argument' && error.message.includes(descriptor.digest),
  );
  assert.equal(await content.has(descriptor.digest), false);
});

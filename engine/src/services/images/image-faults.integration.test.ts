// Integrity under faults: a proxy on 127.0.0.1 in front of a real docker-registry cuts connections,
// ignores Range and counts requests; stored blobs are corrupted on disk; GC runs during a pull.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, open, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { LocalContentStore } from '../../drivers/content/local-content-store.js';
import { applyMigrations, openDatabase, type SqliteDatabase } from '../../drivers/metadata/sqlite-database.js';
import { SqliteImageStore, imageMigrations } from '../../drivers/metadata/sqlite-image-store.js';
import { OciRegistryClient } from '../../drivers/registry/oci-registry-client.js';
import { OverlayfsSnapshotter } from '../../drivers/snapshots/overlayfs-snapshotter.js';
import { createSilentLogger } from '../../lib/logger.js';
import { startFaultProxy, type FaultProxy } from '../../testing/fault-proxy.js';
import { startTestRegistry, type TestRegistry } from '../../testing/test-registry.js';
import {
  buildTestImage,
  layerFromTar,
  buildRawTar,
  pushBlob,
  pushManifest,
  pushTestImage,
  sha256,
  type TestImage,
} from '../../testing/test-images.js';
import { MediaTypes } from '../../core/registry/registry-client.js';
import { DefaultImageService } from './image-service.js';

const isRoot = process.getuid?.() === 0;

interface Harness {
  dataRoot: string;
  db: SqliteDatabase;
  service: DefaultImageService;
  snapshotter: OverlayfsSnapshotter;
  content: LocalContentStore;
  store: SqliteImageStore;
  registry: OciRegistryClient;
}

async function harness(): Promise<Harness> {
  const dataRoot = await mkdtemp(join(tmpdir(), 'berth-faults-'));
  const logger = createSilentLogger();
  const db = openDatabase(join(dataRoot, 'berth.db'));
  applyMigrations(db, imageMigrations);
  const content = new LocalContentStore({ dataRoot, logger });
  await content.init();
  const snapshotter = new OverlayfsSnapshotter({ dataRoot, logger });
  await snapshotter.init();
  const store = new SqliteImageStore(db);
  const registry = new OciRegistryClient({ logger });
  const service = new DefaultImageService({ content, registry, snapshotter, store, logger, retry: { attempts: 3, delayMs: 10 } });
  return { dataRoot, db, service, snapshotter, content, store, registry };
}

async function dispose(h: Harness): Promise<void> {
  await h.registry.close();
  h.db.close();
  await rm(h.dataRoot, { recursive: true, force: true });
}

/** A layer of incompressible bytes (so its blob is about `size` bytes). */
async function randomLayerImage(size: number, created: string): Promise<TestImage> {
  return buildTestImage({
    busybox: false,
    created,
    extraLayers: [[{ type: 'file', path: 'random.bin', content: randomBytes(size) }]],
  });
}

describe('pull integrity under faults', { skip: !isRoot ? 'needs root (overlay whiteouts, chown)' : false }, () => {
  let registry: TestRegistry;
  let proxy: FaultProxy;
  let big: TestImage;
  let small: TestImage;

  before(async () => {
    registry = await startTestRegistry();
    proxy = await startFaultProxy(registry.url);
    big = await randomLayerImage(4 * 1024 * 1024, '2024-05-01T00:00:00Z');
    small = await buildTestImage({ created: '2024-05-02T00:00:00Z' });
    await pushTestImage(registry.host, 'faults/big', 'v1', big);
    await pushTestImage(registry.host, 'faults/small', 'v1', small);
  });
  after(async () => {
    await proxy.close();
    await registry.stop();
  });

  test('a connection cut mid-blob resumes with Range: only the missing bytes are fetched again', async () => {
    const h = await harness();
    try {
      const layer = big.layers[0];
      assert.ok(layer);
      proxy.requests.length = 0;
      proxy.cutAfter.set(layer.digest, 1_500_000);
      await h.service.pull({ reference: `${proxy.host}/faults/big:v1` });
      const gets = proxy.requests.filter((item) => item.digest === layer.digest);
      assert.equal(gets.length, 2);
      assert.equal(gets[0]?.range, undefined);
      assert.match(gets[1]?.range ?? '', /^bytes=\d+-$/);
      assert.equal(gets[1]?.status, 206);
      assert.ok(proxy.bytesFor(layer.digest) < layer.blob.length + 200_000, 'resumed, not restarted');
      assert.equal((await h.service.get(`${proxy.host}/faults/big:v1`)).id, big.configDigest);
    } finally {
      await dispose(h);
    }
  });

  test('a registry that ignores Range (200) makes the download restart from zero, still verified', async () => {
    const h = await harness();
    try {
      const layer = big.layers[0];
      assert.ok(layer);
      proxy.requests.length = 0;
      proxy.ignoreRange = true;
      proxy.cutAfter.set(layer.digest, 1_000_000);
      await h.service.pull({ reference: `${proxy.host}/faults/big:v1` });
      const gets = proxy.requests.filter((item) => item.digest === layer.digest);
      assert.equal(gets.length, 2);
      assert.equal(gets[1]?.status, 200);
      assert.equal(gets[1]?.bytesSent, layer.blob.length, 'the whole blob again');
      assert.equal(await h.content.verify(layer.digest), 'ok');
    } finally {
      proxy.ignoreRange = false;
      await dispose(h);
    }
  });

  test('twenty identical concurrent pulls fetch each blob once', async () => {
    const h = await harness();
    try {
      proxy.requests.length = 0;
      const images = await Promise.all(
        Array.from({ length: 20 }, () => h.service.pull({ reference: `${proxy.host}/faults/big:v1` })),
      );
      assert.ok(images.every((image) => image.id === big.configDigest));
      for (const digest of [big.configDigest, ...big.layers.map((layer) => layer.digest)]) {
        assert.equal(proxy.requests.filter((item) => item.digest === digest).length, 1, `one GET of ${digest}`);
      }
    } finally {
      await dispose(h);
    }
  });

  for (const [what, delta] of [
    ['longer', -100],
    ['shorter', 100],
  ] as const) {
    test(`a layer ${what} than its descriptor fails naming the digest; nothing committed or tagged`, async () => {
      const h = await harness();
      try {
        const layer = layerFromTar(
          await buildRawTar([{ header: { name: `${what}.txt`, type: 'file' }, content: randomBytes(5000) }]),
        );
        const config = Buffer.from(
          JSON.stringify({
            architecture: 'amd64',
            os: 'linux',
            rootfs: { type: 'layers', diff_ids: [layer.diffId] },
            config: {},
          }),
        );
        await pushBlob(registry.host, `faults/${what}`, layer.blob);
        await pushBlob(registry.host, `faults/${what}`, config);
        const manifest = Buffer.from(
          JSON.stringify({
            schemaVersion: 2,
            mediaType: MediaTypes.dockerManifest,
            config: { mediaType: MediaTypes.dockerConfig, size: config.length, digest: sha256(config) },
            layers: [{ mediaType: layer.mediaType, size: layer.blob.length + delta, digest: layer.digest }],
          }),
        );
        await pushManifest(registry.host, `faults/${what}`, 'v1', manifest, MediaTypes.dockerManifest);
        await assert.rejects(h.service.pull({ reference: `${proxy.host}/faults/${what}:v1` }), (error: Error) => {
          assert.match(error.message, new RegExp(layer.digest));
          return true;
        });
        assert.equal(await h.service.find(`${proxy.host}/faults/${what}:v1`), undefined);
        assert.equal(await h.snapshotter.hasCommitted(layer.diffId), false);
        assert.equal(await h.content.has(layer.digest), false);
      } finally {
        await dispose(h);
      }
    });
  }

  test('a flipped byte in a stored blob marks that image invalid; a new pull repairs it; others unaffected', async () => {
    const h = await harness();
    try {
      const bigRef = `${proxy.host}/faults/big:v1`;
      const smallRef = `${proxy.host}/faults/small:v1`;
      await h.service.pull({ reference: bigRef });
      await h.service.pull({ reference: smallRef });
      const layer = big.layers[0];
      assert.ok(layer);
      const path = join(h.dataRoot, 'content', 'blobs', 'sha256', layer.digest.slice(7));
      await chmod(path, 0o644);
      const handle = await open(path, 'r+');
      const byte = Buffer.alloc(1);
      await handle.read(byte, 0, 1, 1000);
      byte[0] = (byte[0] ?? 0) ^ 0x01;
      await handle.write(byte, 0, 1, 1000);
      await handle.close();
      await assert.rejects(h.service.get(bigRef), (error: Error) => {
        assert.match(error.message, /is invalid/);
        assert.match(error.message, new RegExp(layer.digest));
        return true;
      });
      assert.equal((await h.service.get(smallRef)).id, small.configDigest, 'the other image is fine');
      const check = await h.service.checkImages();
      assert.deepEqual(
        check.map((item) => [item.image.id, item.corrupt]),
        [[big.configDigest, [layer.digest]]],
      );
      proxy.requests.length = 0;
      await h.service.pull({ reference: bigRef });
      assert.equal(proxy.requests.filter((item) => item.digest === layer.digest).length, 1, 'the bad blob was fetched again');
      assert.equal((await h.service.get(bigRef)).id, big.configDigest);
      assert.deepEqual(await h.service.checkImages(), []);
    } finally {
      await dispose(h);
    }
  });

  test('garbage collection removes unreferenced content, snapshots and stale ingests but not an in-flight pull', async () => {
    const h = await harness();
    try {
      await h.service.pull({ reference: `${proxy.host}/faults/small:v1` });
      // Unreferenced: a stray blob, a committed snapshot no image uses, an abandoned ingest.
      const stray = await h.content.writeBlob(Buffer.from('nobody uses me'));
      const orphanTar = await buildRawTar([{ header: { name: 'orphan', type: 'file' }, content: 'x' }]);
      const orphan = layerFromTar(orphanTar);
      await h.snapshotter.applyLayer(orphan.diffId, undefined, Readable.from([orphanTar]));
      const abandoned = join(h.dataRoot, 'content', 'ingest', 'abandoned');
      await mkdir(abandoned, { recursive: true });
      await writeFile(join(abandoned, 'updatedat'), String(Date.now() - 2 * 60 * 60 * 1000));
      await writeFile(join(abandoned, 'data'), 'partial');

      proxy.chunkDelayMs = 40;
      proxy.requests.length = 0;
      const pulling = h.service.pull({ reference: `${proxy.host}/faults/big:v1` });
      pulling.catch(() => undefined);
      // Wait until the pull holds its config blob (downloaded first) and is streaming the layer.
      const layer = big.layers[0];
      assert.ok(layer);
      for (let i = 0; i < 400 && proxy.bytesFor(layer.digest) < 300_000; i++)
        await new Promise((resolve) => setTimeout(resolve, 10));
      assert.ok(await h.content.has(big.configDigest));
      const collected = await h.service.collectGarbage({ ingestMaxAgeMs: 60 * 60 * 1000 });
      proxy.chunkDelayMs = 0;
      assert.ok(collected.blobs.includes(stray.digest));
      assert.ok(!collected.blobs.includes(big.configDigest), 'the leased config survives');
      assert.deepEqual(collected.snapshots, [orphan.diffId]);
      assert.equal(collected.ingests.length, 1, 'only the abandoned ingest, not the live download');
      assert.deepEqual(await readdir(join(h.dataRoot, 'content', 'ingest')).then((names) => names.includes('abandoned')), false);
      const image = await pulling;
      assert.equal(image.id, big.configDigest);
      assert.equal((await h.service.get(`${proxy.host}/faults/small:v1`)).id, small.configDigest);
    } finally {
      proxy.chunkDelayMs = 0;
      await dispose(h);
    }
  });
});

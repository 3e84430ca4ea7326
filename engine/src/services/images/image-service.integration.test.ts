import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtemp, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { AppError } from '@berth/common';
import type { ProgressMessage } from '../../core/images/image-service.js';
import { LocalContentStore } from '../../drivers/content/local-content-store.js';
import { applyMigrations, openDatabase, type SqliteDatabase } from '../../drivers/metadata/sqlite-database.js';
import { SqliteImageStore, imageMigrations } from '../../drivers/metadata/sqlite-image-store.js';
import { OciRegistryClient } from '../../drivers/registry/oci-registry-client.js';
import { OverlayfsSnapshotter } from '../../drivers/snapshots/overlayfs-snapshotter.js';
import { createSilentLogger } from '../../lib/logger.js';
import { runCommand } from '../../platform/run-command.js';
import { freePort, startTestRegistry, type TestRegistry } from '../../testing/test-registry.js';
import { buildTestImage, pushTestImage, pushTestIndex, type TestImage } from '../../testing/test-images.js';
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
  const dataRoot = await mkdtemp(join(tmpdir(), 'berth-images-'));
  const logger = createSilentLogger();
  const db = openDatabase(join(dataRoot, 'berth.db'));
  applyMigrations(db, imageMigrations);
  const content = new LocalContentStore({ dataRoot, logger });
  await content.init();
  const snapshotter = new OverlayfsSnapshotter({ dataRoot, logger });
  await snapshotter.init();
  const store = new SqliteImageStore(db);
  const registry = new OciRegistryClient({ logger });
  const service = new DefaultImageService({ content, registry, snapshotter, store, logger, retry: { attempts: 2, delayMs: 10 } });
  return { dataRoot, db, service, snapshotter, content, store, registry };
}

async function dispose(h: Harness): Promise<void> {
  await h.registry.close();
  h.db.close();
  await rm(h.dataRoot, { recursive: true, force: true });
}

/** A pass-through HTTP proxy in front of the registry that counts blob GETs and can corrupt one blob. */
async function startProxy(
  upstream: string,
): Promise<{ host: string; blobGets: Map<string, number>; tamper: Set<string>; close(): Promise<void> }> {
  const blobGets = new Map<string, number>();
  const tamper = new Set<string>();
  const server: Server = createServer((req, res) => {
    void (async () => {
      const digest = /\/blobs\/(sha256:[a-f0-9]{64})/.exec(req.url ?? '')?.[1];
      if (digest && req.method === 'GET') blobGets.set(digest, (blobGets.get(digest) ?? 0) + 1);
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(req.headers))
        if (typeof value === 'string' && key !== 'host') headers[key] = value;
      const upstreamResponse = await request(`${upstream}${req.url ?? '/'}`, { method: (req.method ?? 'GET') as 'GET', headers });
      let body = Buffer.from(await upstreamResponse.body.arrayBuffer());
      if (digest && tamper.has(digest) && body.length > 0) {
        body = Buffer.from(body);
        body[body.length - 1] = (body[body.length - 1] ?? 0) ^ 0xff;
      }
      const outHeaders: Record<string, string | string[]> = {};
      for (const [key, value] of Object.entries(upstreamResponse.headers)) {
        if (value !== undefined && key !== 'transfer-encoding' && key !== 'connection') outHeaders[key] = value;
      }
      res.writeHead(upstreamResponse.statusCode, outHeaders);
      res.end(req.method === 'HEAD' ? undefined : body);
    })().catch((error: unknown) => {
      res.statusCode = 502;
      res.end(String(error));
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${port}`,
    blobGets,
    tamper,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('image pull from a real docker-registry', { skip: !isRoot ? 'needs root (overlay whiteouts, chown)' : false }, () => {
  let registry: TestRegistry;
  let layered: TestImage;

  before(async () => {
    registry = await startTestRegistry();
    layered = await buildTestImage({
      config: { Env: ['FOO=bar'], WorkingDir: '/work', Labels: { purpose: 'test' } },
      extraLayers: [
        [
          { type: 'file', path: 'hello.txt', content: 'hello\n' },
          { type: 'whiteout', path: 'etc/group' },
          { type: 'opaque', path: 'usr' },
          { type: 'file', path: 'usr/new', content: 'new' },
        ],
      ],
    });
    await pushTestImage(registry.host, 'test/busybox', 'v1', layered);
  });
  after(async () => {
    await registry.stop();
  });

  test('schema2 pull: progress, tags, repo digests, snapshots; a second pull is up to date', async () => {
    const h = await harness();
    try {
      const messages: ProgressMessage[] = [];
      const image = await h.service.pull({ reference: `${registry.host}/test/busybox:v1`, onProgress: (m) => messages.push(m) });
      assert.equal(image.id, layered.configDigest);
      assert.deepEqual(image.repoTags, [`${registry.host}/test/busybox:v1`]);
      assert.deepEqual(image.repoDigests, [`${registry.host}/test/busybox@${layered.manifestDigest}`]);
      assert.deepEqual(image.config.config?.Env, [
        'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        'FOO=bar',
      ]);
      assert.ok(image.size > 100_000, `size ${image.size}`);
      for (const chainId of image.chainIds) assert.equal(await h.snapshotter.hasCommitted(chainId), true);

      const statuses = messages.map((m) => m.status);
      assert.equal(statuses[0], 'Pulling from test/busybox');
      assert.equal(messages[0]?.id, 'v1');
      const layerId = layered.layers[0]?.digest.slice(7, 19);
      const forLayer = messages.filter((m) => m.id === layerId).map((m) => m.status);
      assert.deepEqual(
        [...new Set(forLayer)],
        ['Pulling fs layer', 'Downloading', 'Verifying Checksum', 'Download complete', 'Extracting', 'Pull complete'],
      );
      const downloading = messages.find(
        (m) => m.id === layerId && m.status === 'Downloading' && m.progressDetail?.current === m.progressDetail?.total,
      );
      assert.match(downloading?.progress ?? '', /^\[=+>\] +[\d.]+[kM]?B\/[\d.]+[kM]?B$/);
      assert.equal(statuses.at(-2), `Digest: ${layered.manifestDigest}`);
      assert.equal(statuses.at(-1), `Status: Downloaded newer image for ${registry.host}/test/busybox:v1`);

      const again: ProgressMessage[] = [];
      await h.service.pull({ reference: `${registry.host}/test/busybox:v1`, onProgress: (m) => again.push(m) });
      assert.deepEqual(
        again.map((m) => m.status),
        [
          'Pulling from test/busybox',
          'Already exists',
          'Already exists',
          `Digest: ${layered.manifestDigest}`,
          `Status: Image is up to date for ${registry.host}/test/busybox:v1`,
        ],
      );

      assert.equal((await h.service.get(`${registry.host}/test/busybox:v1`)).id, image.id);
      assert.equal((await h.service.get(image.id.slice(7, 19))).id, image.id);
      assert.equal((await h.service.get(image.id)).id, image.id);
      assert.equal((await h.service.get(`${registry.host}/test/busybox@${layered.manifestDigest}`)).id, image.id);
      await assert.rejects(
        h.service.get('nosuch'),
        (e: unknown) => e instanceof AppError && e.kind === 'not-found' && e.message === 'No such image: nosuch',
      );
      assert.equal((await h.service.list()).length, 1);
    } finally {
      await dispose(h);
    }
  });

  test('overlay mount of a prepared snapshot shows whiteouts and opaque dirs applied', async () => {
    const h = await harness();
    const mountPoint = join(h.dataRoot, 'mnt');
    try {
      const image = await h.service.pull({ reference: `${registry.host}/test/busybox:v1` });
      const mounts = await h.snapshotter.prepare('container-1', image.chainIds.at(-1));
      const spec = mounts[0];
      assert.ok(spec);
      assert.equal(spec.type, 'overlay');
      assert.match(spec.options[0] ?? '', /^lowerdir=.*\/snapshots\/\d+\/fs:.*\/snapshots\/\d+\/fs$/);
      await mkdir(mountPoint);
      await runCommand('mount', ['-t', spec.type, spec.source, '-o', spec.options.join(','), mountPoint]);
      try {
        assert.equal(await readFile(join(mountPoint, 'hello.txt'), 'utf8'), 'hello\n');
        assert.ok((await readdir(join(mountPoint, 'bin'))).includes('sh'));
        await assert.rejects(readFile(join(mountPoint, 'etc', 'group')), /ENOENT/);
        assert.ok((await readFile(join(mountPoint, 'etc', 'passwd'), 'utf8')).startsWith('root:'));
        assert.deepEqual(await readdir(join(mountPoint, 'usr')), ['new']);
        const { stdout } = await runCommand('chroot', [mountPoint, '/bin/sh', '-c', 'echo $((6*7)); ls /usr']);
        assert.equal(stdout, '42\nnew\n');
      } finally {
        await runCommand('umount', [mountPoint]);
      }
      await assert.rejects(h.snapshotter.remove(image.chainIds[0] as string), /in use/);
      await h.snapshotter.remove('container-1');
      const empty = await h.snapshotter.prepare('scratch', undefined);
      assert.equal(empty[0]?.type, 'bind');
    } finally {
      await dispose(h);
    }
  });

  test('OCI image pulled by digest; manifest digest is verified', async () => {
    const oci = await buildTestImage({ format: 'oci', extraLayers: [[{ type: 'file', path: 'oci.txt', content: 'oci' }]] });
    const digest = await pushTestImage(registry.host, 'test/oci', 'v1', oci);
    const h = await harness();
    try {
      const messages: ProgressMessage[] = [];
      const image = await h.service.pull({
        reference: `${registry.host}/test/oci@${digest}`,
        onProgress: (m) => messages.push(m),
      });
      assert.equal(image.id, oci.configDigest);
      assert.deepEqual(image.repoTags, []);
      assert.deepEqual(image.repoDigests, [`${registry.host}/test/oci@${digest}`]);
      assert.equal(messages.at(-1)?.status, `Status: Downloaded newer image for ${registry.host}/test/oci@${digest}`);
      const wrong = `sha256:${'0'.repeat(64)}`;
      await assert.rejects(h.service.pull({ reference: `${registry.host}/test/oci@${wrong}` }), /not found|manifest unknown/);
    } finally {
      await dispose(h);
    }
  });

  test('index: linux/amd64 by default, linux/arm64 on request, attestation entries skipped', async () => {
    const amd64 = await buildTestImage({ extraLayers: [[{ type: 'file', path: 'arch', content: 'amd64' }]] });
    const arm64 = await buildTestImage({
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
      extraLayers: [[{ type: 'file', path: 'arch', content: 'arm64' }]],
    });
    const indexDigest = await pushTestIndex(registry.host, 'test/multi', 'latest', [arm64, amd64]);
    const h = await harness();
    try {
      const image = await h.service.pull({ reference: `${registry.host}/test/multi` });
      assert.equal(image.id, amd64.configDigest);
      assert.equal(image.config.architecture, 'amd64');
      assert.deepEqual(image.repoDigests, [`${registry.host}/test/multi@${indexDigest}`]);
      const arm = await h.service.pull({ reference: `${registry.host}/test/multi:latest`, platform: 'linux/arm64' });
      assert.equal(arm.id, arm64.configDigest);
      assert.equal(arm.config.architecture, 'arm64');
      // The tag moved to the arm64 image, like `docker pull --platform` does.
      assert.equal((await h.service.get(`${registry.host}/test/multi`)).id, arm64.configDigest);
      await assert.rejects(
        h.service.pull({ reference: `${registry.host}/test/multi`, platform: 'linux/s390x' }),
        /no matching manifest for linux\/s390x/,
      );
    } finally {
      await dispose(h);
    }
  });

  test('a corrupted layer blob names its digest and commits nothing', async () => {
    const proxy = await startProxy(registry.url);
    const h = await harness();
    try {
      const victim = layered.layers[1];
      assert.ok(victim);
      proxy.tamper.add(victim.digest);
      await assert.rejects(h.service.pull({ reference: `${proxy.host}/test/busybox:v1` }), (error: unknown) => {
        assert.ok(error instanceof AppError);
        assert.match(error.message, new RegExp(victim.digest));
        return true;
      });
      assert.deepEqual(await h.service.list(), []);
      assert.equal(await h.service.find(`${proxy.host}/test/busybox:v1`), undefined);
      assert.equal(await h.content.has(victim.digest), false);
      const diffIds = layered.layers.map((layer) => layer.diffId);
      assert.equal(await h.snapshotter.hasCommitted(diffIds[0] as `sha256:${string}`), false);
      const snapshotDirs = (await readdir(join(h.dataRoot, 'snapshots'))).filter((name) => name !== 'index.json');
      assert.deepEqual(snapshotDirs, []);
    } finally {
      await dispose(h);
      await proxy.close();
    }
  });

  test('concurrent identical pulls share downloads', async () => {
    const proxy = await startProxy(registry.url);
    const h = await harness();
    try {
      const reference = `${proxy.host}/test/busybox:v1`;
      const [a, b] = await Promise.all([h.service.pull({ reference }), h.service.pull({ reference })]);
      assert.equal(a.id, b.id);
      for (const layer of layered.layers) assert.equal(proxy.blobGets.get(layer.digest), 1, `blob ${layer.digest} fetched once`);
      assert.equal(proxy.blobGets.get(layered.configDigest), 1);
    } finally {
      await dispose(h);
      await proxy.close();
    }
  });

  test('an unreachable registry is named in the error', async () => {
    const h = await harness();
    try {
      const port = await freePort();
      await assert.rejects(h.service.pull({ reference: `127.0.0.1:${port}/x/y:1` }), (error: unknown) => {
        assert.ok(error instanceof AppError);
        assert.equal(error.kind, 'unavailable');
        assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
        return true;
      });
    } finally {
      await dispose(h);
    }
  });

  test('schema1 manifests are refused clearly', async (t) => {
    const h = await harness();
    try {
      const schema1 = Buffer.from(JSON.stringify({ schemaVersion: 1, name: 'test/old', tag: 'v1', fsLayers: [], history: [] }));
      const response = await request(`${registry.url}/v2/test/old/manifests/v1`, {
        method: 'PUT',
        headers: { 'content-type': 'application/vnd.docker.distribution.manifest.v1+json' },
        body: schema1,
      });
      await response.body.dump();
      if (response.statusCode !== 201) {
        // The registry itself refuses schema1 uploads, so there is nothing to pull: report a skip,
        // not a pass (the refusal is covered by oci-registry-client.test.ts against a fake server).
        t.skip('this registry refuses schema1 manifests');
        return;
      }
      await assert.rejects(h.service.pull({ reference: `${registry.host}/test/old:v1` }), /schema 1 are not supported/);
    } finally {
      await dispose(h);
    }
  });
});

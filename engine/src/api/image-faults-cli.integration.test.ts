// Crash and disk-full faults during `docker pull`, with the real CLI against the engine process:
// kill -9 mid-download then a resumed pull; a full (loop-mounted ext4) data root during a pull and
// during a commit, then a retry.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docker } from '../testing/docker-cli.js';
import { ping, startEngineProcess } from '../testing/engine-process.js';
import { startFaultProxy, type FaultProxy } from '../testing/fault-proxy.js';
import { startTestRegistry, type TestRegistry } from '../testing/test-registry.js';
import { buildTestImage, pushTestImage, type TestImage } from '../testing/test-images.js';

const isRoot = process.getuid?.() === 0;

function sh(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')}: ${stderr}`))));
  });
}

describe('pull faults through the CLI', { skip: !isRoot ? 'needs root (engine, loop mounts)' : false }, () => {
  let registry: TestRegistry;
  let proxy: FaultProxy;
  let image: TestImage;
  let scratch: string;

  before(async () => {
    registry = await startTestRegistry();
    proxy = await startFaultProxy(registry.url);
    image = await buildTestImage({
      busybox: false,
      created: '2024-07-01T00:00:00Z',
      extraLayers: [[{ type: 'file', path: 'payload.bin', content: randomBytes(40 * 1024 * 1024) }]],
    });
    await pushTestImage(registry.host, 'faults/payload', 'v1', image);
    await pushTestImage(registry.host, 'faults/busybox', 'v1', await buildTestImage());
    scratch = await mkdtemp(join(tmpdir(), 'berth-pull-faults-'));
  });
  after(async () => {
    await proxy.close();
    await registry.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  test('kill -9 of the engine mid-pull: it restarts clean and the next pull resumes with Range', async () => {
    const layer = image.layers[0];
    assert.ok(layer);
    const dataRoot = join(scratch, 'crash-root');
    let engine = await startEngineProcess({ dataRoot });
    const reference = `${proxy.host}/faults/payload:v1`;
    try {
      proxy.requests.length = 0;
      proxy.chunkDelayMs = 20;
      const pulling = docker(engine.socketPath, ['pull', reference]);
      for (let i = 0; i < 1000 && proxy.bytesFor(layer.digest) < 4 * 1024 * 1024; i++)
        await new Promise((r) => setTimeout(r, 10));
      assert.ok(proxy.bytesFor(layer.digest) >= 4 * 1024 * 1024, 'the download was under way');
      await engine.kill();
      assert.notEqual((await pulling).exitCode, 0);
      proxy.chunkDelayMs = 0;
      engine = await startEngineProcess({ dataRoot });
      assert.equal((await docker(engine.socketPath, ['images', '-q'])).stdout.trim(), '', 'nothing half-pulled is listed');
      const result = await docker(engine.socketPath, ['pull', reference]);
      assert.equal(result.exitCode, 0, result.stderr);
      const gets = proxy.requests.filter((item) => item.digest === layer.digest);
      assert.match(gets.at(-1)?.range ?? '', /^bytes=[1-9]\d*-$/, 'the second pull resumed');
      assert.ok(proxy.bytesFor(layer.digest) < layer.blob.length * 1.5);
      assert.equal(
        (await docker(engine.socketPath, ['image', 'inspect', '--format', '{{.Id}}', reference])).stdout.trim(),
        image.configDigest,
      );
    } finally {
      proxy.chunkDelayMs = 0;
      await engine.stop();
    }
  });

  test('disk full during a commit: "no space left on device", nothing half-made, the same commit succeeds once space is freed', async () => {
    const backing = join(scratch, 'commit-disk.img');
    const mountPoint = join(scratch, 'commit-disk');
    await mkdir(mountPoint);
    await sh('fallocate', ['-l', '160M', backing]);
    await sh('mkfs.ext4', ['-q', backing]);
    await sh('mount', ['-o', 'loop', backing, mountPoint]);
    try {
      const engine = await startEngineProcess({ dataRoot: join(mountPoint, 'root') });
      try {
        const run = (args: string[]) => docker(engine.socketPath, args);
        const busybox = `${registry.host}/faults/busybox:v1`;
        assert.equal((await run(['pull', '-q', busybox])).exitCode, 0);
        const writer = await run(['run', '--name', 'writer', busybox, 'dd', 'if=/dev/urandom', 'of=/big', 'bs=1M', 'count=30']);
        assert.equal(writer.exitCode, 0, writer.stderr);
        const filler = join(mountPoint, 'filler');
        const free = await statfs(mountPoint).then((stats) => stats.bavail * stats.bsize);
        // Leave ~8 MB: less than the 30 MB layer the commit has to store.
        await sh('fallocate', ['-l', String(free - 8 * 1024 * 1024), filler]);
        const failed = await run(['commit', 'writer', 'faults/committed:v1']);
        assert.notEqual(failed.exitCode, 0);
        assert.match(failed.stderr, /no space left on device/);
        assert.ok(await ping(engine.socketPath), 'the engine is still up');
        assert.equal((await run(['images', '-q', 'faults/committed'])).stdout.trim(), '', 'nothing was tagged');
        assert.equal((await run(['inspect', '-f', '{{.State.Status}}', 'writer'])).stdout.trim(), 'exited');
        await rm(filler);
        const retried = await run(['commit', 'writer', 'faults/committed:v1']);
        assert.equal(retried.exitCode, 0, retried.stderr);
        const size = await run(['run', '--rm', 'faults/committed:v1', 'stat', '-c', '%s', '/big']);
        assert.equal(size.stdout.trim(), String(30 * 1024 * 1024), size.stderr);
        await run(['rm', '-f', 'writer']);
      } finally {
        await engine.stop();
      }
    } finally {
      await sh('umount', [mountPoint]).catch(() => sh('umount', ['-l', mountPoint]));
    }
  });

  test('disk full during a pull: "no space left on device", the engine stays up, the same pull succeeds once space is freed', async () => {
    const backing = join(scratch, 'disk.img');
    const mountPoint = join(scratch, 'disk');
    await mkdir(mountPoint);
    await sh('fallocate', ['-l', '160M', backing]);
    await sh('mkfs.ext4', ['-q', backing]);
    await sh('mount', ['-o', 'loop', backing, mountPoint]);
    try {
      const filler = join(mountPoint, 'filler');
      const free = await statfs(mountPoint).then((stats) => stats.bavail * stats.bsize);
      // Leave ~25 MB: less than the 40 MB layer.
      await sh('fallocate', ['-l', String(free - 25 * 1024 * 1024), filler]);
      const engine = await startEngineProcess({ dataRoot: join(mountPoint, 'root') });
      try {
        const reference = `${registry.host}/faults/payload:v1`;
        const failed = await docker(engine.socketPath, ['pull', reference]);
        assert.notEqual(failed.exitCode, 0);
        assert.match(failed.stderr, /no space left on device/);
        assert.ok(await ping(engine.socketPath), 'the engine is still up');
        assert.equal((await docker(engine.socketPath, ['images', '-q'])).exitCode, 0, 'metadata is readable');
        await rm(filler);
        const retried = await docker(engine.socketPath, ['pull', reference]);
        assert.equal(retried.exitCode, 0, retried.stderr);
        const id = await docker(engine.socketPath, ['image', 'inspect', '--format', '{{.Id}}', reference]);
        assert.equal(id.stdout.trim(), image.configDigest);
      } finally {
        await engine.stop();
      }
    } finally {
      await sh('umount', [mountPoint]).catch(() => sh('umount', ['-l', mountPoint]));
    }
  });
});

// commit, diff, export, save/load, import with the real docker CLI (and skopeo for other tools'
// archives) against the engine and a real docker-registry.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import tarStream from 'tar-stream';
import { docker } from '../testing/docker-cli.js';
import { startEngineProcess, type EngineProcess } from '../testing/engine-process.js';
import { startTestRegistry, type TestRegistry } from '../testing/test-registry.js';
import { buildRawTar, buildTestImage, pushTestImage, toRawEntries, type TestImage } from '../testing/test-images.js';

let engine: EngineProcess;
let registry: TestRegistry;
let busyboxImage: TestImage;
let busybox: string;
let scratch: string;

before(async () => {
  registry = await startTestRegistry();
  busyboxImage = await buildTestImage({ created: '2024-01-01T00:00:00Z' });
  await pushTestImage(registry.host, 'busybox', 'latest', busyboxImage);
  busybox = `${registry.host}/busybox:latest`;
  engine = await startEngineProcess();
  scratch = await mkdtemp(join(tmpdir(), 'berth-archive-test-'));
});

after(async () => {
  await engine?.stop();
  await registry?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const run = async (args: string[], socket = engine.socketPath) => docker(socket, args);
const ok = async (args: string[], socket = engine.socketPath): Promise<string> => {
  const result = await run(args, socket);
  assert.equal(result.exitCode, 0, `docker ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
};

/** Names of the entries of a tar file. */
async function tarNames(data: Buffer): Promise<string[]> {
  const names: string[] = [];
  const extract = tarStream.extract();
  const done = (async () => {
    for await (const entry of extract) {
      names.push(entry.header.name);
      entry.resume();
    }
  })();
  extract.end(data);
  await done;
  return names;
}

function tool(command: string, args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stderr }));
  });
}

describe('commit, diff, export', () => {
  let container: string;

  before(async () => {
    await ok(['pull', busybox]);
    container = (
      await ok([
        'run',
        '-d',
        busybox,
        'sh',
        '-c',
        'echo new > /new.txt; rm /etc/group; mkdir -p /srv/app && echo x > /srv/app/y; sleep 300',
      ])
    ).trim();
    // Wait until the command has made its changes.
    for (let i = 0; i < 100; i++) {
      const diff = await ok(['diff', container]);
      if (diff.includes('/srv/app/y')) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  after(async () => {
    await run(['rm', '-f', container]);
  });

  test('docker diff lists added, changed and deleted paths', async () => {
    const lines = (await ok(['diff', container])).trim().split('\n');
    assert.deepEqual(lines, ['C /etc', 'D /etc/group', 'A /new.txt', 'A /srv', 'A /srv/app', 'A /srv/app/y']);
  });

  test('docker commit (paused) with changes makes an image that runs with them', async () => {
    const id = (
      await ok([
        'commit',
        '-c',
        'CMD ["cat", "/new.txt"]',
        '-c',
        'ENV GREETING="hello world" OTHER=1',
        '-c',
        'EXPOSE 8080',
        '-c',
        'LABEL stage=committed',
        '-c',
        'WORKDIR /srv/app',
        '-m',
        'my message',
        '-a',
        'me <me@example.com>',
        container,
        'committed/app:v1',
      ])
    ).trim();
    assert.match(id, /^sha256:[a-f0-9]{64}$/);
    assert.equal((await ok(['inspect', '--format', '{{.State.Status}}', container])).trim(), 'running', 'unpaused after commit');
    const inspect = JSON.parse(await ok(['image', 'inspect', 'committed/app:v1'])) as {
      Id: string;
      Author: string;
      Comment: string;
      Container: string;
      Config: {
        Cmd: string[];
        Env: string[];
        ExposedPorts: Record<string, object>;
        Labels: Record<string, string>;
        WorkingDir: string;
      };
      RootFS: { Layers: string[] };
    }[];
    const image = inspect[0];
    assert.ok(image);
    assert.equal(image.Id, id);
    assert.equal(image.Author, 'me <me@example.com>');
    assert.equal(image.Comment, 'my message');
    assert.equal(image.Container, (await ok(['inspect', '--format', '{{.Id}}', container])).trim());
    assert.deepEqual(image.Config.Cmd, ['cat', '/new.txt']);
    assert.ok(image.Config.Env.includes('GREETING=hello world'));
    assert.ok(image.Config.Env.includes('OTHER=1'));
    assert.deepEqual(image.Config.ExposedPorts, { '8080/tcp': {} });
    assert.deepEqual(image.Config.Labels, { stage: 'committed' });
    assert.equal(image.Config.WorkingDir, '/srv/app');
    assert.equal(image.RootFS.Layers.length, 2);
    assert.equal((await ok(['run', '--rm', 'committed/app:v1'])).trim(), 'new');
    const deleted = await run(['run', '--rm', 'committed/app:v1', 'cat', '/etc/group']);
    assert.notEqual(deleted.exitCode, 0, 'the whiteout hides /etc/group');
    assert.equal((await ok(['run', '--rm', 'committed/app:v1', 'pwd'])).trim(), '/srv/app');
    const history = (await ok(['history', '--format', '{{.Comment}}', 'committed/app:v1'])).trim().split('\n');
    assert.equal(history[0], 'my message');
  });

  test('a committed image pushes and pulls back identical', async () => {
    const target = `${registry.host}/committed/app:v1`;
    await ok(['tag', 'committed/app:v1', target]);
    await ok(['push', target]);
    const id = (await ok(['image', 'inspect', '--format', '{{.Id}}', target])).trim();
    await ok(['rmi', target, 'committed/app:v1']);
    await ok(['pull', target]);
    assert.equal((await ok(['image', 'inspect', '--format', '{{.Id}}', target])).trim(), id);
    assert.equal((await ok(['run', '--rm', target])).trim(), 'new');
  });

  test('commit without changes adds an empty_layer history entry and no layer', async () => {
    const idle = (await ok(['create', busybox, 'true'])).trim();
    try {
      await ok(['commit', idle, 'committed/empty']);
      const layers = JSON.parse(
        await ok(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', 'committed/empty']),
      ) as string[];
      assert.deepEqual(layers, [busyboxImage.layers[0]?.diffId]);
    } finally {
      await run(['rm', '-f', idle]);
    }
  });

  test("an invalid change is refused with dockerd's wording", async () => {
    const result = await run(['commit', '-c', 'FROM scratch', container, 'committed/bad']);
    assert.notEqual(result.exitCode, 0);
    assert.match(result.stderr, /from is not a valid change command/);
  });

  test('docker export of a running and of a stopped container streams the merged rootfs', async () => {
    const running = await tarNames(await exportTar(container));
    assert.ok(running.includes('new.txt'));
    assert.ok(running.includes('bin/busybox'));
    assert.ok(!running.includes('etc/group'));
    const stopped = (await ok(['create', busybox, 'true'])).trim();
    try {
      const names = await tarNames(await exportTar(stopped));
      assert.ok(names.includes('etc/group'));
      assert.ok(names.includes('bin/busybox'));
      // The view is unmounted once the stream closes, which may be just after the CLI has the last byte.
      let mounted = true;
      for (let i = 0; i < 100 && mounted; i++) {
        mounted = (await readFile('/proc/self/mountinfo', 'utf8')).includes(`${stopped}/export-`);
        if (mounted) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.equal(mounted, false, 'the read-only view is unmounted after the export');
    } finally {
      await run(['rm', '-f', stopped]);
    }
  });
});

async function exportTar(container: string): Promise<Buffer> {
  const file = join(scratch, `export-${container}.tar`);
  await ok(['export', '-o', file, container]);
  return readFile(file);
}

describe('save, load, import', () => {
  test('docker save of several images and tags, then load on a fresh engine', async () => {
    await ok(['pull', busybox]);
    await ok(['tag', busybox, 'saved/one:a']);
    await ok(['tag', busybox, 'saved/one:b']);
    const other = await buildTestImage({
      created: '2024-02-02T00:00:00Z',
      extraLayers: [[{ type: 'file', path: 'other.txt', content: 'other image\n' }]],
    });
    await pushTestImage(registry.host, 'other', 'v1', other);
    await ok(['pull', `${registry.host}/other:v1`]);
    const file = join(scratch, 'saved.tar');
    await ok(['save', '-o', file, 'saved/one', `${registry.host}/other:v1`]);
    const data = await readFile(file);
    const names = await tarNames(data);
    assert.ok(names.includes('manifest.json'));
    assert.ok(names.includes('repositories'));
    assert.ok(names.includes(`${busyboxImage.configDigest.slice(7)}.json`));
    assert.equal(names.filter((name) => name.endsWith('/layer.tar')).length, 2, 'the shared busybox layer is stored once');

    const fresh = await startEngineProcess();
    try {
      const loaded = await ok(['load', '-i', file], fresh.socketPath);
      assert.deepEqual(loaded.trim().split('\n').sort(), [
        `Loaded image: ${registry.host}/other:v1`,
        'Loaded image: saved/one:a',
        'Loaded image: saved/one:b',
      ]);
      assert.equal(
        (await ok(['image', 'inspect', '--format', '{{.Id}}', 'saved/one:a'], fresh.socketPath)).trim(),
        busyboxImage.configDigest,
      );
      assert.equal(
        (await ok(['run', '--rm', `${registry.host}/other:v1`, 'cat', '/other.txt'], fresh.socketPath)).trim(),
        'other image',
      );
      // Loaded layers are stored compressed: the image pushes.
      await ok(['tag', 'saved/one:a', `${registry.host}/reloaded:v1`], fresh.socketPath);
      const pushed = await ok(['push', `${registry.host}/reloaded:v1`], fresh.socketPath);
      assert.match(pushed, /digest: sha256:/);
    } finally {
      await fresh.stop();
    }
  });

  test('docker load reads archives written by skopeo (docker-archive and oci-archive)', async () => {
    const dockerArchive = join(scratch, 'skopeo-docker.tar');
    const ociArchive = join(scratch, 'skopeo-oci.tar');
    for (const target of [`docker-archive:${dockerArchive}:skopeo/docker:v1`, `oci-archive:${ociArchive}:skopeo/oci:v1`]) {
      const result = await tool('skopeo', ['copy', '--src-tls-verify=false', `docker://${registry.host}/busybox:latest`, target]);
      assert.equal(result.code, 0, result.stderr);
    }
    const fresh = await startEngineProcess();
    try {
      assert.equal((await ok(['load', '-i', dockerArchive], fresh.socketPath)).trim(), 'Loaded image: skopeo/docker:v1');
      assert.equal((await ok(['load', '-i', ociArchive], fresh.socketPath)).trim(), 'Loaded image: skopeo/oci:v1');
      // skopeo keeps the config bytes in a docker-archive but rewrites them as an OCI config (a new ID).
      assert.equal(
        (await ok(['image', 'inspect', '--format', '{{.Id}}', 'skopeo/docker:v1'], fresh.socketPath)).trim(),
        busyboxImage.configDigest,
      );
      for (const name of ['skopeo/docker:v1', 'skopeo/oci:v1']) {
        const layers = JSON.parse(
          await ok(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', name], fresh.socketPath),
        ) as string[];
        assert.deepEqual(layers, [busyboxImage.layers[0]?.diffId]);
        assert.equal((await ok(['run', '--rm', name, 'echo', 'ran'], fresh.socketPath)).trim(), 'ran');
      }
    } finally {
      await fresh.stop();
    }
  });

  test('a layer that does not match its diff ID is refused and nothing is tagged', async () => {
    const file = join(scratch, 'saved-bad.tar');
    await ok(['save', '-o', file, busybox]);
    const entries: { header: tarStream.Header; data: Buffer }[] = [];
    const extract = tarStream.extract();
    const reading = (async () => {
      for await (const entry of extract) {
        const chunks: Buffer[] = [];
        for await (const chunk of entry) chunks.push(chunk as Buffer);
        entries.push({ header: entry.header, data: Buffer.concat(chunks) });
      }
    })();
    extract.end(await readFile(file));
    await reading;
    const altered = await buildRawTar(
      entries.map(({ header, data }) => {
        if (!header.name.endsWith('layer.tar')) return { header, content: data };
        const flipped = Buffer.from(data);
        const at = Math.floor(flipped.length / 2);
        flipped[at] = (flipped[at] ?? 0) ^ 0xff;
        return { header, content: flipped };
      }),
    );
    const bad = join(scratch, 'bad.tar');
    await writeFile(bad, altered);
    const fresh = await startEngineProcess();
    try {
      const result = await run(['load', '-i', bad], fresh.socketPath);
      assert.notEqual(result.exitCode, 0);
      assert.match(result.stderr, new RegExp(`expected diff ID ${busyboxImage.layers[0]?.diffId}`));
      assert.equal((await ok(['images', '-q'], fresh.socketPath)).trim(), '');
    } finally {
      await fresh.stop();
    }
  });

  test('docker import of a plain and a gzip tar, with changes and a message', async () => {
    const rootfs = await buildRawTar(
      toRawEntries([
        { type: 'dir', path: 'bin' },
        { type: 'file', path: 'bin/busybox', content: await readFile('/bin/busybox'), mode: 0o755 },
        { type: 'symlink', path: 'bin/sh', target: 'busybox' },
        { type: 'symlink', path: 'bin/cat', target: 'busybox' },
        { type: 'file', path: 'hello.txt', content: 'imported\n' },
      ]),
    );
    const plain = join(scratch, 'rootfs.tar');
    const gzipped = join(scratch, 'rootfs.tar.gz');
    await writeFile(plain, rootfs);
    await writeFile(gzipped, gzipSync(rootfs));
    const id = (
      await ok(['import', '-c', 'CMD ["/bin/cat", "/hello.txt"]', '-m', 'from a tarball', plain, 'imported/plain:v1'])
    ).trim();
    assert.match(id, /^sha256:[a-f0-9]{64}$/);
    assert.equal((await ok(['run', '--rm', 'imported/plain:v1'])).trim(), 'imported');
    const history = (await ok(['history', '--format', '{{.Comment}}', 'imported/plain:v1'])).trim();
    assert.equal(history, 'from a tarball');
    await ok(['import', gzipped, 'imported/gzip:v1']);
    const layers = async (name: string) => ok(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', name]);
    assert.equal(await layers('imported/gzip:v1'), await layers('imported/plain:v1'), 'same diff ID either way');
  });
});

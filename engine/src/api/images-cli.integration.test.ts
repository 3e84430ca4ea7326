// The image commands of the real docker CLI against the engine and a real docker-registry: tag, rmi
// (with its conflicts), history, list filters, prune, system df, and push (HEAD, mount, upload).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { docker } from '../testing/docker-cli.js';
import { apiRequest, startEngineProcess, type EngineProcess } from '../testing/engine-process.js';
import { startTestRegistry, type TestRegistry } from '../testing/test-registry.js';
import { buildTestImage, pushTestImage, type TestImage } from '../testing/test-images.js';

let engine: EngineProcess;
let registry: TestRegistry;
let other: TestRegistry;
let busyboxImage: TestImage;
let labeledImage: TestImage;
let busybox: string;
let labeled: string;

before(async () => {
  [registry, other] = await Promise.all([startTestRegistry(), startTestRegistry()]);
  busyboxImage = await buildTestImage({ created: '2024-01-01T00:00:00Z' });
  labeledImage = await buildTestImage({
    created: '2024-02-01T00:00:00Z',
    config: { Labels: { tier: 'backend', team: 'images' } },
    extraLayers: [[{ type: 'file', path: 'srv/app.txt', content: 'hello from the app layer\n' }]],
  });
  await pushTestImage(registry.host, 'busybox', 'latest', busyboxImage);
  await pushTestImage(registry.host, 'team/labeled', 'v1', labeledImage);
  busybox = `${registry.host}/busybox:latest`;
  labeled = `${registry.host}/team/labeled:v1`;
  engine = await startEngineProcess();
});

after(async () => {
  await engine?.stop();
  await Promise.all([registry?.stop(), other?.stop()]);
});

const run = async (args: string[]) => docker(engine.socketPath, args);
const ok = async (args: string[]): Promise<string> => {
  const result = await run(args);
  assert.equal(result.exitCode, 0, `docker ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
};
const names = async (filter?: string): Promise<string[]> =>
  (await ok(['images', ...(filter ? ['--filter', filter] : []), '--format', '{{.Repository}}:{{.Tag}}']))
    .split('\n')
    .filter(Boolean)
    .sort();

describe('tag, history, inspect', () => {
  test('docker tag adds a name (201) that inspect and images show', async () => {
    await ok(['pull', busybox]);
    await ok(['tag', busybox, 'local/box:v2']);
    const raw = await apiRequest(engine.socketPath, 'POST', `/v1.41/images/${busybox}/tag?repo=local/box&tag=v3`);
    assert.equal(raw.status, 201);
    const tags = JSON.parse(await ok(['image', 'inspect', '--format', '{{json .RepoTags}}', 'local/box:v2'])) as string[];
    assert.deepEqual([...tags].sort(), [busybox, 'local/box:v2', 'local/box:v3'].sort());
    const missing = await run(['tag', 'nothing:here', 'x:y']);
    assert.notEqual(missing.exitCode, 0);
    assert.match(missing.stderr, /No such image: nothing:here/);
  });

  test('docker history lists config history newest first, <missing> below the top', async () => {
    await ok(['pull', labeled]);
    const lines = (await ok(['history', '--no-trunc', '--format', '{{.ID}}|{{.CreatedBy}}', labeled])).trim().split('\n');
    assert.equal(lines.length, 2);
    assert.equal(lines[0], `${labeledImage.configDigest}|berth test-images`);
    assert.equal(lines[1], '<missing>|berth test-images');
    const raw = JSON.parse((await apiRequest(engine.socketPath, 'GET', `/v1.41/images/${labeled}/history`)).body) as {
      Id: string;
      Size: number;
      Tags: string[] | null;
      Created: number;
    }[];
    assert.deepEqual(raw[0]?.Tags, [labeled]);
    assert.equal(raw[1]?.Tags, null);
    assert.equal(raw[0]?.Size, 'hello from the app layer\n'.length);
    assert.ok((raw[1]?.Size ?? 0) > 100_000, 'the busybox layer has its unpacked size');
    assert.equal(raw[0]?.Created, Date.parse('2024-02-01T00:00:00Z') / 1000);
  });
});

describe('image list filters', () => {
  test('label, reference, before/since and dangling', async () => {
    assert.deepEqual(await names('label=tier=backend'), [labeled]);
    assert.deepEqual(await names('label=tier'), [labeled]);
    assert.deepEqual(await names('label=tier=frontend'), []);
    assert.deepEqual(await names('reference=local/*'), ['local/box:v2', 'local/box:v3']);
    assert.deepEqual(await names('reference=*/box:v2'), ['local/box:v2']);
    // As Go's path.Match, `*` does not cross a slash.
    assert.deepEqual(await names('reference=*:v2'), []);
    assert.deepEqual(await names(`before=${labeled}`), [busybox, 'local/box:v2', 'local/box:v3'].sort());
    assert.deepEqual(await names(`since=${busybox}`), [labeled]);
    assert.deepEqual(await names('dangling=true'), []);
    const bad = await run(['images', '--filter', 'color=red']);
    assert.notEqual(bad.exitCode, 0);
    assert.match(bad.stderr, /invalid filter 'color'/);
  });
});

describe('rmi and prune', () => {
  test('rmi of one of several tags only untags', async () => {
    const out = await ok(['rmi', 'local/box:v3']);
    assert.equal(out.trim(), 'Untagged: local/box:v3');
    assert.deepEqual(await names('reference=local/*'), ['local/box:v2']);
  });

  test('a container blocks rmi of its last name (409) unless forced; forced removal keeps its layer', async () => {
    await ok(['tag', labeled, 'solo:v1']);
    await ok(['rmi', labeled]);
    const created = (await ok(['create', 'solo:v1', 'true'])).trim();
    try {
      const refused = await run(['rmi', 'solo:v1']);
      assert.notEqual(refused.exitCode, 0);
      assert.match(
        refused.stderr,
        new RegExp(
          `conflict: unable to remove repository reference "solo:v1" \\(must force\\) - container ${created.slice(0, 12)} is using its referenced image ${labeledImage.configDigest.slice(7, 19)}`,
        ),
      );
      const byId = await run(['rmi', labeledImage.configDigest.slice(7, 19)]);
      assert.notEqual(byId.exitCode, 0);
      assert.match(byId.stderr, /image is being used by stopped container/);
      const forced = await ok(['rmi', '-f', 'solo:v1']);
      assert.match(forced, /Untagged: solo:v1/);
      assert.match(forced, new RegExp(`Deleted: ${labeledImage.configDigest}`));
      // The container's own layer still sits on the image's top layer, so it survives.
      assert.equal((await run(['start', '-a', created])).exitCode, 0);
    } finally {
      await run(['rm', '-f', created]);
    }
  });

  test('a re-tagged pull leaves a dangling image that image prune removes, with its layers', async () => {
    const repo = `${registry.host}/moving`;
    const first = await buildTestImage({
      created: '2024-03-01T00:00:00Z',
      busybox: false,
      extraLayers: [[{ type: 'file', path: 'a', content: 'first' }]],
    });
    const second = await buildTestImage({
      created: '2024-03-02T00:00:00Z',
      busybox: false,
      extraLayers: [[{ type: 'file', path: 'a', content: 'second' }]],
    });
    await pushTestImage(registry.host, 'moving', 'v1', first);
    await ok(['pull', `${repo}:v1`]);
    await pushTestImage(registry.host, 'moving', 'v1', second);
    await ok(['pull', `${repo}:v1`]);
    const dangling = (await ok(['images', '--filter', 'dangling=true', '--format', '{{.ID}} {{.Tag}}'])).trim();
    assert.equal(dangling, `${first.configDigest.slice(7, 19)} <none>`);
    const pruned = await ok(['image', 'prune', '-f']);
    assert.match(pruned, new RegExp(`deleted: ${first.configDigest}`));
    assert.match(pruned, new RegExp(`deleted: ${first.layers[0]?.diffId}`));
    assert.match(pruned, /Total reclaimed space: 5B/);
    assert.equal((await ok(['images', '--filter', 'dangling=true', '-q'])).trim(), '');
    const inspect = await run(['image', 'inspect', first.configDigest]);
    assert.notEqual(inspect.exitCode, 0);
    assert.equal((await ok(['image', 'inspect', '--format', '{{.Id}}', `${repo}:v1`])).trim(), second.configDigest);
    await ok(['rmi', `${repo}:v1`]);
  });

  test('system df reports images, sizes and containers', async () => {
    const out = await ok(['system', 'df']);
    assert.match(out, /^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE/m);
    assert.match(out, /^Images\s+1\s+0\s/m);
    const raw = JSON.parse((await apiRequest(engine.socketPath, 'GET', '/v1.41/system/df')).body) as {
      LayersSize: number;
      Images: { Id: string; Containers: number; SharedSize: number; Size: number }[];
      Containers: unknown[];
      Volumes: unknown[];
      BuildCache: unknown[] | null;
    };
    assert.equal(raw.Images.length, 1);
    assert.equal(raw.Images[0]?.Id, busyboxImage.configDigest);
    assert.equal(raw.Images[0]?.Containers, 0);
    assert.equal(raw.LayersSize, raw.Images[0]?.Size);
    assert.deepEqual(raw.Volumes, []);
    // No builder has run: null, as dockerd answers.
    assert.equal(raw.BuildCache, null);
  });

  test('image prune -a removes every unused image; rmi of an unknown name is a 404', async () => {
    await ok(['pull', labeled]);
    const container = (await ok(['create', labeled, 'true'])).trim();
    try {
      const pruned = await ok(['image', 'prune', '-a', '-f']);
      assert.match(pruned, new RegExp(`deleted: ${busyboxImage.configDigest}`));
      assert.doesNotMatch(pruned, new RegExp(labeledImage.configDigest));
      assert.deepEqual(await names(), [labeled]);
    } finally {
      await run(['rm', '-f', container]);
    }
    await ok(['rmi', labeled]);
    const missing = await apiRequest(engine.socketPath, 'DELETE', '/v1.41/images/nothing:here');
    assert.equal(missing.status, 404);
    assert.equal(JSON.parse(missing.body).message, 'No such image: nothing:here');
    assert.deepEqual(await names(), []);
  });
});

describe('push', () => {
  test('push mounts from the repository it was pulled from, then reports the layer as existing', async () => {
    await ok(['pull', busybox]);
    const target = `${registry.host}/pushed/box:v1`;
    await ok(['tag', busybox, target]);
    const first = await ok(['push', target]);
    assert.match(first, new RegExp(`The push refers to repository \\[${registry.host}/pushed/box\\]`));
    assert.match(first, /Mounted from busybox/);
    assert.match(first, new RegExp(`v1: digest: ${busyboxImage.manifestDigest} size: ${busyboxImage.manifest.length}`));
    const again = await ok(['push', target]);
    assert.match(again, /Layer already exists/);
    const digests = JSON.parse(await ok(['image', 'inspect', '--format', '{{json .RepoDigests}}', target])) as string[];
    assert.ok(digests.includes(`${registry.host}/pushed/box@${busyboxImage.manifestDigest}`));
  });

  test('push uploads to a registry that has nothing, and the image pulls back identical', async () => {
    const target = `${other.host}/copy:v7`;
    await ok(['tag', busybox, target]);
    const out = await ok(['push', target]);
    assert.match(out, new RegExp(`${busyboxImage.layers[0]?.diffId.slice(7, 19)}: Pushed`));
    const head = await request(`${other.url}/v2/copy/manifests/v7`, {
      method: 'HEAD',
      headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
    });
    await head.body.dump();
    assert.equal(head.headers['docker-content-digest'], busyboxImage.manifestDigest);
    await ok(['rmi', '-f', busyboxImage.configDigest]);
    await ok(['pull', target]);
    assert.equal((await ok(['image', 'inspect', '--format', '{{.Id}}', target])).trim(), busyboxImage.configDigest);
  });

  test('pushing a tag that does not exist is a plain error', async () => {
    const result = await run(['push', `${registry.host}/never:v1`]);
    assert.notEqual(result.exitCode, 0);
    assert.match(result.stderr, /does not exist locally with the tag|tag does not exist/);
  });
});

// `docker ps` through the real docker CLI: the list is served from cached item texts, so every
// change of a record must show at once; the health filter asks the health monitor. Needs root
// (runc, conmon, overlayfs) and /usr/local/bin/docker.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { docker, removeAllContainers } from '../../testing/docker-cli.js';
import { apiRequest, startEngineProcess, type EngineProcess } from '../../testing/engine-process.js';
import { startTestRegistry, type TestRegistry } from '../../testing/test-registry.js';
import { buildTestImage, pushTestImage } from '../../testing/test-images.js';

let engine: EngineProcess;
let registry: TestRegistry;
let busybox: string;

const run = (args: string[]) => docker(engine.socketPath, args);

async function ok(args: string[]): Promise<string> {
  const result = await run(args);
  assert.equal(result.exitCode, 0, `docker ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** `docker ps` rows as `name status` lines, newest first, for the containers of one test (by label). */
async function rows(label: string, ...flags: string[]): Promise<string[]> {
  const output = await ok(['ps', ...flags, '--filter', `label=${label}`, '--format', '{{.Names}} {{.State}}']);
  return output === '' ? [] : output.split('\n');
}

before(async () => {
  registry = await startTestRegistry();
  await pushTestImage(registry.host, 'busybox', 'latest', await buildTestImage());
  busybox = `${registry.host}/busybox:latest`;
  engine = await startEngineProcess();
  await ok(['pull', '-q', busybox]);
});

after(async () => {
  if (engine !== undefined) {
    await removeAllContainers(engine.socketPath);
    await engine.stop();
    await rm(engine.dataRoot, { recursive: true, force: true });
  }
  await registry?.stop();
});

describe('docker ps', () => {
  test('concurrent creates without a name all get a distinct generated name', async () => {
    // The name pool has about 2000 names: before names were reserved, two creates in flight picked the same one
    // (and one failed with a conflict) in almost every burst of this size.
    const body = JSON.stringify({ Image: busybox, Cmd: ['true'], Labels: { set: 'burst' } });
    const responses = await Promise.all(
      Array.from({ length: 150 }, () => apiRequest(engine.socketPath, 'POST', '/v1.41/containers/create', body)),
    );
    for (const response of responses) assert.equal(response.status, 201, response.body);
    const names = await rows('set=burst', '-a');
    assert.equal(new Set(names).size, 150);
    const ids = responses.map((response) => (JSON.parse(response.body) as { Id: string }).Id);
    await ok(['rm', ...ids]);
  });

  test('newest first, and every start, stop, rename and removal shows at once', async () => {
    for (const name of ['l-a', 'l-b', 'l-c'])
      await ok(['create', '--name', name, '--label', 'set=life', busybox, 'sleep', '1000']);
    assert.deepEqual(await rows('set=life', '-a'), ['l-c created', 'l-b created', 'l-a created']);
    assert.deepEqual(await rows('set=life'), []);
    assert.deepEqual(await rows('set=life', '-a', '-n', '2'), ['l-c created', 'l-b created']);

    await ok(['start', 'l-b']);
    assert.deepEqual(await rows('set=life'), ['l-b running']);
    assert.match(await ok(['ps', '--filter', 'name=l-b', '--format', '{{.Status}}']), /^Up /);

    await ok(['rename', 'l-b', 'l-renamed']);
    assert.deepEqual(await rows('set=life', '-a'), ['l-c created', 'l-renamed running', 'l-a created']);

    await ok(['pause', 'l-renamed']);
    assert.match(await ok(['ps', '--filter', 'name=l-renamed', '--format', '{{.Status}}']), /\(Paused\)$/);
    await ok(['unpause', 'l-renamed']);

    await ok(['stop', '-t', '0', 'l-renamed']);
    assert.deepEqual(await rows('set=life'), []);
    assert.deepEqual(await rows('set=life', '-a', '--filter', 'status=exited'), ['l-renamed exited']);
    assert.match(await ok(['ps', '-a', '--filter', 'name=l-renamed', '--format', '{{.Status}}']), /^Exited \(137\) /);

    await ok(['rm', 'l-c']);
    assert.deepEqual(await rows('set=life', '-a'), ['l-renamed exited', 'l-a created']);

    // The raw list equals what inspect says, field by field that ps shows.
    const item = JSON.parse(await ok(['ps', '-a', '--no-trunc', '--filter', 'name=l-renamed', '--format', '{{json .}}'])) as {
      ID: string;
      Names: string;
      State: string;
      Labels: string;
    };
    assert.equal(item.ID, await ok(['inspect', '-f', '{{.Id}}', 'l-renamed']));
    assert.equal(item.Names, 'l-renamed');
    assert.equal(item.Labels, 'set=life');

    const sized = await ok(['ps', '-a', '-s', '--filter', 'label=set=life', '--format', '{{.Names}} {{.Size}}']);
    assert.match(sized, /^l-renamed \S+ \(virtual \d.*\)\nl-a 0B \(virtual \d.*\)$/);
    await ok(['rm', 'l-renamed', 'l-a']);
    assert.deepEqual(await rows('set=life', '-a'), []);
  });

  test('health filter: healthy, unhealthy, starting and none', async () => {
    const probe = (name: string, command: string, interval: string): Promise<string> =>
      ok([
        'run',
        '-d',
        '--name',
        name,
        '--label',
        'set=health',
        '--health-cmd',
        command,
        '--health-interval',
        interval,
        '--health-retries',
        '1',
        busybox,
        'sleep',
        '1000',
      ]);
    await probe('h-ok', 'true', '1s');
    await probe('h-bad', 'false', '1s');
    await probe('h-slow', 'true', '1h');
    await ok(['run', '-d', '--name', 'h-none', '--label', 'set=health', busybox, 'sleep', '1000']);
    const matching = async (state: string): Promise<string> =>
      (await rows('set=health', '--filter', `health=${state}`))
        .map((row) => row.split(' ')[0])
        .sort()
        .join(',');
    await waitFor('h-ok healthy and h-bad unhealthy', async () => {
      const [healthy, unhealthy] = await Promise.all([matching('healthy'), matching('unhealthy')]);
      return healthy === 'h-ok' && unhealthy === 'h-bad';
    });
    assert.equal(await matching('starting'), 'h-slow');
    assert.equal(await matching('none'), 'h-none');
    assert.equal(await ok(['inspect', '-f', '{{.State.Health.Status}}', 'h-ok']), 'healthy');
    const bad = await run(['ps', '--filter', 'health=great']);
    assert.notEqual(bad.exitCode, 0);
    assert.match(bad.stderr, /invalid filter 'health=great'/);
    await ok(['rm', '-f', 'h-ok', 'h-bad', 'h-slow', 'h-none']);
  });
});

// Healthchecks run through exec against real containers, seen through the docker CLI; they
// resume after an engine crash. Needs root and /usr/local/bin/docker.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { docker } from '../../testing/docker-cli.js';
import { startEngineProcess, type EngineProcess } from '../../testing/engine-process.js';
import { startTestRegistry, type TestRegistry } from '../../testing/test-registry.js';
import { buildTestImage, pushTestImage } from '../../testing/test-images.js';

let engine: EngineProcess;
let registry: TestRegistry;
let busybox: string;
let checked: string;

const run = (args: string[]) => docker(engine.socketPath, args);

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const healthOf = async (
  name: string,
): Promise<{ Status: string; FailingStreak: number; Log: { ExitCode: number; Output: string }[] }> =>
  JSON.parse((await run(['inspect', '-f', '{{json .State.Health}}', name])).stdout) as never;

const statusColumn = async (name: string): Promise<string> => {
  const rows = (await run(['ps', '--format', '{{.Names}}\t{{.Status}}'])).stdout.split('\n');
  return rows.find((row) => row.startsWith(`${name}\t`))?.slice(name.length + 1) ?? '';
};

before(async () => {
  registry = await startTestRegistry();
  await pushTestImage(registry.host, 'busybox', 'latest', await buildTestImage());
  await pushTestImage(
    registry.host,
    'checked',
    'v1',
    await buildTestImage({
      config: {
        Cmd: ['sleep', '1000'],
        Healthcheck: { Test: ['CMD-SHELL', 'echo probing; test -f /tmp/ok'], Interval: 200_000_000, Retries: 2 },
      },
    }),
  );
  busybox = `${registry.host}/busybox`;
  checked = `${registry.host}/checked:v1`;
  engine = await startEngineProcess();
  assert.equal((await run(['pull', '-q', busybox])).exitCode, 0);
  assert.equal((await run(['pull', '-q', checked])).exitCode, 0);
});

after(async () => {
  if (engine !== undefined) {
    await run(['rm', '-f', 'hc', 'fromimage', 'nocheck', 'slow', 'merged']);
    await engine.stop();
    await rm(engine.dataRoot, { recursive: true, force: true });
  }
  await registry?.stop();
});

describe('healthchecks', () => {
  test('starting, unhealthy after the retries, healthy once the probe passes; events and docker ps', async () => {
    const events = docker(engine.socketPath, ['events', '--filter', 'container=hc', '--format', '{{.Action}}'], {
      timeoutMs: 8000,
    });
    const started = await run([
      'run',
      '-d',
      '--name',
      'hc',
      '--health-cmd',
      'test -f /tmp/ok',
      '--health-interval',
      '200ms',
      '--health-retries',
      '2',
      busybox,
      'sleep',
      '1000',
    ]);
    assert.equal(started.exitCode, 0, started.stderr);
    assert.match(await statusColumn('hc'), /^Up .* \(health: starting\)$/);
    await waitFor('unhealthy', async () => (await healthOf('hc')).Status === 'unhealthy');
    assert.match(await statusColumn('hc'), /\(unhealthy\)$/);
    assert.equal((await run(['exec', 'hc', 'touch', '/tmp/ok'])).exitCode, 0);
    await waitFor('healthy', async () => (await healthOf('hc')).Status === 'healthy');
    assert.match(await statusColumn('hc'), /\(healthy\)$/);
    const health = await healthOf('hc');
    assert.equal(health.FailingStreak, 0);
    assert.ok(health.Log.length <= 5);
    assert.equal(health.Log.at(-1)?.ExitCode, 0);
    assert.equal((await run(['stop', '-t', '0', 'hc'])).exitCode, 0);
    const actions = (await events).stdout.split('\n');
    assert.ok(actions.includes('health_status: unhealthy'), actions.join(','));
    assert.ok(actions.includes('health_status: healthy'), actions.join(','));
  });

  test('from the image config, --no-healthcheck, and a timeout', async () => {
    assert.equal((await run(['run', '-d', '--name', 'fromimage', checked])).exitCode, 0);
    assert.equal((await run(['run', '-d', '--name', 'nocheck', '--no-healthcheck', checked])).exitCode, 0);
    assert.equal(
      (
        await run([
          'run',
          '-d',
          '--name',
          'slow',
          '--health-cmd',
          'sleep 5',
          '--health-timeout',
          '300ms',
          '--health-interval',
          '200ms',
          busybox,
          'sleep',
          '1000',
        ])
      ).exitCode,
      0,
    );
    await waitFor('image healthcheck unhealthy', async () => (await healthOf('fromimage')).Status === 'unhealthy');
    assert.equal((await healthOf('fromimage')).Log.at(-1)?.Output, 'probing\n');
    await waitFor('timeout recorded', async () => (await healthOf('slow')).Log.length > 0);
    assert.deepEqual((await healthOf('slow')).Log[0], {
      ...(await healthOf('slow')).Log[0],
      ExitCode: -1,
      Output: 'Health check exceeded timeout (300ms)',
    });
    assert.equal((await run(['inspect', '-f', '{{json .State.Health}}', 'nocheck'])).stdout.trim(), 'null');
    assert.doesNotMatch(await statusColumn('nocheck'), /health/);
  });

  test('--health-* flags merge field by field with the image healthcheck', async () => {
    assert.equal((await run(['run', '-d', '--name', 'merged', '--health-interval', '150ms', checked])).exitCode, 0);
    const healthcheck = JSON.parse((await run(['inspect', '-f', '{{json .Config.Healthcheck}}', 'merged'])).stdout) as Record<
      string,
      unknown
    >;
    // The image's test and retries, the flag's interval (as dockerd merges them).
    assert.deepEqual(healthcheck['Test'], ['CMD-SHELL', 'echo probing; test -f /tmp/ok']);
    assert.equal(healthcheck['Interval'], 150_000_000);
    assert.equal(healthcheck['Retries'], 2);
    await waitFor('the image probe ran', async () => (await healthOf('merged')).Log.at(-1)?.Output === 'probing\n');
    assert.equal((await run(['rm', '-f', 'merged'])).exitCode, 0);
  });

  test('resumes after the engine is killed and restarted', async () => {
    assert.equal((await run(['exec', 'fromimage', 'touch', '/tmp/ok'])).exitCode, 0);
    await waitFor('healthy before the crash', async () => (await healthOf('fromimage')).Status === 'healthy');
    await engine.kill();
    engine = await startEngineProcess({ dataRoot: engine.dataRoot });
    await waitFor('healthy after the restart', async () => (await healthOf('fromimage')).Status === 'healthy');
    assert.ok((await healthOf('fromimage')).Log.length >= 1);
  });
});

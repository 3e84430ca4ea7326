// `docker wait` on containers with a restart policy, and `docker rm -v`, through the real docker
// CLI, with dockerd's semantics. Needs root (runc, conmon, overlayfs) and /usr/local/bin/docker.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docker, removeAllContainers } from '../../testing/docker-cli.js';
import { apiRequest, startEngineProcess, type EngineProcess, type RawResponse } from '../../testing/engine-process.js';
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

interface Inspected {
  State: { Status: string; ExitCode: number; Error: string };
  RestartCount: number;
  Mounts: { Type: string; Name?: string; Destination: string }[];
}

const inspect = async (name: string): Promise<Inspected> =>
  JSON.parse(await ok(['inspect', '-f', '{{json .}}', name])) as Inspected;

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until the container sits between restarts with a backoff of 3.2 s or more (time enough to act on it). */
async function waitForLongBackoff(name: string): Promise<void> {
  await waitFor(`${name} restarting with a long backoff`, async () => {
    const container = await inspect(name);
    return container.State.Status === 'restarting' && container.RestartCount >= 6;
  });
}

/** `POST /containers/{name}/wait` (what `docker wait` sends), failing the test instead of hanging. */
async function waitResponse(pending: Promise<RawResponse>, timeoutMs: number): Promise<{ Error: unknown; StatusCode: number }> {
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`wait did not return within ${timeoutMs} ms`)), timeoutMs).unref(),
  );
  const response = await Promise.race([pending, timeout]);
  assert.equal(response.status, 200);
  return JSON.parse(response.body) as { Error: unknown; StatusCode: number };
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
    await run(['volume', 'prune', '-f']);
    await run(['volume', 'rm', 'keep-me']);
    await engine.stop();
    await rm(engine.dataRoot, { recursive: true, force: true });
  }
  await registry?.stop();
});

describe('docker wait with a restart policy', () => {
  test('returns at the first exit with its code while the policy goes on restarting', async () => {
    await ok(['run', '-d', '--name', 'w-fail', '--restart', 'on-failure:3', busybox, 'sh', '-c', 'sleep 1; exit 3']);
    assert.equal(await ok(['wait', 'w-fail']), '3');
    const container = await inspect('w-fail');
    assert.equal(container.RestartCount, 1, 'wait returned at the first exit, not after the retries');
    assert.ok(['restarting', 'running'].includes(container.State.Status), container.State.Status);
    await ok(['rm', '-f', 'w-fail']);
  });

  test('a stop between restarts ends a pending wait with the last exit code', async () => {
    await ok(['run', '-d', '--name', 'w-loop', '--restart', 'always', busybox, 'sh', '-c', 'exit 3']);
    await waitForLongBackoff('w-loop');
    const since = Math.floor(Date.now() / 1000) - 1;
    const pending = apiRequest(engine.socketPath, 'POST', '/v1.41/containers/w-loop/wait');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await ok(['stop', 'w-loop']);
    assert.deepEqual(await waitResponse(pending, 2000), { Error: null, StatusCode: 3 });
    assert.equal((await inspect('w-loop')).State.Status, 'exited');
    const actions = await ok([
      'events',
      '--since',
      String(since),
      '--until',
      String(Math.ceil(Date.now() / 1000) + 1),
      '--filter',
      'container=w-loop',
      '--filter',
      'event=stop',
      '--format',
      '{{.Action}}',
    ]);
    assert.equal(actions, 'stop', 'dockerd reports the stop of a restarting container');
    await ok(['rm', 'w-loop']);
  });

  test('a restart that fails ends a pending wait, and the container keeps its last exit code', async () => {
    const source = await mkdtemp(join(tmpdir(), 'berth-wait-bind-'));
    await ok([
      'run',
      '-d',
      '--name',
      'w-gone',
      '--restart',
      'always',
      '--mount',
      `type=bind,src=${source},dst=/data`,
      busybox,
      'sh',
      '-c',
      'exit 3',
    ]);
    await waitForLongBackoff('w-gone');
    const pending = apiRequest(engine.socketPath, 'POST', '/v1.41/containers/w-gone/wait');
    // The next start cannot mount what is not there any more.
    await rm(source, { recursive: true, force: true });
    assert.deepEqual(await waitResponse(pending, 10_000), { Error: null, StatusCode: 3 });
    const container = await inspect('w-gone');
    assert.equal(container.State.Status, 'exited');
    assert.equal(container.State.ExitCode, 3);
    assert.match(container.State.Error, /bind source path does not exist/);
    await ok(['rm', 'w-gone']);
  });
});

describe('docker rm -v', () => {
  const volumes = async (): Promise<string[]> => (await ok(['volume', 'ls', '-q'])).split('\n').filter((name) => name !== '');
  const anonymousVolume = async (name: string): Promise<string> => {
    const mount = (await inspect(name)).Mounts.find((candidate) => candidate.Destination === '/anon');
    assert.ok(mount?.Name !== undefined && /^[0-9a-f]{64}$/.test(mount.Name), JSON.stringify(mount));
    return mount.Name;
  };

  test('removes the anonymous volumes and keeps the named ones', async () => {
    await ok(['run', '--name', 'v-rm', '-v', '/anon', '-v', 'keep-me:/named', busybox, 'sh', '-c', 'echo x > /anon/f']);
    const anonymous = await anonymousVolume('v-rm');
    assert.ok((await volumes()).includes(anonymous));
    await ok(['rm', '-v', 'v-rm']);
    const left = await volumes();
    assert.ok(!left.includes(anonymous), 'the anonymous volume went with the container');
    assert.ok(left.includes('keep-me'), 'the named volume stays');
  });

  test('without -v the anonymous volume stays; --rm removes it', async () => {
    await ok(['run', '--name', 'v-keep', '-v', '/anon', busybox, 'true']);
    const anonymous = await anonymousVolume('v-keep');
    await ok(['rm', 'v-keep']);
    assert.ok((await volumes()).includes(anonymous), 'plain rm keeps volumes, as dockerd does');
    await ok(['volume', 'rm', anonymous]);

    const before = await volumes();
    await ok(['run', '--rm', '-v', '/anon', busybox, 'true']);
    assert.deepEqual(await volumes(), before);
  });
});

// `docker logs` against real conmon logs: volume, rotation, long lines, follow. Needs root and /usr/local/bin/docker.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { docker } from '../../testing/docker-cli.js';
import { startEngineProcess, type EngineProcess } from '../../testing/engine-process.js';
import { startTestRegistry, type TestRegistry } from '../../testing/test-registry.js';
import { buildTestImage, pushTestImage } from '../../testing/test-images.js';

let engine: EngineProcess;
let registry: TestRegistry;
let busybox: string;

const run = (args: string[]) => docker(engine.socketPath, args, { timeoutMs: 50_000 });

before(async () => {
  registry = await startTestRegistry();
  await pushTestImage(registry.host, 'busybox', 'latest', await buildTestImage());
  busybox = `${registry.host}/busybox`;
  engine = await startEngineProcess();
  assert.equal((await run(['pull', '-q', busybox])).exitCode, 0);
});

after(async () => {
  if (engine !== undefined) {
    await run(['rm', '-f', 'many', 'rotating', 'long', 'follow']);
    await engine.stop();
  }
  await registry?.stop();
});

const containerDir = async (name: string): Promise<string> =>
  join(engine.dataRoot, 'containers', (await run(['inspect', '-f', '{{.Id}}', name])).stdout.trim());

describe('docker logs', () => {
  test('200,000 numbered lines written as fast as the container can: none lost, in order', async () => {
    const started = await run(['run', '--name', 'many', busybox, 'seq', '1', '200000']);
    assert.equal(started.exitCode, 0, started.stderr);
    const logs = await run(['logs', 'many']);
    const lines = logs.stdout.split('\n');
    assert.equal(lines.pop(), '');
    assert.equal(lines.length, 200_000);
    lines.forEach((line, index) => {
      if (line !== String(index + 1)) assert.fail(`line ${index + 1} is ${JSON.stringify(line)}`);
    });
    const tail = await run(['logs', '--tail', '2', 'many']);
    assert.equal(tail.stdout, '199999\n200000\n');
  });

  test('max-size/max-file rotation keeps max-file files and logs reads them in order', async () => {
    const started = await run([
      'run',
      '-d',
      '--name',
      'rotating',
      '--log-opt',
      'max-size=20k',
      '--log-opt',
      'max-file=3',
      busybox,
      'sh',
      '-c',
      'i=0; while [ $i -lt 3000 ]; do i=$((i+1)); echo line$i; [ $((i % 500)) = 0 ] && sleep 0.3; done; sleep 30',
    ]);
    assert.equal(started.exitCode, 0, started.stderr);
    const dir = await containerDir('rotating');
    for (let attempt = 0; ; attempt++) {
      const logs = await run(['logs', '--tail', '1', 'rotating']);
      if (logs.stdout === 'line3000\n') break;
      if (attempt > 100) assert.fail(`the container never finished writing: ${logs.stdout}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // One more check interval so the last rotation has happened.
    await new Promise((resolve) => setTimeout(resolve, 600));
    const files = (await readdir(dir)).filter((name) => name.startsWith('container.log')).sort();
    assert.deepEqual(files, ['container.log', 'container.log.1', 'container.log.2']);
    const logs = (await run(['logs', 'rotating'])).stdout.split('\n').filter((line) => line !== '');
    assert.ok(logs.length < 3000, 'the oldest lines were rotated away');
    const first = Number(logs[0]?.slice(4));
    logs.forEach((line, index) => assert.equal(line, `line${first + index}`));
    assert.equal(logs.at(-1), 'line3000');
    for (const name of files) assert.ok((await stat(join(dir, name))).size < 1024 * 1024);
  });

  test('lines longer than 16 KiB are stored in partial records and come back whole, with one timestamp', async () => {
    const started = await run([
      'run',
      '--name',
      'long',
      busybox,
      'sh',
      '-c',
      'head -c 40000 /dev/zero | tr "\\0" x; echo; echo after',
    ]);
    assert.equal(started.exitCode, 0, started.stderr);
    const stored = await readFile(join(await containerDir('long'), 'container.log'), 'utf8');
    assert.ok(stored.split('\n').filter((line) => / stdout P /.test(line)).length >= 2);
    const logs = await run(['logs', 'long']);
    assert.equal(logs.stdout, `${'x'.repeat(40000)}\nafter\n`);
    const stamped = (await run(['logs', '-t', 'long'])).stdout.split('\n');
    assert.match(stamped[0] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z x{40000}$/);
  });

  test('logs -f follows and ends when the container stops; stdout/stderr selection', async () => {
    const started = await run([
      'run',
      '-d',
      '--name',
      'follow',
      busybox,
      'sh',
      '-c',
      'echo out; echo err >&2; sleep 1; echo late',
    ]);
    assert.equal(started.exitCode, 0, started.stderr);
    const followed = await run(['logs', '-f', 'follow']);
    assert.equal(followed.exitCode, 0);
    assert.equal(followed.stdout, 'out\nlate\n');
    assert.equal(followed.stderr, 'err\n');
  });
});

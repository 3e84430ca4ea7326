// docker save / docker load between Berth and a real dockerd (Debian's docker.io, on its own
// socket and data root): each loads what the other saved, runs it, and both agree on the image ID.
// Needs root; talks only to 127.0.0.1.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docker } from '../testing/docker-cli.js';
import { startEngineProcess, type EngineProcess } from '../testing/engine-process.js';
import { startReferenceDockerd, type ReferenceDockerd } from '../testing/reference-dockerd.js';
import { startTestRegistry, type TestRegistry } from '../testing/test-registry.js';
import { buildTestImage, pushTestImage } from '../testing/test-images.js';

let registry: TestRegistry;
let berth: EngineProcess;
let dockerd: ReferenceDockerd;
let scratch: string;
let image: string;

before(async () => {
  registry = await startTestRegistry();
  const built = await buildTestImage({
    config: { Cmd: ['sh', '-c', 'cat /greeting'] },
    extraLayers: [[{ type: 'file', path: 'greeting', content: 'hello from a layer\n' }]],
  });
  await pushTestImage(registry.host, 'interop/busybox', 'v1', built);
  image = `${registry.host}/interop/busybox:v1`;
  scratch = await mkdtemp(join(tmpdir(), 'berth-interop-'));
  berth = await startEngineProcess();
  dockerd = await startReferenceDockerd({ extraArgs: [`--insecure-registry=${registry.host}`] });
});

after(async () => {
  await berth?.stop();
  if (berth !== undefined) await rm(berth.dataRoot, { recursive: true, force: true });
  await dockerd?.stop();
  await registry?.stop();
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
});

async function ok(socketPath: string, args: string[]): Promise<string> {
  const result = await docker(socketPath, args);
  assert.equal(result.exitCode, 0, `docker ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

describe('save and load between Berth and dockerd', () => {
  test('dockerd loads and runs what Berth saved, with the same image ID', async () => {
    await ok(berth.socketPath, ['pull', '-q', image]);
    await ok(berth.socketPath, ['tag', image, 'interop/from-berth:v1']);
    const archive = join(scratch, 'from-berth.tar');
    await ok(berth.socketPath, ['save', '-o', archive, 'interop/from-berth:v1']);
    assert.match(await ok(dockerd.socketPath, ['load', '-i', archive]), /Loaded image: interop\/from-berth:v1/);
    assert.equal(
      await ok(dockerd.socketPath, ['image', 'inspect', '-f', '{{.Id}}', 'interop/from-berth:v1']),
      await ok(berth.socketPath, ['image', 'inspect', '-f', '{{.Id}}', 'interop/from-berth:v1']),
    );
    assert.equal(
      await ok(dockerd.socketPath, ['run', '--rm', '--network', 'none', 'interop/from-berth:v1']),
      'hello from a layer',
    );
  });

  test('Berth loads and runs what dockerd saved, with the same image ID', async () => {
    await ok(dockerd.socketPath, ['pull', '-q', image]);
    await ok(dockerd.socketPath, ['tag', image, 'interop/from-dockerd:v1']);
    const archive = join(scratch, 'from-dockerd.tar');
    await ok(dockerd.socketPath, ['save', '-o', archive, 'interop/from-dockerd:v1']);
    assert.match(await ok(berth.socketPath, ['load', '-i', archive]), /Loaded image: interop\/from-dockerd:v1/);
    assert.equal(
      await ok(berth.socketPath, ['image', 'inspect', '-f', '{{.Id}}', 'interop/from-dockerd:v1']),
      await ok(dockerd.socketPath, ['image', 'inspect', '-f', '{{.Id}}', 'interop/from-dockerd:v1']),
    );
    assert.equal(
      await ok(berth.socketPath, ['run', '--rm', '--network', 'none', 'interop/from-dockerd:v1']),
      'hello from a layer',
    );
  });
});

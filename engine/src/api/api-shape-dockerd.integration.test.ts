// The same containers, images, volumes and networks on Berth and on a real dockerd (Debian's
// docker.io, its own socket and data root): every answer has the fields dockerd's has, with the
// same kinds (null where dockerd says null, a list where it has a list). Values differ (IDs, times,
// paths); the shape is what clients decode. Needs root; talks only to 127.0.0.1.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { docker } from '../testing/docker-cli.js';
import { apiRequest, startEngineProcess, type EngineProcess } from '../testing/engine-process.js';
import { jsonFieldPaths } from '../testing/json-shape.js';
import { startReferenceDockerd, type ReferenceDockerd } from '../testing/reference-dockerd.js';
import { startTestRegistry, type TestRegistry } from '../testing/test-registry.js';
import { buildTestImage, pushTestImage } from '../testing/test-images.js';

let registry: TestRegistry;
let berth: EngineProcess;
let dockerd: ReferenceDockerd;
let image: string;

const engines = (): [string, string][] => [
  ['berth', berth.socketPath],
  ['dockerd', dockerd.socketPath],
];

async function ok(socketPath: string, args: string[]): Promise<string> {
  const result = await docker(socketPath, args);
  assert.equal(result.exitCode, 0, `docker ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

before(async () => {
  registry = await startTestRegistry();
  await pushTestImage(registry.host, 'shape/busybox', 'v1', await buildTestImage());
  image = `${registry.host}/shape/busybox:v1`;
  berth = await startEngineProcess();
  dockerd = await startReferenceDockerd();
  for (const [, socket] of engines()) {
    await ok(socket, ['pull', '-q', image]);
    await ok(socket, ['volume', 'create', '--label', 'k=v', 'shape-vol']);
    await ok(socket, ['network', 'create', 'shape-net']);
    await ok(socket, ['create', '--name', 'shape-created', image, 'true']);
    await ok(socket, ['run', '--name', 'shape-exited', image, 'sh', '-c', 'echo hi > /f']);
    await ok(socket, [
      ...['run', '-d', '--name', 'shape-running', '-p', '127.0.0.1::80', '-v', 'shape-vol:/data', '-e', 'A=1'],
      ...['--label', 'l=1', '--health-cmd', 'true', '--health-interval', '1s', image, 'sleep', '300'],
    ]);
    await ok(socket, [
      'run',
      '-d',
      '--name',
      'shape-user',
      '--network',
      'shape-net',
      '--network-alias',
      'al',
      image,
      'sleep',
      '300',
    ]);
    await ok(socket, ['run', '-d', '--name', 'shape-none', '--network', 'none', '-m', '64m', image, 'sleep', '300']);
  }
  // One healthcheck has run on both.
  await new Promise((resolve) => setTimeout(resolve, 2500));
});

after(async () => {
  for (const [, socket] of engines()) {
    await docker(socket, ['rm', '-f', 'shape-created', 'shape-exited', 'shape-running', 'shape-user', 'shape-none']);
    await docker(socket, ['network', 'rm', 'shape-net']);
    await docker(socket, ['volume', 'rm', 'shape-vol']);
  }
  await berth?.stop();
  await dockerd?.stop();
  await registry?.stop();
});

async function sameShape(path: string, pick: (body: unknown) => unknown = (body) => body): Promise<void> {
  const [ours, theirs] = await Promise.all(
    engines().map(async ([, socket]) => {
      const response = await apiRequest(socket, 'GET', path);
      assert.equal(response.status, 200, `${path}: ${response.body}`);
      return jsonFieldPaths(pick(JSON.parse(response.body)));
    }),
  );
  assert.deepEqual(ours, theirs, path);
}

describe("answers have dockerd's shape", () => {
  for (const name of ['shape-created', 'shape-exited', 'shape-running', 'shape-user', 'shape-none']) {
    test(`inspect ${name}`, () => sameShape(`/v1.41/containers/${name}/json?size=1`));
  }

  test('the container list (with sizes), one item per kind of container', async () => {
    for (const name of ['shape-created', 'shape-exited', 'shape-running', 'shape-user', 'shape-none']) {
      const filters = encodeURIComponent(JSON.stringify({ name: [`^/${name}$`] }));
      await sameShape(`/v1.41/containers/json?all=1&size=1&filters=${filters}`);
    }
  });

  test('docker info (but the runtimes, named after their shims, and the host warnings)', async () => {
    await sameShape('/v1.41/info', (body) => ({ ...(body as object), Runtimes: undefined, Warnings: undefined }));
  });

  test('version, system df, network and volume lists, history, top, changes', async () => {
    // dockerd lists containerd, runc and docker-init as components; Berth is one engine.
    await sameShape('/v1.41/version', (body) => ({ ...(body as object), Components: undefined }));
    await sameShape('/v1.41/system/df', (body) => {
      const df = body as { Containers: { Names: string[] }[]; Images: unknown[]; Volumes: { Name: string }[] };
      return {
        ...df,
        Containers: df.Containers.filter((item) => item.Names.includes('/shape-created')),
        Volumes: df.Volumes.filter((item) => item.Name === 'shape-vol'),
      };
    });
    const filters = encodeURIComponent(JSON.stringify({ name: ['shape-net'] }));
    // dockerd's list leaves Containers empty (only inspect fills it); Berth's list names them as
    // inspect does, which the UI counts. The rest of the list item is dockerd's shape.
    await sameShape(`/v1.41/networks?filters=${filters}`, (list) =>
      (list as Record<string, unknown>[]).map((network) => ({ ...network, Containers: {} })),
    );
    await sameShape('/v1.41/volumes', (body) => ({
      ...(body as object),
      Volumes: (body as { Volumes: { Name: string }[] }).Volumes.filter((volume) => volume.Name === 'shape-vol'),
    }));
    await sameShape(`/v1.41/images/${encodeURIComponent(image)}/history`);
    await sameShape('/v1.41/containers/shape-running/top');
    await sameShape('/v1.41/containers/shape-exited/changes');
  });

  test('exec inspect, before and after it ran; its events name the command as dockerd does', async () => {
    const [ours, theirs] = await Promise.all(
      engines().map(async ([, socket]) => {
        const created = await apiRequest(
          socket,
          'POST',
          '/v1.41/containers/shape-running/exec',
          JSON.stringify({ Cmd: ['true'] }),
        );
        const id = (JSON.parse(created.body) as { Id: string }).Id;
        const before = JSON.parse((await apiRequest(socket, 'GET', `/v1.41/exec/${id}/json`)).body) as unknown;
        await apiRequest(socket, 'POST', `/v1.41/exec/${id}/start`, JSON.stringify({ Detach: true }));
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const after = JSON.parse((await apiRequest(socket, 'GET', `/v1.41/exec/${id}/json`)).body) as unknown;
        const window = ['--since', String(Math.floor(Date.now() / 1000) - 3), '--until', String(Math.floor(Date.now() / 1000))];
        const actions = (await ok(socket, ['events', ...window, '--filter', 'event=exec_create', '--format', '{{json .Action}}']))
          .split('\n')
          // dockerd also runs its healthchecks as execs (`/bin/sh -c true`); this one is `true` alone.
          .filter((line) => !line.includes('/bin/sh'));
        return [jsonFieldPaths(before), jsonFieldPaths(after), actions.slice(-1)];
      }),
    );
    assert.deepEqual(ours, theirs);
  });

  test('events of a run, as JSON', async () => {
    const shapes = await Promise.all(
      engines().map(async ([, socket]) => {
        const since = Math.floor(Date.now() / 1000) - 1;
        await ok(socket, ['run', '--rm', '--name', 'shape-events', image, 'true']);
        const until = Math.floor(Date.now() / 1000) + 1;
        const window = ['--since', String(since), '--until', String(until)];
        const lines = (await ok(socket, ['events', ...window, '--filter', 'container=shape-events', '--format', '{{json .}}']))
          .split('\n')
          .map((line) => JSON.parse(line) as { Type: string; Action: string });
        return Object.fromEntries(lines.map((event) => [`${event.Type} ${event.Action}`, jsonFieldPaths(event)]));
      }),
    );
    assert.deepEqual(shapes[0], shapes[1]);
  });

  test('image inspect and list, volume and network inspect', async () => {
    // Berth's image layers have no merged or work directory (containers have their own), so its
    // GraphDriver.Data for an image names none; the rest is dockerd's shape.
    await sameShape(`/v1.41/images/${encodeURIComponent(image)}/json`, (body) => ({
      ...(body as object),
      GraphDriver: undefined,
    }));
    await sameShape('/v1.41/images/json', (list) => (list as unknown[])[0]);
    await sameShape('/v1.41/volumes/shape-vol');
    await sameShape('/v1.41/networks/shape-net');
  });
});

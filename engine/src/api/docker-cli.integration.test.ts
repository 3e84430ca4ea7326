// The engine driven by the real docker CLI, as a user would: pull from a real registry, list,
// run, logs, stop, remove. Needs root (runc, conmon, overlayfs) and /usr/local/bin/docker.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stat } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { docker } from '../testing/docker-cli.js';
import { apiRequest, startEngineProcess, type EngineProcess } from '../testing/engine-process.js';
import { startTestRegistry, type TestRegistry } from '../testing/test-registry.js';
import { buildTestImage, pushTestImage } from '../testing/test-images.js';

let engine: EngineProcess;
let registry: TestRegistry;
let busybox: string;
let configured: string;

before(async () => {
  registry = await startTestRegistry();
  await pushTestImage(registry.host, 'busybox', 'latest', await buildTestImage());
  await pushTestImage(
    registry.host,
    'configured',
    'v1',
    await buildTestImage({
      config: { Env: ['PATH=/bin', 'GREETING=from-image'], WorkingDir: '/srv', Cmd: ['sh', '-c', 'echo $GREETING in $(pwd)'] },
    }),
  );
  busybox = `${registry.host}/busybox`;
  configured = `${registry.host}/configured:v1`;
  engine = await startEngineProcess();
});

after(async () => {
  if (engine !== undefined) {
    await docker(engine.socketPath, ['rm', '-f', 'web', 'sleeper', 'stopped-one', 'created-one']);
    await engine.stop();
  }
  await registry?.stop();
});

const run = (args: string[], input?: string) => docker(engine.socketPath, args, input !== undefined ? { input } : {});

describe('the Docker API on the socket', () => {
  test('the socket is 0660 and /_ping carries the API headers', async () => {
    assert.equal((await stat(engine.socketPath)).mode & 0o777, 0o660);
    const ping = await apiRequest(engine.socketPath, 'GET', '/_ping');
    assert.equal(ping.status, 200);
    assert.equal(ping.body, 'OK');
    assert.equal(ping.headers['api-version'], '1.41');
    assert.equal(ping.headers['ostype'], 'linux');
    const head = await apiRequest(engine.socketPath, 'HEAD', '/_ping');
    assert.equal(head.status, 200);
  });

  test('version negotiation, errors as JSON messages with Docker status codes', async () => {
    const version = await run(['version', '--format', '{{.Server.APIVersion}} {{.Server.Os}}']);
    assert.equal(version.exitCode, 0, version.stderr);
    assert.equal(version.stdout.trim(), '1.41 linux');
    const unknown = await apiRequest(engine.socketPath, 'GET', '/v1.41/nothing/here');
    assert.equal(unknown.status, 404);
    assert.deepEqual(JSON.parse(unknown.body), { message: 'page not found' });
    const tooNew = await apiRequest(engine.socketPath, 'GET', '/v1.99/info');
    assert.equal(tooNew.status, 400);
    assert.match(JSON.parse(tooNew.body).message, /client version 1.99 is too new/);
    const malformed = await apiRequest(engine.socketPath, 'POST', '/v1.41/containers/create', '{"Image": ');
    assert.equal(malformed.status, 400);
    assert.match(JSON.parse(malformed.body).message, /invalid JSON/);
    const missing = await apiRequest(engine.socketPath, 'GET', '/v1.41/containers/nope/json');
    assert.equal(missing.status, 404);
    assert.equal(JSON.parse(missing.body).message, 'No such container: nope');
  });
});

describe('images', () => {
  test('docker pull from a local registry, then images and image inspect', async () => {
    const pull = await run(['pull', busybox]);
    assert.equal(pull.exitCode, 0, pull.stderr);
    assert.match(pull.stdout, /Pull complete/);
    assert.match(pull.stdout, /Status: Downloaded newer image for/);
    const again = await run(['pull', busybox]);
    assert.match(again.stdout, /Image is up to date/);
    const images = await run(['images', '--format', '{{.Repository}}:{{.Tag}}']);
    assert.match(images.stdout, new RegExp(`^${busybox.replace(/\./g, '\\.')}:latest$`, 'm'));
    const inspect = await run(['image', 'inspect', '--format', '{{.Os}}/{{.Architecture}} {{len .RootFS.Layers}}', busybox]);
    assert.equal(inspect.stdout.trim(), 'linux/amd64 1');
  });

  test('references by digest pull, run and inspect the same image', async () => {
    const digest = (await run(['image', 'inspect', '--format', '{{index .RepoDigests 0}}', busybox])).stdout.trim();
    assert.match(digest, /@sha256:[a-f0-9]{64}$/);
    const pulled = await run(['pull', digest]);
    assert.equal(pulled.exitCode, 0, pulled.stderr);
    const echoed = await run(['run', '--rm', digest, 'echo', 'by-digest']);
    assert.equal(echoed.stdout, 'by-digest\n', echoed.stderr);
    const byId = (await run(['image', 'inspect', '--format', '{{.Id}}', busybox])).stdout.trim();
    assert.equal((await run(['image', 'inspect', '--format', '{{.Id}}', digest])).stdout.trim(), byId);
  });

  test('an unknown image: the CLI tries a pull and reports a clear error', async () => {
    const result = await run(['run', '--rm', `${registry.host}/does-not-exist:zz`, 'true']);
    assert.notEqual(result.exitCode, 0);
    assert.match(result.stderr, /Unable to find image/);
    assert.match(result.stderr, /does-not-exist/);
  });

  test('an unreachable registry is named in the error', async () => {
    const result = await run(['pull', '127.0.0.1:9/nothing']);
    assert.notEqual(result.exitCode, 0);
    assert.match(result.stderr + result.stdout, /127\.0\.0\.1:9/);
  });
});

describe('docker run', () => {
  test('--rm prints stdout and stderr separately, returns the exit status and leaves nothing behind', async () => {
    const before = (await run(['ps', '-aq'])).stdout;
    const result = await run(['run', '--rm', busybox, 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.equal(result.stdout, 'out\n');
    assert.equal(result.stderr, 'err\n');
    assert.equal(result.exitCode, 3);
    assert.equal((await run(['ps', '-aq'])).stdout, before);
  });

  test('stdin with -i reaches the process and its end closes stdin', async () => {
    const result = await run(['run', '-i', '--rm', busybox, 'sh', '-c', 'cat; echo done'], 'hello-stdin\n');
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(result.stdout, 'hello-stdin\ndone\n');
  });

  test('image Cmd, Env and WorkingDir are honoured; -e, -w and --entrypoint override them', async () => {
    const defaults = await run(['run', '--rm', configured]);
    assert.equal(defaults.stdout, 'from-image in /srv\n', defaults.stderr);
    const overridden = await run(['run', '--rm', '-e', 'GREETING=from-cli', '-w', '/tmp', configured]);
    assert.equal(overridden.stdout, 'from-cli in /tmp\n', overridden.stderr);
    const entrypoint = await run(['run', '--rm', '--entrypoint', 'echo', configured, 'a', 'b']);
    assert.equal(entrypoint.stdout, 'a b\n');
  });

  test('a missing command fails like dockerd (exit 127) and --rm still removes the container', async () => {
    const before = (await run(['ps', '-aq'])).stdout;
    const result = await run(['run', '--rm', busybox, 'no-such-command']);
    assert.equal(result.exitCode, 127);
    assert.match(result.stderr, /executable file not found/);
    assert.equal((await run(['ps', '-aq'])).stdout, before);
  });

  test('-d, --name, logs, inspect, ps, stop and rm', async () => {
    const started = await run([
      'run',
      '-d',
      '--name',
      'web',
      '-e',
      'FOO=bar',
      busybox,
      'sh',
      '-c',
      'echo $FOO; echo oops >&2; exec sleep 100',
    ]);
    assert.equal(started.exitCode, 0, started.stderr);
    const id = started.stdout.trim();
    assert.match(id, /^[a-f0-9]{64}$/);
    const conflict = await run(['run', '-d', '--name', 'web', busybox, 'true']);
    assert.notEqual(conflict.exitCode, 0);
    assert.match(conflict.stderr, /Conflict. The container name "\/web" is already in use/);
    const ps = await run(['ps', '--format', '{{.Names}} {{.Status}}']);
    assert.match(ps.stdout, /^web Up /m);
    await waitFor(async () => (await run(['logs', 'web'])).stdout === 'bar\n');
    const logs = await run(['logs', 'web']);
    assert.equal(logs.stdout, 'bar\n');
    assert.equal(logs.stderr, 'oops\n');
    const stamped = await run(['logs', '-t', '--tail', '1', 'web']);
    assert.match(stamped.stdout + stamped.stderr, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (bar|oops)\n$/);
    const inspect = await run(['inspect', '--format', '{{.State.Status}} {{.State.Running}} {{.Name}} {{.Id}}', 'web']);
    assert.equal(inspect.stdout.trim(), `running true /web ${id}`);
    const rmRunning = await run(['rm', 'web']);
    assert.notEqual(rmRunning.exitCode, 0);
    assert.match(rmRunning.stderr, /You cannot remove a running container/);
    const stop = await run(['stop', '-t', '1', 'web']);
    assert.equal(stop.exitCode, 0, stop.stderr);
    const stopped = await run(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', 'web']);
    assert.equal(stopped.stdout.trim(), 'exited 137');
    assert.equal((await run(['rm', 'web'])).exitCode, 0);
    const gone = await run(['inspect', 'web']);
    assert.notEqual(gone.exitCode, 0);
  });

  test('Docker confinement: default capabilities, seccomp filter, masked and read-only /proc', async () => {
    const status = await run(['run', '--rm', busybox, 'grep', '-E', '^(CapEff|Seccomp):', '/proc/self/status']);
    assert.match(status.stdout, /CapEff:\s+00000000a80425fb/);
    assert.match(status.stdout, /Seccomp:\s+2/);
    // Masked paths read as empty (bind of /dev/null). /proc/kcore is missing on some kernels, so
    // check every masked path that this host has and that holds data on the host.
    const masked = ['/proc/kcore', '/proc/keys', '/proc/timer_list', '/proc/interrupts', '/proc/sched_debug'].filter((path) =>
      existsSync(path),
    );
    assert.ok(masked.length > 0);
    const sizes = await run(['run', '--rm', busybox, 'sh', '-c', masked.map((path) => `cat ${path} | wc -c`).join('; ')]);
    assert.deepEqual(
      sizes.stdout.trim().split(/\s+/),
      masked.map(() => '0'),
    );
    assert.ok(readFileSync('/proc/timer_list').length > 0, 'the host itself can read /proc/timer_list');
    const procSys = await run(['run', '--rm', busybox, 'sh', '-c', 'echo 1 > /proc/sys/kernel/domainname']);
    assert.notEqual(procSys.exitCode, 0);
    assert.match(procSys.stderr, /Read-only file system/);
  });
});

describe('the engine process', () => {
  test('a second engine on the same data root is refused with a clear error', async () => {
    await assert.rejects(
      startEngineProcess({ dataRoot: engine.dataRoot }),
      /another engine \(pid \d+\) is already using this data root/,
    );
  });

  test('containers outlive an engine crash and are adopted again', async () => {
    const started = await run([
      'run',
      '-d',
      '--name',
      'sleeper',
      busybox,
      'sh',
      '-c',
      'trap "exit 7" TERM; while true; do sleep 0.1; done',
    ]);
    assert.equal(started.exitCode, 0, started.stderr);
    await engine.kill();
    engine = await startEngineProcess({ dataRoot: engine.dataRoot });
    const state = await run(['inspect', '--format', '{{.State.Status}}', 'sleeper']);
    assert.equal(state.stdout.trim(), 'running');
    const stop = await run(['stop', 'sleeper']);
    assert.equal(stop.exitCode, 0, stop.stderr);
    const exited = await run(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', 'sleeper']);
    assert.equal(exited.stdout.trim(), 'exited 7');
    assert.equal((await run(['rm', 'sleeper'])).exitCode, 0);
  });

  test('create readies the start (root mounted, namespace made) for a few containers at a time; rm takes it all away', async () => {
    const mounted = (id: string) =>
      readFileSync('/proc/self/mountinfo', 'utf8').includes(join(engine.dataRoot, 'containers', id, 'rootfs'));
    const namespace = (id: string) => existsSync(`/run/netns/berth-${id}`);
    const ids: string[] = [];
    for (let index = 0; index < 6; index++) ids.push((await run(['create', busybox, 'true'])).stdout.trim());
    await waitFor(async () => mounted(ids[0] ?? '') && namespace(ids[0] ?? ''));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const warm = ids.filter((id) => mounted(id) && namespace(id));
    assert.equal(warm.length, 4, 'four prewarmed, the burst beyond them not');
    assert.equal(ids.filter((id) => mounted(id) || namespace(id)).length, 4);
    // The start uses what was readied, and the run behaves as ever.
    assert.equal((await run(['start', '-a', ids[0] ?? ''])).exitCode, 0);
    assert.equal((await run(['start', '-a', ids[5] ?? ''])).exitCode, 0);
    assert.equal((await run(['rm', ...ids])).exitCode, 0);
    await waitFor(async () => ids.every((id) => !mounted(id) && !namespace(id)));
  });

  test('a removed container leaves nothing on the host: rmi right after a --rm run frees every layer', async () => {
    await pushTestImage(
      registry.host,
      'reaped',
      'v1',
      await buildTestImage({ extraLayers: [[{ type: 'file', path: 'only-here.txt', content: 'reaped\n' }]] }),
    );
    const image = `${registry.host}/reaped:v1`;
    assert.equal((await run(['pull', image])).exitCode, 0);
    for (let round = 0; round < 3; round++) {
      const ran = await run(['run', '--rm', image, 'cat', '/only-here.txt']);
      assert.equal(ran.stdout, 'reaped\n', ran.stderr);
    }
    const created = await run(['create', image, 'true']);
    const removed = await apiRequest(engine.socketPath, 'DELETE', `/v1.41/containers/${created.stdout.trim()}`);
    assert.equal(removed.status, 204, removed.body);
    // At once (no CLI start-up in between): that container's writable layer sat on the image's top layer.
    const rmi = await apiRequest(engine.socketPath, 'DELETE', `/v1.41/images/${encodeURIComponent(image)}`);
    assert.equal(rmi.status, 200, rmi.body);
    const deleted = (JSON.parse(rmi.body) as { Deleted?: string }[]).filter((item) => item.Deleted !== undefined);
    // The image and its own top layer at least (busybox's layer too when no other image holds it).
    assert.ok(deleted.length >= 2, rmi.body);
    const ids = new Set((await run(['ps', '-aq', '--no-trunc'])).stdout.split('\n').filter((id) => id !== ''));
    const left = (dir: string) =>
      existsSync(dir) ? readdirSync(dir).filter((name) => !ids.has(name.replace(/\.json$/, ''))) : [];
    await engine.stop();
    assert.deepEqual(left(join(engine.dataRoot, 'containers')), []);
    assert.deepEqual(left(join(engine.dataRoot, 'reaping')), []);
    assert.deepEqual(left(join(engine.dataRoot, 'runtime', 'tasks')), []);
    assert.deepEqual(left(join(engine.dataRoot, 'runtime', 'runc')), []);
    engine = await startEngineProcess({ dataRoot: engine.dataRoot });
  });

  test('a writable layer no record owns (its reaping entry lost with the host) is reclaimed at the next start', async () => {
    const id = (await run(['create', busybox, 'true'])).stdout.trim();
    const index = () => readFileSync(join(engine.dataRoot, 'snapshots', 'index.json'), 'utf8');
    assert.ok(index().includes(`container-${id}`));
    await engine.stop();
    // What a host crash can leave: the record's delete reached the disk, the reaping entry did not.
    const db = new Database(join(engine.dataRoot, 'metadata.db'));
    db.prepare('DELETE FROM containers WHERE id = ?').run(id);
    db.close();
    engine = await startEngineProcess({ dataRoot: engine.dataRoot });
    assert.equal(index().includes(`container-${id}`), false);
    assert.equal(existsSync(join(engine.dataRoot, 'containers', id)), false);
  });

  test('SIGTERM stops the engine cleanly and leaves no mount of stopped containers behind', async () => {
    await run(['run', '--name', 'stopped-one', busybox, 'true']);
    // A created container's root is mounted by the create's prewarm: the stop unmounts it too.
    const created = (await run(['create', '--name', 'created-one', busybox, 'true'])).stdout.trim();
    await waitFor(async () =>
      readFileSync('/proc/self/mountinfo', 'utf8').includes(join(engine.dataRoot, 'containers', created)),
    );
    const code = await engine.stop();
    assert.equal(code, 0);
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8');
    assert.equal(mounts.includes(engine.dataRoot), false, 'no mount under the data root');
    engine = await startEngineProcess({ dataRoot: engine.dataRoot });
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// `docker exec` and interactive attach, through the real docker CLI and, for TTY input and detach
// keys, through raw hijacked connections. Needs root (runc, conmon, overlayfs) and /usr/local/bin/docker.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { docker } from '../testing/docker-cli.js';
import { apiRequest, startEngineProcess, type EngineProcess } from '../testing/engine-process.js';
import { hijack } from '../testing/hijack.js';
import { startTestRegistry, type TestRegistry } from '../testing/test-registry.js';
import { buildTestImage, pushTestImage } from '../testing/test-images.js';
import { FrameDecoder } from './streams/stdcopy.js';

let engine: EngineProcess;
let registry: TestRegistry;
let busybox: string;

const run = (args: string[], input?: string) => docker(engine.socketPath, args, input !== undefined ? { input } : {});

before(async () => {
  registry = await startTestRegistry();
  await pushTestImage(registry.host, 'busybox', 'latest', await buildTestImage());
  busybox = `${registry.host}/busybox`;
  engine = await startEngineProcess();
  assert.equal((await run(['pull', '-q', busybox])).exitCode, 0);
  const started = await run(['run', '-d', '--name', 'target', busybox, 'sleep', '1000']);
  assert.equal(started.exitCode, 0, started.stderr);
});

after(async () => {
  if (engine !== undefined) {
    await run(['rm', '-f', 'target', 'tty', 'idle']);
    await engine.stop();
  }
  await registry?.stop();
});

describe('docker exec', () => {
  test('output on the right streams and the exit code', async () => {
    const result = await run(['exec', 'target', 'sh', '-c', 'echo a; echo b >&2; exit 2']);
    assert.equal(result.exitCode, 2);
    assert.equal(result.stdout, 'a\n');
    assert.equal(result.stderr, 'b\n');
  });

  test('-e, -w and -u', async () => {
    const result = await run([
      'exec',
      '-e',
      'FOO=bar',
      '-w',
      '/tmp',
      '-u',
      '1000:1001',
      'target',
      'sh',
      '-c',
      'echo $FOO; pwd; id -u; id -g',
    ]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(result.stdout, 'bar\n/tmp\n1000\n1001\n');
    const named = await run(['exec', '-u', 'nobody', 'target', 'id', '-un']);
    assert.equal(named.stdout.trim(), 'nobody');
  });

  test('-i passes stdin and its end', async () => {
    const result = await run(['exec', '-i', 'target', 'sh', '-c', 'wc -l; echo done'], 'one\ntwo\nthree\n');
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^\s*3\ndone\n$/);
  });

  test('-d runs in the background', async () => {
    const detached = await run(['exec', '-d', 'target', 'sh', '-c', 'echo bg > /tmp/bg']);
    assert.equal(detached.exitCode, 0, detached.stderr);
    for (let attempt = 0; attempt < 50; attempt++) {
      const cat = await run(['exec', 'target', 'cat', '/tmp/bg']);
      if (cat.exitCode === 0) {
        assert.equal(cat.stdout, 'bg\n');
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.fail('the detached exec never wrote its file');
  });

  test('a missing command exits 127 with the runtime message', async () => {
    const result = await run(['exec', 'target', 'nosuchcommand']);
    assert.equal(result.exitCode, 127);
    assert.match(result.stdout + result.stderr, /executable file not found/);
  });

  test('refusals: unknown exec 404, stopped container 409, no command 400', async () => {
    const missing = await apiRequest(engine.socketPath, 'GET', '/v1.41/exec/nope/json');
    assert.equal(missing.status, 404);
    assert.equal(JSON.parse(missing.body).message, 'No such exec instance: nope');
    assert.equal((await run(['create', '--name', 'idle', busybox, 'true'])).exitCode, 0);
    const stopped = await run(['exec', 'idle', 'true']);
    assert.notEqual(stopped.exitCode, 0);
    assert.match(stopped.stderr, /Container [0-9a-f]{64} is not running/);
    const empty = await apiRequest(engine.socketPath, 'POST', '/v1.41/containers/target/exec', '{"Cmd":[]}');
    assert.equal(empty.status, 400);
  });

  test('raw API: non-TTY framing, half-close, then inspect with ExitCode and ProcessConfig', async () => {
    const created = await apiRequest(
      engine.socketPath,
      'POST',
      '/v1.41/containers/target/exec',
      JSON.stringify({
        Cmd: ['sh', '-c', 'cat; echo err >&2; exit 3'],
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
      }),
    );
    assert.equal(created.status, 201);
    const id = (JSON.parse(created.body) as { Id: string }).Id;
    const connection = await hijack(engine.socketPath, `/v1.41/exec/${id}/start`, { Detach: false, Tty: false });
    assert.equal(connection.status, 101);
    assert.match(connection.head, /Upgrade: tcp/);
    connection.socket.end('typed\n');
    await connection.ended;
    const frames = new FrameDecoder().push(connection.received());
    assert.deepEqual(
      frames.map((item) => [item.stream, item.payload.toString()]),
      [
        [1, 'typed\n'],
        [2, 'err\n'],
      ],
    );
    const inspect = JSON.parse((await apiRequest(engine.socketPath, 'GET', `/v1.41/exec/${id}/json`)).body) as Record<
      string,
      unknown
    >;
    assert.equal(inspect['Running'], false);
    assert.equal(inspect['ExitCode'], 3);
    assert.deepEqual(inspect['ProcessConfig'], {
      tty: false,
      entrypoint: 'sh',
      arguments: ['-c', 'cat; echo err >&2; exit 3'],
      privileged: false,
    });
  });

  test('raw API: an interactive TTY shell answers, resizes, and the detach keys leave it running', async () => {
    const created = await apiRequest(
      engine.socketPath,
      'POST',
      '/v1.41/containers/target/exec',
      JSON.stringify({ Cmd: ['sh'], Tty: true, AttachStdin: true, AttachStdout: true, AttachStderr: true, DetachKeys: 'ctrl-x' }),
    );
    const id = (JSON.parse(created.body) as { Id: string }).Id;
    const connection = await hijack(engine.socketPath, `/v1.41/exec/${id}/start`, { Detach: false, Tty: true });
    assert.equal(connection.status, 101);
    const resize = await apiRequest(engine.socketPath, 'POST', `/v1.41/exec/${id}/resize?h=33&w=111`);
    assert.equal(resize.status, 200);
    connection.socket.write('echo $((6*7)); stty size\r');
    await connection.waitFor(/42\r\n33 111\r\n/);
    connection.socket.write(Buffer.from([0x18]));
    await connection.ended;
    const inspect = JSON.parse((await apiRequest(engine.socketPath, 'GET', `/v1.41/exec/${id}/json`)).body) as Record<
      string,
      unknown
    >;
    assert.equal(inspect['Running'], true);
    assert.equal(typeof inspect['Pid'], 'number');
  });
});

describe('attach', () => {
  test('detach keys end the connection and the container keeps running; logs=1 replays the log', async () => {
    const started = await run(['run', '-d', '-it', '--name', 'tty', busybox, 'sh']);
    assert.equal(started.exitCode, 0, started.stderr);
    const first = await hijack(engine.socketPath, '/v1.41/containers/tty/attach?stream=1&stdin=1&stdout=1&stderr=1');
    assert.equal(first.status, 101);
    first.socket.write('echo marker-$((40+2))\r');
    await first.waitFor(/marker-42/);
    first.socket.write(Buffer.from([0x10, 0x11]));
    await first.ended;
    const state = await run(['inspect', '-f', '{{.State.Status}}', 'tty']);
    assert.equal(state.stdout.trim(), 'running');

    const custom = await hijack(engine.socketPath, '/v1.41/containers/tty/attach?stream=1&stdin=1&stdout=1&detachKeys=ctrl-a,b');
    custom.socket.write('echo again-$((1+1))\r');
    await custom.waitFor(/again-2/);
    custom.socket.write(Buffer.from([0x01, 0x62]));
    await custom.ended;

    const replay = await hijack(engine.socketPath, '/v1.41/containers/tty/attach?logs=1&stream=0&stdout=1');
    await replay.ended;
    assert.match(replay.received().toString(), /marker-42[\s\S]*again-2/);

    const bad = await apiRequest(engine.socketPath, 'POST', '/v1.41/containers/tty/attach?stream=1&detachKeys=ctrl-1');
    assert.equal(bad.status, 400);
  });
});

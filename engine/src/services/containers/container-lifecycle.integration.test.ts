// Container lifecycle and configuration driven by the real docker CLI: restart, pause, rename,
// update, top, prune, list filters, inspect, Docker's config flags, resource limits, OOM and
// restart policies. Needs root (runc, conmon, overlayfs) and /usr/local/bin/docker.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { docker, removeAllContainers } from '../../testing/docker-cli.js';
import { apiRequest, startEngineProcess, type EngineProcess } from '../../testing/engine-process.js';
import { startTestRegistry, type TestRegistry } from '../../testing/test-registry.js';
import { buildTestImage, pushTestImage } from '../../testing/test-images.js';

let engine: EngineProcess;
let registry: TestRegistry;
let busybox: string;
let users: string;

before(async () => {
  registry = await startTestRegistry();
  await pushTestImage(registry.host, 'busybox', 'latest', await buildTestImage());
  await pushTestImage(
    registry.host,
    'users',
    'v1',
    await buildTestImage({
      extraLayers: [
        [
          { type: 'dir', path: 'etc' },
          {
            type: 'file',
            path: 'etc/passwd',
            content: 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home:/bin/sh\n',
          },
          { type: 'file', path: 'etc/group', content: 'root:x:0:\napp:x:1000:\nstaff:x:50:app\n' },
        ],
      ],
      config: { User: 'app', StopSignal: 'SIGUSR1', Labels: { from: 'image' }, Cmd: ['sh', '-c', 'id'] },
    }),
  );
  busybox = `${registry.host}/busybox:latest`;
  users = `${registry.host}/users:v1`;
  engine = await startEngineProcess();
  const pull = await run(['pull', busybox]);
  assert.equal(pull.exitCode, 0, pull.stderr);
});

after(async () => {
  if (engine !== undefined) {
    await removeAllContainers(engine.socketPath);
    await engine.stop();
  }
  await registry?.stop();
});

const run = (args: string[]) => docker(engine.socketPath, args);

async function ok(args: string[]): Promise<string> {
  const result = await run(args);
  assert.equal(result.exitCode, 0, `docker ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- docker inspect JSON, read field by field
async function inspect(name: string): Promise<Record<string, any>> {
  return JSON.parse(await ok(['inspect', name]))[0];
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The host cgroup v1 directory of a running container's controller, from its init's /proc entry. */
function hostCgroupFile(pid: number, controller: string, file: string): string {
  const line = readFileSync(`/proc/${pid}/cgroup`, 'utf8')
    .split('\n')
    .find((entry) => entry.split(':')[1]?.split(',').includes(controller));
  assert.ok(line !== undefined, `no ${controller} cgroup for ${pid}`);
  return readFileSync(`/sys/fs/cgroup/${controller}${line.split(':')[2]}/${file}`, 'utf8').trim();
}

describe('lifecycle', () => {
  test('pause, unpause, top, rename, restart and stop of a running container', async () => {
    await ok(['run', '-d', '--name', 'life', busybox, 'sleep', '1000']);
    await ok(['pause', 'life']);
    assert.equal((await inspect('life'))['State'].Status, 'paused');
    assert.match(await ok(['ps', '--filter', 'status=paused', '--format', '{{.Names}} {{.Status}}']), /^life Up .* \(Paused\)$/);
    const again = await run(['pause', 'life']);
    assert.notEqual(again.exitCode, 0);
    assert.match(again.stderr, /is already paused/);
    await ok(['unpause', 'life']);
    assert.equal((await inspect('life'))['State'].Status, 'running');
    const notPaused = await run(['unpause', 'life']);
    assert.match(notPaused.stderr, /is not paused/);

    const top = await ok(['top', 'life']);
    assert.match(top.split('\n')[0] ?? '', /UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD/);
    assert.match(top, /sleep 1000/);
    assert.equal(top.split('\n').length, 2, 'only the container process');
    const custom = await ok(['top', 'life', '-o', 'pid,comm']);
    assert.match(custom, /PID\s+COMMAND\n\s*\d+\s+sleep/);

    await ok(['run', '-d', '--name', 'other', busybox, 'sleep', '1000']);
    const clash = await run(['rename', 'life', 'other']);
    assert.notEqual(clash.exitCode, 0);
    assert.match(
      clash.stderr,
      /Error when allocating new name: Conflict\. The container name "\/other" is already in use by container "[0-9a-f]{64}"/,
    );
    await ok(['rename', 'life', 'renamed']);
    assert.equal((await inspect('renamed'))['Name'], '/renamed');
    assert.equal((await run(['inspect', 'life'])).exitCode, 1);

    const before = await inspect('renamed');
    await ok(['restart', '-t', '1', 'renamed']);
    const after = await inspect('renamed');
    assert.equal(after['State'].Status, 'running');
    assert.notEqual(after['State'].Pid, before['State'].Pid);
    assert.notEqual(after['State'].StartedAt, before['State'].StartedAt);
    assert.equal(after['RestartCount'], 0);

    await ok(['stop', '-t', '1', 'renamed', 'other']);
    assert.equal((await ok(['wait', 'renamed'])).trim(), '137');
    await ok(['rm', '-v', 'renamed', 'other']);
  });

  test('update changes the live cgroup and the stored HostConfig', async () => {
    await ok(['run', '-d', '--name', 'upd', busybox, 'sleep', '1000']);
    const refused = await run(['update', '-m', '64m', 'upd']);
    assert.notEqual(refused.exitCode, 0);
    assert.match(refused.stderr, /Memory limit should be smaller than already set memoryswap limit/);
    const out = await ok([
      'update',
      '-m',
      '64m',
      '--memory-swap',
      '128m',
      '--cpus',
      '0.5',
      '--pids-limit',
      '40',
      '--restart',
      'on-failure:3',
      'upd',
    ]);
    assert.equal(out, 'upd');
    const container = await inspect('upd');
    const pid = container['State'].Pid as number;
    assert.equal(hostCgroupFile(pid, 'memory', 'memory.limit_in_bytes'), String(64 * 1024 * 1024));
    assert.equal(hostCgroupFile(pid, 'memory', 'memory.memsw.limit_in_bytes'), String(128 * 1024 * 1024));
    assert.equal(hostCgroupFile(pid, 'cpu', 'cpu.cfs_quota_us'), '50000');
    assert.equal(hostCgroupFile(pid, 'pids', 'pids.max'), '40');
    assert.equal(container['HostConfig'].Memory, 64 * 1024 * 1024);
    assert.equal(container['HostConfig'].MemorySwap, 128 * 1024 * 1024);
    assert.equal(container['HostConfig'].NanoCpus, 500_000_000);
    assert.equal(container['HostConfig'].PidsLimit, 40);
    assert.deepEqual(container['HostConfig'].RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
    const raw = await apiRequest(engine.socketPath, 'POST', '/v1.41/containers/upd/update', '{"CpuShares":512}');
    assert.equal(raw.status, 200);
    assert.deepEqual(JSON.parse(raw.body), { Warnings: null });
    assert.equal(hostCgroupFile(pid, 'cpu', 'cpu.shares'), '512');
    await ok(['rm', '-f', 'upd']);
  });

  test('wait conditions: not-running, next-exit and removed', async () => {
    await ok(['create', '--name', 'waiter', busybox, 'sh', '-c', 'exit 4']);
    const notRunning = await apiRequest(engine.socketPath, 'POST', '/v1.41/containers/waiter/wait?condition=not-running');
    assert.deepEqual(JSON.parse(notRunning.body), { Error: null, StatusCode: 0 });
    const nextExit = apiRequest(engine.socketPath, 'POST', '/v1.41/containers/waiter/wait?condition=next-exit');
    const removed = apiRequest(engine.socketPath, 'POST', '/v1.41/containers/waiter/wait?condition=removed');
    await ok(['start', 'waiter']);
    assert.equal(JSON.parse((await nextExit).body).StatusCode, 4);
    await ok(['rm', 'waiter']);
    assert.equal(JSON.parse((await removed).body).StatusCode, 4);
    const bad = await apiRequest(engine.socketPath, 'POST', '/v1.41/containers/x/wait?condition=whenever');
    assert.equal(bad.status, 400);
  });
});

describe('list, inspect and prune', () => {
  test('docker ps filters, size and a complete inspect', async () => {
    assert.equal(
      (await run(['run', '--name', 'f-one', '--label', 'tier=web', busybox, 'sh', '-c', 'echo data > /tmp/file; exit 3']))
        .exitCode,
      3,
    );
    await ok(['run', '-d', '--name', 'f-two', '--label', 'tier=db', '-m', '32m', busybox, 'sleep', '1000']);
    await ok(['create', '--name', 'f-three', '--expose', '8080', busybox, 'true']);
    const names = async (...filters: string[]): Promise<string> =>
      (await ok(['ps', '-a', '--format', '{{.Names}}', ...filters.flatMap((filter) => ['--filter', filter])]))
        .split('\n')
        .filter((name) => name.startsWith('f-'))
        .sort()
        .join(',');
    assert.equal(await names('label=tier'), 'f-one,f-two');
    assert.equal(await names('label=tier=db'), 'f-two');
    assert.equal(await names('status=exited'), 'f-one');
    assert.equal(await names('status=created'), 'f-three');
    assert.equal(await names('exited=3'), 'f-one');
    assert.equal(await names('exited=0'), '');
    assert.equal(await names('name=f-t'), 'f-three,f-two');
    assert.equal(await names('ancestor=' + busybox), 'f-one,f-three,f-two');
    const imageId = await ok(['image', 'inspect', '--format', '{{.Id}}', busybox]);
    assert.equal(await names('ancestor=' + imageId), 'f-one,f-three,f-two');
    assert.equal(await names('ancestor=' + imageId.slice(7, 19)), 'f-one,f-three,f-two');
    assert.equal(await names('ancestor=nothing:here'), '');
    assert.equal(await names('before=f-three'), 'f-one,f-two');
    assert.equal(await names('since=f-one'), 'f-three,f-two');
    assert.equal(await names('expose=8080/tcp'), 'f-three');
    assert.equal(await names('health=none', 'label=tier=db'), 'f-two');
    const id = await ok(['inspect', '--format', '{{.Id}}', 'f-two']);
    assert.equal(await names('id=' + id.slice(0, 10)), 'f-two');
    assert.equal(await ok(['ps', '--format', '{{.Names}}', '--filter', 'name=^/f-']), 'f-two');
    const badFilter = await run(['ps', '--filter', 'colour=blue']);
    assert.match(badFilter.stderr, /invalid filter 'colour'/);

    const sized = await ok(['ps', '-a', '-s', '--filter', 'name=f-one', '--format', '{{.Size}}']);
    assert.match(sized, /^5B \(virtual \d/);

    const two = await inspect('f-two');
    assert.equal(two['HostConfig'].Memory, 32 * 1024 * 1024);
    assert.equal(two['HostConfig'].MemorySwap, 64 * 1024 * 1024);
    assert.equal(two['HostConfig'].ShmSize, 67108864);
    assert.equal(two['HostConfig'].IpcMode, 'private');
    assert.equal(two['HostConfig'].PidsLimit, null);
    assert.equal(two['HostConfig'].LogConfig.Type, 'json-file');
    assert.deepEqual(two['Config'].Labels, { tier: 'db' });
    for (const key of ['LowerDir', 'MergedDir', 'UpperDir', 'WorkDir'])
      assert.match(two['GraphDriver'].Data[key], /^\//, `GraphDriver.Data.${key}`);
    assert.match(two['ResolvConfPath'], /resolv\.conf$/);
    assert.match(two['HostnamePath'], /hostname$/);
    assert.match(two['HostsPath'], /hosts$/);
    assert.match(two['LogPath'], /\//);
    assert.equal(two['State'].Running, true);
    await ok(['rm', '-f', 'f-two']);
  });

  test('container prune removes stopped containers matching the filters', async () => {
    await ok(['create', '--name', 'p-keep', '--label', 'keep=yes', busybox, 'true']);
    await ok(['create', '--name', 'p-drop', busybox, 'true']);
    await ok(['run', '-d', '--name', 'p-live', busybox, 'sleep', '1000']);
    const raw = await apiRequest(
      engine.socketPath,
      'POST',
      `/v1.41/containers/prune?filters=${encodeURIComponent(JSON.stringify({ 'label!': ['keep'] }))}`,
    );
    assert.equal(raw.status, 200);
    const body = JSON.parse(raw.body);
    assert.ok(Array.isArray(body.ContainersDeleted));
    assert.equal(typeof body.SpaceReclaimed, 'number');
    const remaining = (await ok(['ps', '-a', '--format', '{{.Names}}'])).split('\n');
    assert.ok(remaining.includes('p-keep'));
    assert.ok(remaining.includes('p-live'));
    assert.ok(!remaining.includes('p-drop'));
    await ok(['container', 'prune', '-f', '--filter', 'until=1h']);
    assert.ok((await ok(['ps', '-a', '--format', '{{.Names}}'])).split('\n').includes('p-keep'));
    const pruned = await ok(['container', 'prune', '-f']);
    assert.match(pruned, /Deleted Containers:/);
    assert.deepEqual((await ok(['ps', '-a', '--format', '{{.Names}}'])).split('\n'), ['p-live']);
    await ok(['rm', '-f', 'p-live']);
  });
});

describe('configuration flags', () => {
  test('image config merge: user name:group, stop signal, labels; hostname, --init, --read-only, --shm-size, --ulimit', async () => {
    assert.equal(await ok(['run', '--rm', users]), 'uid=1000(app) gid=1000(app) groups=50(staff)');
    assert.equal(await ok(['run', '--rm', '-u', 'app:staff', users, 'id']), 'uid=1000(app) gid=50(staff)');
    const unknown = await run(['run', '--rm', '-u', 'ghost', users, 'id']);
    assert.notEqual(unknown.exitCode, 0);
    assert.match(unknown.stderr, /unable to find user ghost/);
    await ok(['create', '--name', 'cfg', '-l', 'extra=1', users]);
    const cfg = await inspect('cfg');
    assert.equal(cfg['Config'].StopSignal, 'SIGUSR1');
    assert.equal(cfg['Config'].User, 'app');
    assert.deepEqual(cfg['Config'].Labels, { from: 'image', extra: '1' });
    await ok(['rm', 'cfg']);

    assert.equal(await ok(['run', '--rm', '--hostname', 'box', busybox, 'hostname']), 'box');
    const init = await ok(['run', '--rm', '--init', busybox, 'sh', '-c', 'cat /proc/1/cmdline | tr "\\0" " "; echo; echo $$']);
    assert.match(init, /^\/sbin\/docker-init -- sh -c/);
    assert.notEqual(init.split('\n')[1], '1', 'the command is not PID 1 under --init');
    const readOnly = await run(['run', '--rm', '--read-only', busybox, 'touch', '/x']);
    assert.notEqual(readOnly.exitCode, 0);
    assert.match(readOnly.stderr, /Read-only file system/);
    assert.match(await ok(['run', '--rm', '--shm-size', '16m', busybox, 'grep', '/dev/shm', '/proc/mounts']), /size=16384k/);
    assert.match(
      await ok(['run', '--rm', '--ulimit', 'nofile=1024:2048', busybox, 'grep', 'open files', '/proc/self/limits']),
      /Max open files\s+1024\s+2048/,
    );
  });

  test('confinement: default capabilities, cap-add/drop, privileged, no-new-privileges, seccomp, devices', async () => {
    const status = (args: string[], field: string): Promise<string> =>
      ok(['run', '--rm', ...args, busybox, 'grep', `^${field}:`, '/proc/self/status']).then((line) => line.split(/\s+/)[1] ?? '');
    assert.equal(await status([], 'CapEff'), '00000000a80425fb');
    assert.equal(await status(['--cap-drop', 'ALL'], 'CapEff'), '0000000000000000');
    assert.equal(await status(['--cap-add', 'NET_ADMIN', '--cap-drop', 'CHOWN'], 'CapEff'), '00000000a80435fa');
    const engineBounding = /CapBnd:\s+(\w+)/.exec(readFileSync(`/proc/${engine.process.pid}/status`, 'utf8'))?.[1];
    assert.equal(await status(['--privileged'], 'CapEff'), engineBounding);
    assert.equal(await status([], 'Seccomp'), '2');
    assert.equal(await status(['--security-opt', 'seccomp=unconfined'], 'Seccomp'), '0');
    assert.equal(await status(['--security-opt', 'no-new-privileges'], 'NoNewPrivs'), '1');
    assert.equal(await status([], 'NoNewPrivs'), '0');
    const denied = await run(['run', '--rm', busybox, 'sh', '-c', 'test -e /dev/fuse && echo present || echo absent']);
    assert.equal(denied.stdout.trim(), 'absent');
    assert.equal(
      await ok([
        'run',
        '--rm',
        '--device',
        '/dev/fuse:/dev/myfuse',
        busybox,
        'sh',
        '-c',
        'test -c /dev/myfuse && exec 3<>/dev/myfuse && echo opened',
      ]),
      'opened',
    );
    const noDevice = await run(['run', '--rm', '--device', '/dev/does-not-exist', busybox, 'true']);
    assert.notEqual(noDevice.exitCode, 0);
    assert.match(noDevice.stderr, /error gathering device information/);
  });

  test('resource limits are visible in the container cgroup files', async () => {
    const script = [
      'cat /sys/fs/cgroup/memory/memory.limit_in_bytes',
      'cat /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes',
      'cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us /sys/fs/cgroup/cpu/cpu.shares',
      'cat /sys/fs/cgroup/cpuset/cpuset.cpus /sys/fs/cgroup/pids/pids.max',
    ].join('; ');
    const limits = await ok([
      'run',
      '--rm',
      '-m',
      '64m',
      '--cpus',
      '0.5',
      '--cpu-shares',
      '512',
      '--cpuset-cpus',
      '0',
      '--pids-limit',
      '50',
      busybox,
      'sh',
      '-c',
      script,
    ]);
    assert.deepEqual(limits.split('\n'), [String(64 << 20), String(128 << 20), '50000', '100000', '512', '0', '50']);
    const swap = await ok([
      'run',
      '--rm',
      '-m',
      '64m',
      '--memory-swap',
      '96m',
      busybox,
      'cat',
      '/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes',
    ]);
    assert.equal(swap, String(96 << 20));
  });

  test('an out-of-memory kill is reported in State', async () => {
    const result = await run([
      'run',
      '--name',
      'oom',
      '-m',
      '8m',
      '--memory-swap',
      '8m',
      busybox,
      'sh',
      '-c',
      'head -c 50m /dev/zero | tail',
    ]);
    assert.notEqual(result.exitCode, 0);
    const state = (await inspect('oom'))['State'];
    assert.equal(state.OOMKilled, true);
    assert.equal(state.ExitCode, 137);
    await ok(['rm', 'oom']);
  });
});

describe('restart policies', () => {
  test('on-failure:N retries with backoff and stops at N; always restarts until stopped by hand', async () => {
    await ok(['run', '-d', '--name', 'flaky', '--restart', 'on-failure:2', busybox, 'sh', '-c', 'exit 3']);
    const final = await waitFor('flaky to give up', async () => {
      const container = await inspect('flaky');
      return container['State'].Status === 'exited' && container['RestartCount'] === 2 ? container : undefined;
    });
    assert.equal(final['State'].ExitCode, 3);

    await ok(['run', '-d', '--name', 'looper', '--restart', 'always', busybox, 'sh', '-c', 'sleep 0.3; exit 0']);
    await waitFor('looper to restart', async () => ((await inspect('looper'))['RestartCount'] >= 2 ? true : undefined));
    const seen = await waitFor('looper restarting', async () =>
      (await inspect('looper'))['State'].Status === 'restarting' ? true : undefined,
    );
    assert.equal(seen, true);
    await ok(['stop', '-t', '1', 'looper']);
    const stopped = await inspect('looper');
    assert.equal(stopped['State'].Status, 'exited');
    const count = stopped['RestartCount'];
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal((await inspect('looper'))['State'].Status, 'exited', 'a manual stop is not restarted');
    assert.equal((await inspect('looper'))['RestartCount'], count);
    await ok(['rm', '-f', 'flaky', 'looper']);
  });

  test('the engine restarts always/unless-stopped containers whose task died while it was down', async () => {
    await ok(['run', '-d', '--name', 'survivor', '--restart', 'always', busybox, 'sleep', '1000']);
    await ok(['run', '-d', '--name', 'halted', '--restart', 'unless-stopped', busybox, 'sleep', '1000']);
    await ok(['stop', '-t', '0', 'halted']);
    const pid = (await inspect('survivor'))['State'].Pid as number;
    await engine.kill();
    process.kill(pid, 'SIGKILL');
    engine = await startEngineProcess({ dataRoot: engine.dataRoot });
    const restarted = await waitFor('survivor to be running again', async () => {
      const state = (await inspect('survivor'))['State'];
      return state.Status === 'running' && state.Pid !== pid ? state : undefined;
    });
    assert.notEqual(restarted.Pid, pid);
    assert.equal((await inspect('halted'))['State'].Status, 'exited');
    await ok(['rm', '-f', 'survivor', 'halted']);
  });
});

describe('bad input', () => {
  test('unknown containers, conflicts, bad signals and bad resources change nothing', async () => {
    for (const args of [
      ['restart', 'ghost'],
      ['pause', 'ghost'],
      ['unpause', 'ghost'],
      ['top', 'ghost'],
      ['rename', 'ghost', 'x'],
      ['update', '--cpus', '1', 'ghost'],
    ]) {
      const result = await run(args);
      assert.notEqual(result.exitCode, 0, args.join(' '));
      assert.match(result.stderr, /No such container: ghost/, args.join(' '));
    }
    await ok(['create', '--name', 'taken', busybox, 'true']);
    const before = await ok(['ps', '-a', '--format', '{{.ID}}']);
    const clash = await apiRequest(
      engine.socketPath,
      'POST',
      '/v1.41/containers/create?name=taken',
      JSON.stringify({ Image: busybox }),
    );
    assert.equal(clash.status, 409);
    assert.match(
      JSON.parse(clash.body).message,
      /^Conflict\. The container name "\/taken" is already in use by container "[0-9a-f]{64}"\. You have to remove \(or rename\) that container to be able to reuse that name\.$/,
    );
    const tooSmall = await apiRequest(
      engine.socketPath,
      'POST',
      '/v1.41/containers/create?name=tiny',
      JSON.stringify({ Image: busybox, HostConfig: { Memory: 4 * 1024 * 1024 } }),
    );
    assert.equal(tooSmall.status, 400);
    assert.equal(JSON.parse(tooSmall.body).message, 'Minimum memory limit allowed is 6MB');
    const cli = await run(['run', '-m', '4m', busybox, 'true']);
    assert.match(cli.stderr, /Minimum memory limit allowed is 6MB/);
    const badPolicy = await apiRequest(
      engine.socketPath,
      'POST',
      '/v1.41/containers/create',
      JSON.stringify({ Image: busybox, HostConfig: { RestartPolicy: { Name: 'sometimes' } } }),
    );
    assert.equal(badPolicy.status, 400);
    assert.equal(await ok(['ps', '-a', '--format', '{{.ID}}']), before, 'nothing was created');

    await ok(['start', 'taken']);
    await ok(['run', '-d', '--name', 'sig', busybox, 'sleep', '1000']);
    const badSignal = await apiRequest(engine.socketPath, 'POST', '/v1.41/containers/sig/kill?signal=SIGNOPE');
    assert.equal(badSignal.status, 400);
    assert.match(JSON.parse(badSignal.body).message, /Invalid signal: SIGNOPE/);
    const badUpdate = await run(['update', '-m', '1m', '--memory-swap', '2m', 'sig']);
    assert.match(badUpdate.stderr, /Minimum memory limit allowed is 6MB/);
    assert.equal((await inspect('sig'))['HostConfig'].Memory, 0, 'a refused update stores nothing');
    assert.equal((await inspect('sig'))['State'].Status, 'running');
    await ok(['rm', '-f', 'sig', 'taken']);
  });
});

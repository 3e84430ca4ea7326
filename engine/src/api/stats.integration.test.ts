// `docker stats` against the engine: the CLI's columns and the raw stats JSON (shape, precpu,
// streaming cadence, stopped containers). Needs root (runc, conmon, cgroups) and the docker CLI.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { docker } from '../testing/docker-cli.js';
import { apiRequest, startEngineProcess, type EngineProcess } from '../testing/engine-process.js';
import { startTestRegistry, type TestRegistry } from '../testing/test-registry.js';
import { buildTestImage, pushTestImage } from '../testing/test-images.js';
import { jsonFieldPaths } from '../testing/json-shape.js';
import { startReferenceDockerd } from '../testing/reference-dockerd.js';

let engine: EngineProcess;
let registry: TestRegistry;
let busybox: string;
const cgroupV2 = existsSync('/sys/fs/cgroup/cgroup.controllers');
const hostMemory = Number(/^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1]) * 1024;

before(async () => {
  registry = await startTestRegistry();
  await pushTestImage(registry.host, 'busybox', 'latest', await buildTestImage());
  busybox = `${registry.host}/busybox`;
  engine = await startEngineProcess();
  await run(['pull', busybox]);
  await run(['run', '-d', '--name', 'busy', busybox, 'sh', '-c', 'while :; do :; done']);
  await run(['run', '-d', '--name', 'idle', '-m', '64m', '--pids-limit', '50', busybox, 'sleep', '600']);
  await run(['run', '-d', '--name', 'isolated', '--network', 'none', busybox, 'sleep', '600']);
  await run(['create', '--name', 'never-started', busybox, 'true']);
});

after(async () => {
  if (engine !== undefined) {
    await docker(engine.socketPath, ['rm', '-f', 'busy', 'idle', 'isolated', 'never-started', 'doomed']);
    await engine.stop();
  }
  await registry?.stop();
});

async function run(args: string[]): Promise<string> {
  const result = await docker(engine.socketPath, args);
  assert.equal(result.exitCode, 0, `docker ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

interface StatsFrame {
  read: string;
  preread: string;
  pids_stats: { current?: number; limit?: number };
  blkio_stats: Record<string, unknown[] | null>;
  cpu_stats: {
    cpu_usage: { total_usage: number; percpu_usage?: number[]; usage_in_kernelmode: number; usage_in_usermode: number };
    system_cpu_usage?: number;
    online_cpus?: number;
    throttling_data: Record<string, number>;
  };
  precpu_stats: StatsFrame['cpu_stats'];
  memory_stats: { usage?: number; max_usage?: number; limit?: number; stats?: Record<string, number> };
  name: string;
  id: string;
  networks?: Record<string, Record<string, number>>;
}

/** Opens a streaming stats request and collects `count` frames with their arrival times. */
function streamFrames(
  path: string,
  count: number,
): Promise<{ frames: StatsFrame[]; arrivals: number[]; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: engine.socketPath, path, method: 'GET' }, (res) => {
      const frames: StatsFrame[] = [];
      const arrivals: number[] = [];
      let buffered = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffered += chunk;
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          frames.push(JSON.parse(buffered.slice(0, newline)) as StatsFrame);
          arrivals.push(Date.now());
          buffered = buffered.slice(newline + 1);
          if (frames.length === count) {
            req.destroy();
            resolve({ frames, arrivals, headers: res.headers });
            return;
          }
        }
      });
      res.on('end', () => resolve({ frames, arrivals, headers: res.headers }));
    });
    req.on('error', (error) => ((error as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(error)));
    req.end();
  });
}

const cliPercent = (value: string): number => Number(value.replace('%', ''));

describe('docker stats', () => {
  test('--no-stream shows CPU %, memory and limit, net and block I/O, PIDs as dockerd would', async () => {
    const lines = (await run(['stats', '--no-stream', '--format', '{{json .}}', 'busy', 'idle'])).trim().split('\n');
    const rows = new Map(lines.map((line) => JSON.parse(line) as Record<string, string>).map((row) => [row['Name'], row]));
    const busy = rows.get('busy');
    const idle = rows.get('idle');
    assert.ok(busy !== undefined && idle !== undefined, lines.join('\n'));
    // A shell spinning on one CPU: near 100% on an idle host; other work on a shared machine lowers it.
    assert.ok(cliPercent(busy['CPUPerc'] ?? '') > 15, `busy CPU ${busy['CPUPerc']}`);
    assert.ok(cliPercent(idle['CPUPerc'] ?? '') < 5, `idle CPU ${idle['CPUPerc']}`);
    assert.match(idle['MemUsage'] ?? '', /^[\d.]+[KM]iB \/ 64MiB$/);
    assert.match(busy['MemUsage'] ?? '', /^[\d.]+[KM]iB \/ [\d.]+GiB$/);
    assert.ok(cliPercent(idle['MemPerc'] ?? '') > 0);
    assert.equal(idle['PIDs'], '1');
    assert.match(idle['NetIO'] ?? '', /^[\d.]+[kMG]?B \/ [\d.]+[kMG]?B$/);
    assert.match(idle['BlockIO'] ?? '', /^[\d.]+[kMG]?B \/ [\d.]+[kMG]?B$/);
  });

  test('streaming docker stats keeps refreshing every container it was given', async () => {
    const result = await docker(engine.socketPath, ['stats', '--format', '{{.Name}} {{.CPUPerc}} {{.PIDs}}', 'busy', 'idle'], {
      timeoutMs: 3500,
    });
    // Killed by the timeout; what it printed is the judge. Each refresh prints every row again.
    const busyRows = result.stdout.match(/busy [\d.]+% 1/g) ?? [];
    const idleRows = result.stdout.match(/idle [\d.]+% 1/g) ?? [];
    assert.ok(busyRows.length >= 2 && idleRows.length >= 2, result.stdout);
    assert.doesNotMatch(result.stdout, /--/, 'no container went stale');
  });
});

describe('the stats JSON', () => {
  test("stream=0 is one object with dockerd's shape and a real precpu_stats one second earlier", async () => {
    const started = Date.now();
    const response = await apiRequest(engine.socketPath, 'GET', '/v1.41/containers/busy/stats?stream=0');
    const elapsed = Date.now() - started;
    assert.equal(response.status, 200);
    assert.equal(response.headers['content-type'], 'application/json');
    assert.ok(response.headers['content-length'] !== undefined, 'a plain body, not chunked');
    assert.ok(elapsed >= 500 && elapsed < 2500, `took ${elapsed} ms`);
    const frame = JSON.parse(response.body) as StatsFrame;
    const id = (await run(['inspect', '--format', '{{.Id}}', 'busy'])).trim();
    assert.equal(frame.id, id);
    assert.equal(frame.name, '/busy');
    const expectedKeys = [
      'read',
      'preread',
      'pids_stats',
      'blkio_stats',
      'num_procs',
      'storage_stats',
      'cpu_stats',
      'precpu_stats',
      'memory_stats',
      'name',
      'id',
    ];
    assert.deepEqual(
      Object.keys(frame).filter((key) => key !== 'networks'),
      expectedKeys,
    );
    const interval = Date.parse(frame.read) - Date.parse(frame.preread);
    assert.ok(interval >= 500 && interval <= 1600, `samples ${interval} ms apart`);
    const cpuDelta = frame.cpu_stats.cpu_usage.total_usage - frame.precpu_stats.cpu_usage.total_usage;
    const systemDelta = (frame.cpu_stats.system_cpu_usage ?? 0) - (frame.precpu_stats.system_cpu_usage ?? 0);
    assert.ok(cpuDelta > 0 && systemDelta > 0, 'both CPU counters advanced');
    // The host's CPU time over about a second is about one second per online CPU.
    const online = frame.cpu_stats.online_cpus ?? 0;
    assert.ok(online >= 1);
    assert.ok(systemDelta / online > 0.5e9 && systemDelta / online < 2e9, `system delta ${systemDelta}`);
    assert.ok(cpuDelta <= systemDelta);
    assert.deepEqual(Object.keys(frame.cpu_stats.throttling_data), ['periods', 'throttled_periods', 'throttled_time']);
    assert.equal(frame.pids_stats.current, 1);
    assert.equal(frame.memory_stats.limit, hostMemory);
    assert.ok((frame.memory_stats.usage ?? 0) > 0);
    if (cgroupV2) {
      assert.equal(frame.cpu_stats.cpu_usage.percpu_usage, undefined);
      assert.equal(frame.memory_stats.max_usage, undefined);
      assert.equal(typeof frame.memory_stats.stats?.['inactive_file'], 'number');
      assert.equal(frame.blkio_stats['io_serviced_recursive'], null);
    } else {
      assert.equal(frame.cpu_stats.cpu_usage.percpu_usage?.length, online);
      assert.ok((frame.memory_stats.max_usage ?? 0) >= (frame.memory_stats.usage ?? 0));
      assert.equal(typeof frame.memory_stats.stats?.['total_inactive_file'], 'number');
      assert.deepEqual(frame.blkio_stats['sectors_recursive'], []);
    }
    // No interface but loopback (the container has no network attached): no `networks`, as dockerd.
    const networks = JSON.parse(await run(['inspect', '--format', '{{json .NetworkSettings.Networks}}', 'busy'])) as Record<
      string,
      unknown
    >;
    if (Object.keys(networks).length === 0) assert.equal(frame.networks, undefined);
    else assert.ok(frame.networks !== undefined && !('lo' in frame.networks));
  });

  test('limits show: memory limit and pids limit of a constrained container; one-shot answers at once', async () => {
    const started = Date.now();
    const response = await apiRequest(engine.socketPath, 'GET', '/v1.41/containers/idle/stats?stream=0&one-shot=1');
    assert.ok(Date.now() - started < 800, 'one-shot does not wait for a second sample');
    const frame = JSON.parse(response.body) as StatsFrame;
    assert.equal(frame.memory_stats.limit, 64 * 1024 * 1024);
    assert.deepEqual(frame.pids_stats, { current: 1, limit: 50 });
    assert.equal(frame.preread, '0001-01-01T00:00:00Z');
    assert.equal(frame.precpu_stats.cpu_usage.total_usage, 0);
  });

  test('stream=1: chunked, one frame about every second, each frame chained to the previous one', async () => {
    const { frames, arrivals, headers } = await streamFrames('/v1.41/containers/busy/stats?stream=1', 3);
    assert.equal(headers['transfer-encoding'], 'chunked');
    assert.equal(frames.length, 3);
    assert.equal(frames[1]?.preread, frames[0]?.read);
    assert.equal(frames[2]?.preread, frames[1]?.read);
    assert.deepEqual(frames[2]?.precpu_stats, frames[1]?.cpu_stats);
    const gap = (arrivals[2] ?? 0) - (arrivals[1] ?? 0);
    assert.ok(gap > 700 && gap < 1500, `frames ${gap} ms apart`);
  });

  test('a stopped container: stream=0 answers zeros at once; a stream shows zeros and ends when it is removed', async () => {
    const zero = JSON.parse(
      (await apiRequest(engine.socketPath, 'GET', '/v1.41/containers/never-started/stats?stream=0')).body,
    ) as StatsFrame;
    assert.equal(zero.read, '0001-01-01T00:00:00Z');
    assert.equal(zero.name, '/never-started');
    assert.deepEqual(zero.memory_stats, {});
    assert.deepEqual(zero.pids_stats, {});
    assert.equal(zero.blkio_stats['io_service_bytes_recursive'], null);

    await run(['run', '-d', '--name', 'doomed', busybox, 'sleep', '600']);
    const streaming = streamFrames('/v1.41/containers/doomed/stats', 100);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await run(['rm', '-f', 'doomed']);
    const { frames } = await streaming;
    assert.ok(frames.length >= 2 && frames.length < 10, `${frames.length} frames`);
    assert.ok(
      frames.some((frame) => frame.read !== '0001-01-01T00:00:00Z'),
      'frames while it ran',
    );
  });

  test("one-shot stats have exactly the fields Debian's dockerd gives for the same containers on this host", async () => {
    const dockerd = await startReferenceDockerd();
    try {
      const onDockerd = (args: string[]) => docker(dockerd.socketPath, args);
      assert.equal((await onDockerd(['pull', busybox])).exitCode, 0);
      for (const [name, args] of [
        ['idle', ['-m', '64m', '--pids-limit', '50']],
        ['isolated', ['--network', 'none']],
      ] as const) {
        const started = await onDockerd(['run', '-d', '--name', name, ...args, busybox, 'sleep', '600']);
        assert.equal(started.exitCode, 0, started.stderr);
        const theirs = await apiRequest(dockerd.socketPath, 'GET', `/v1.41/containers/${name}/stats?stream=false`);
        const ours = await apiRequest(engine.socketPath, 'GET', `/v1.41/containers/${name}/stats?stream=false`);
        assert.deepEqual(jsonFieldPaths(JSON.parse(ours.body)), jsonFieldPaths(JSON.parse(theirs.body)), name);
      }
    } finally {
      await docker(dockerd.socketPath, ['rm', '-f', 'idle', 'isolated']);
      await dockerd.stop();
    }
  });

  test('errors: unknown container 404, stream with one-shot 400', async () => {
    const missing = await apiRequest(engine.socketPath, 'GET', '/v1.41/containers/nope/stats?stream=0');
    assert.equal(missing.status, 404);
    assert.equal(JSON.parse(missing.body).message, 'No such container: nope');
    const missingStream = await apiRequest(engine.socketPath, 'GET', '/v1.41/containers/nope/stats');
    assert.equal(missingStream.status, 404);
    const both = await apiRequest(engine.socketPath, 'GET', '/v1.41/containers/idle/stats?stream=1&one-shot=1');
    assert.equal(both.status, 400);
    const cli = await docker(engine.socketPath, ['stats', '--no-stream', 'nope']);
    assert.notEqual(cli.exitCode, 0);
    assert.match(cli.stderr, /No such container: nope/);
  });
});

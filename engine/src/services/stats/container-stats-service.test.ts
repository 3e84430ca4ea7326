import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, ContainerStatus } from '../../core/containers/container.js';
import type {
  CgroupStats,
  ContainerStatsProbe,
  StatsProbeTarget,
  StatsSource,
  StatsReport,
} from '../../core/stats/container-stats.js';
import { createSilentLogger } from '../../lib/logger.js';
import { ContainerStatsService } from './container-stats-service.js';

/** Counters that grow by one CPU second per read, from an in-memory "cgroup". */
class CountingSource implements StatsSource {
  readonly opened: StatsProbeTarget[] = [];
  reads = 0;
  closed = 0;
  failReads = false;
  memoryLimit: number | undefined;

  open(target: StatsProbeTarget): ContainerStatsProbe {
    this.opened.push(target);
    return {
      read: async () => {
        if (this.failReads) throw new Error('ENODEV');
        this.reads++;
        return {
          readNano: BigInt(this.reads) * 1_000_000_000n,
          cgroup: cgroupStats(this.reads, this.memoryLimit),
          host: { systemUsageNs: this.reads * 2e9, onlineCpus: 2 },
        };
      },
      close: () => {
        this.closed++;
      },
    };
  }

  async hostMemoryBytes(): Promise<number> {
    return 8 * 1024 ** 3;
  }
}

function cgroupStats(reads: number, limit: number | undefined): CgroupStats {
  const none = null;
  return {
    version: 2,
    cpu: { totalNs: reads * 1e9, kernelNs: 0, userNs: 0, throttling: { periods: 0, throttledPeriods: 0, throttledTimeNs: 0 } },
    memory: { usage: 1000, failcnt: 0, ...(limit !== undefined ? { limit } : {}), stats: {} },
    blkio: {
      io_service_bytes_recursive: none,
      io_serviced_recursive: none,
      io_queue_recursive: none,
      io_service_time_recursive: none,
      io_wait_time_recursive: none,
      io_merged_recursive: none,
      io_time_recursive: none,
      sectors_recursive: none,
    },
    pids: { current: 1 },
  };
}

function fixture(status: ContainerStatus = 'running') {
  const source = new CountingSource();
  let container: Container | undefined = {
    id: 'c'.repeat(64),
    name: 'web',
    hostConfig: { NetworkMode: 'bridge' },
    state: { status, pid: status === 'running' ? 4242 : 0 },
  } as Container;
  const service = new ContainerStatsService({
    source,
    containers: {
      get: (reference) => {
        if (container === undefined || (reference !== container.id && reference !== container.name))
          throw new Error('No such container');
        return container;
      },
      find: (reference) => (container !== undefined && reference === container.id ? container : undefined),
    },
    intervalMs: 20,
    logger: createSilentLogger(),
  });
  return {
    source,
    service,
    setState: (state: Partial<Container['state']>) => {
      if (container !== undefined) container = { ...container, state: { ...container.state, ...state } };
    },
    remove: () => {
      container = undefined;
    },
  };
}

function collect(count: number, service: ContainerStatsService, reference: string): Promise<StatsReport[]> {
  const controller = new AbortController();
  const reports: StatsReport[] = [];
  return new Promise((resolve) => {
    void service.stream(reference, controller.signal, (report) => {
      reports.push(report);
      if (reports.length === count) {
        controller.abort();
        resolve(reports);
      }
    });
  });
}

test('stream: each frame carries the previous sample as precpu; the first has none', async () => {
  const { service, source } = fixture();
  const reports = await collect(3, service, 'web');
  assert.equal(reports[0]?.previous, undefined);
  assert.equal(reports[1]?.previous, reports[0]?.current);
  assert.equal(reports[2]?.previous, reports[1]?.current);
  assert.equal(reports[2]?.current?.cgroup.cpu.totalNs, 3e9);
  assert.deepEqual(source.opened, [{ containerId: 'c'.repeat(64), pid: 4242, ownNetwork: true }]);
  // The last client left: the sampler stopped and closed its files.
  assert.equal(service.activeSamplers, 0);
  assert.equal(source.closed, 1);
});

test('clients of one container share one sampler: one read per interval whatever their number', async () => {
  const { service, source } = fixture();
  const [a, b] = await Promise.all([collect(4, service, 'web'), collect(4, service, 'web')]);
  assert.equal(source.opened.length, 1);
  // Both saw the same samples; the reads were not doubled.
  assert.deepEqual(
    a.map((report) => report.current?.readNano),
    b.map((report) => report.current?.readNano),
  );
  assert.ok(source.reads <= 5, `reads: ${source.reads}`);
});

test('once: two samples one interval apart (real precpu); one-shot takes the first', async () => {
  const { service } = fixture();
  const report = await service.once('web', { oneShot: false }, new AbortController().signal);
  assert.equal(report.previous?.cgroup.cpu.totalNs, 1e9);
  assert.equal(report.current?.cgroup.cpu.totalNs, 2e9);
  const single = await service.once('web', { oneShot: true }, new AbortController().signal);
  assert.equal(single.previous, undefined);
  assert.ok(single.current !== undefined);
});

test("memory limit: the host's memory when unlimited or larger, else the cgroup's", async () => {
  const { service, source } = fixture();
  assert.equal((await service.once('web', { oneShot: true }, new AbortController().signal)).current?.memoryLimit, 8 * 1024 ** 3);
  source.memoryLimit = 64 * 1024 ** 2;
  assert.equal((await service.once('web', { oneShot: true }, new AbortController().signal)).current?.memoryLimit, 64 * 1024 ** 2);
  source.memoryLimit = 2 ** 63;
  assert.equal((await service.once('web', { oneShot: true }, new AbortController().signal)).current?.memoryLimit, 8 * 1024 ** 3);
});

test('a stopped container: once answers zeros at once; a stream reports zeros and ends on removal', async () => {
  const stopped = fixture('exited');
  const report = await stopped.service.once('web', { oneShot: false }, new AbortController().signal);
  assert.deepEqual(report, { id: 'c'.repeat(64), name: 'web' });
  assert.equal(stopped.source.opened.length, 0);

  const { service, source, setState, remove } = fixture();
  const reports: StatsReport[] = [];
  const ended = service.stream('web', new AbortController().signal, (frame) => {
    reports.push(frame);
    if (reports.length === 2) setState({ status: 'exited', pid: 0 });
    if (reports.length === 4) remove();
  });
  await ended;
  assert.ok(reports[1]?.current !== undefined);
  assert.equal(reports[2]?.current, undefined);
  assert.equal(reports[3]?.current, undefined);
  // dockerd carries the last sample as precpu into the first zero frame.
  assert.equal(reports[2]?.previous, reports[1]?.current);
  assert.equal(source.closed, 1);
  assert.equal(service.activeSamplers, 0);
});

test('a read failing (cgroup gone before the exit was recorded) gives zeros, not an error', async () => {
  const { service, source } = fixture();
  source.failReads = true;
  const [report] = await collect(1, service, 'web');
  assert.equal(report?.current, undefined);
  assert.equal(report?.name, 'web');
});

test('unknown containers are rejected before anything streams', () => {
  const { service } = fixture();
  assert.throws(() => service.stream('nope', new AbortController().signal, () => undefined), /No such container/);
});

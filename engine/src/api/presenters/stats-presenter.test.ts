import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerStatsSample } from '../../core/stats/container-stats.js';
import { jsonWithBigInts } from './json-bigint.js';
import { presentStats } from './stats-presenter.js';

const id = 'a'.repeat(64);

function v1Sample(readNano: bigint, totalNs: number, systemTicks: number): ContainerStatsSample {
  return {
    readNano,
    cgroup: {
      version: 1,
      cpu: {
        totalNs,
        perCpuNs: [totalNs - 1000, 1000],
        kernelNs: 10_000_000,
        userNs: 40_000_000,
        throttling: { periods: 6, throttledPeriods: 0, throttledTimeNs: 0 },
      },
      memory: {
        usage: 446464,
        maxUsage: 4075520,
        failcnt: 0,
        stats: { total_inactive_file: 12288, hierarchical_memory_limit: 9223372036854771712n },
      },
      blkio: {
        io_service_bytes_recursive: [{ major: 8, minor: 0, op: 'Read', value: 4096 }],
        io_serviced_recursive: [],
        io_queue_recursive: [],
        io_service_time_recursive: [],
        io_wait_time_recursive: [],
        io_merged_recursive: [],
        io_time_recursive: [],
        sectors_recursive: [],
      },
      pids: { current: 2 },
    },
    host: { systemUsageNs: systemTicks * 10_000_000, onlineCpus: 2 },
    memoryLimit: 67108864,
  };
}

/** docker/cli's calculateCPUPercentUnix, the judge of what `docker stats` shows. */
function cliCpuPercent(frame: {
  cpu_stats: { cpu_usage: { total_usage: number; percpu_usage?: number[] }; system_cpu_usage?: number; online_cpus?: number };
  precpu_stats: { cpu_usage: { total_usage: number }; system_cpu_usage?: number };
}): number {
  const cpuDelta = frame.cpu_stats.cpu_usage.total_usage - frame.precpu_stats.cpu_usage.total_usage;
  const systemDelta = (frame.cpu_stats.system_cpu_usage ?? 0) - (frame.precpu_stats.system_cpu_usage ?? 0);
  const online = frame.cpu_stats.online_cpus ?? frame.cpu_stats.cpu_usage.percpu_usage?.length ?? 0;
  return systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * online * 100 : 0;
}

test('CPU %: half a CPU for one second on a two-CPU host is 50%, as the CLI computes it', () => {
  const previous = v1Sample(1_795_825_024_014_780_917n, 1_000_000_000, 100_000);
  // One second later: the host spent 2 s of CPU time (200 ticks over two CPUs), the container 0.5 s.
  const current = v1Sample(1_795_825_025_018_451_138n, 1_500_000_000, 100_200);
  const frame = JSON.parse(jsonWithBigInts(presentStats({ id, name: 'web', current, previous })));
  assert.equal(cliCpuPercent(frame), 50);
  assert.equal(frame.read, '2026-11-28T00:17:05.018451138Z');
  assert.equal(frame.preread, '2026-11-28T00:17:04.014780917Z');
  // Without a previous sample (first streamed frame) precpu is all zeros.
  const first = JSON.parse(jsonWithBigInts(presentStats({ id, name: 'web', current })));
  assert.deepEqual(first.precpu_stats, {
    cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  });
  assert.equal(first.preread, '0001-01-01T00:00:00Z');
});

test("a running container's frame has dockerd's keys in dockerd's order, counters exact", () => {
  const text = jsonWithBigInts(presentStats({ id, name: 'web', current: v1Sample(1_795_825_025_000_000_000n, 5, 1) }));
  const frame = JSON.parse(text);
  assert.deepEqual(Object.keys(frame), [
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
  ]);
  assert.equal(frame.read, '2026-11-28T00:17:05Z');
  assert.equal(frame.name, '/web');
  assert.deepEqual(Object.keys(frame.cpu_stats), ['cpu_usage', 'system_cpu_usage', 'online_cpus', 'throttling_data']);
  assert.deepEqual(Object.keys(frame.cpu_stats.cpu_usage), [
    'total_usage',
    'percpu_usage',
    'usage_in_kernelmode',
    'usage_in_usermode',
  ]);
  assert.deepEqual(Object.keys(frame.memory_stats), ['usage', 'max_usage', 'stats', 'limit']);
  assert.match(text, /"hierarchical_memory_limit":9223372036854771712[,}]/);
  assert.deepEqual(frame.pids_stats, { current: 2 });
});

test('networks appear only with interfaces, in Docker field names', () => {
  const current = {
    ...v1Sample(1n, 5, 1),
    networks: {
      eth0: { rxBytes: 1182, rxPackets: 13, rxErrors: 0, rxDropped: 0, txBytes: 90, txPackets: 1, txErrors: 0, txDropped: 0 },
    },
  };
  const frame = JSON.parse(jsonWithBigInts(presentStats({ id, name: 'web', current })));
  assert.deepEqual(frame.networks, {
    eth0: {
      rx_bytes: 1182,
      rx_packets: 13,
      rx_errors: 0,
      rx_dropped: 0,
      tx_bytes: 90,
      tx_packets: 1,
      tx_errors: 0,
      tx_dropped: 0,
    },
  });
});

test("a container that is not running is Go's zero StatsJSON with name and id", () => {
  assert.equal(
    jsonWithBigInts(presentStats({ id, name: 'stopped' })),
    '{"read":"0001-01-01T00:00:00Z","preread":"0001-01-01T00:00:00Z","pids_stats":{},' +
      '"blkio_stats":{"io_service_bytes_recursive":null,"io_serviced_recursive":null,"io_queue_recursive":null,' +
      '"io_service_time_recursive":null,"io_wait_time_recursive":null,"io_merged_recursive":null,"io_time_recursive":null,' +
      '"sectors_recursive":null},"num_procs":0,"storage_stats":{},' +
      '"cpu_stats":{"cpu_usage":{"total_usage":0,"usage_in_kernelmode":0,"usage_in_usermode":0},' +
      '"throttling_data":{"periods":0,"throttled_periods":0,"throttled_time":0}},' +
      '"precpu_stats":{"cpu_usage":{"total_usage":0,"usage_in_kernelmode":0,"usage_in_usermode":0},' +
      '"throttling_data":{"periods":0,"throttled_periods":0,"throttled_time":0}},' +
      `"memory_stats":{},"name":"/stopped","id":"${id}"}`,
  );
});

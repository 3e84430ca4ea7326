import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { V1CgroupReader, v1CgroupStats, v1MemoryStatKeys, type V1CgroupFiles } from './cgroup-v1-reader.js';

// Captured from a busybox container on a cgroup v1 host (kernel 6.x: BFQ, no CFQ files).
const memoryStat = [
  'cache 8192',
  'rss 61440',
  'rss_huge 0',
  'shmem 0',
  'mapped_file 4096',
  'dirty 0',
  'writeback 0',
  'workingset_refault_anon 0',
  'swap 0',
  'pgpgin 904',
  'pgpgout 889',
  'pgfault 1224',
  'pgmajfault 0',
  'inactive_anon 57344',
  'active_anon 4096',
  'inactive_file 12288',
  'active_file 0',
  'unevictable 0',
  'hierarchical_memory_limit 9223372036854771712',
  'hierarchical_memsw_limit 9223372036854771712',
  'total_cache 8192',
  'total_rss 61440',
  'total_rss_huge 0',
  'total_mapped_file 4096',
  'total_dirty 0',
  'total_writeback 0',
  'total_pgpgin 904',
  'total_pgpgout 889',
  'total_pgfault 1224',
  'total_pgmajfault 0',
  'total_inactive_anon 57344',
  'total_active_anon 4096',
  'total_inactive_file 12288',
  'total_active_file 0',
  'total_unevictable 0',
  '',
].join('\n');

const files: V1CgroupFiles = {
  cpuacctUsage: '52042280236\n',
  cpuacctPerCpu: '23554666317 28487613919 \n',
  cpuacctStat: 'user 5193\nsystem 11\n',
  cpuStat: 'nr_periods 6\nnr_throttled 2\nthrottled_time 1500000\nnr_bursts 0\nburst_time 0\n',
  memoryUsage: '356352\n',
  memoryMaxUsage: '4345856\n',
  memoryFailcnt: '0\n',
  memoryLimit: '67108864\n',
  memoryStat,
  cfq: {},
  throttleServiceBytes:
    '8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 12288\n8:0 Async 0\n8:0 Discard 0\n8:0 Total 12288\nTotal 12288\n',
  throttleServiced: '8:0 Read 1\n8:0 Write 2\nTotal 3\n',
  pidsCurrent: '2\n',
  pidsMax: 'max\n',
};

test('v1: CPU in nanoseconds, user/system ticks converted, throttling from cpu.stat', () => {
  const stats = v1CgroupStats(files);
  assert.equal(stats.version, 1);
  assert.deepEqual(stats.cpu, {
    totalNs: 52042280236,
    perCpuNs: [23554666317, 28487613919],
    kernelNs: 110_000_000,
    userNs: 51_930_000_000,
    throttling: { periods: 6, throttledPeriods: 2, throttledTimeNs: 1500000 },
  });
});

test("v1: memory with dockerd's key set, in sorted order, unlimited values exact", () => {
  const { memory } = v1CgroupStats(files);
  assert.equal(memory.usage, 356352);
  assert.equal(memory.maxUsage, 4345856);
  assert.equal(memory.limit, 67108864);
  assert.equal(memory.failcnt, 0);
  assert.deepEqual(Object.keys(memory.stats), [...v1MemoryStatKeys]);
  assert.deepEqual([...v1MemoryStatKeys], [...v1MemoryStatKeys].sort());
  assert.equal(memory.stats['total_inactive_file'], 12288);
  assert.equal(memory.stats['cache'], 8192);
  assert.equal(memory.stats['hierarchical_memory_limit'], 9223372036854771712n);
  // Keys the kernel does not report still appear, as zeros (containerd's struct fields).
  assert.equal(memory.stats['writeback'], 0);
  assert.equal(memory.stats['shmem'], undefined);
});

test('v1: blkio from the throttle files without CFQ, the Total line skipped; pids without limit', () => {
  const stats = v1CgroupStats(files);
  assert.deepEqual(stats.blkio.io_service_bytes_recursive, [
    { major: 8, minor: 0, op: 'Read', value: 4096 },
    { major: 8, minor: 0, op: 'Write', value: 8192 },
    { major: 8, minor: 0, op: 'Sync', value: 12288 },
    { major: 8, minor: 0, op: 'Async', value: 0 },
    { major: 8, minor: 0, op: 'Discard', value: 0 },
    { major: 8, minor: 0, op: 'Total', value: 12288 },
  ]);
  assert.equal(stats.blkio.io_serviced_recursive?.length, 2);
  assert.deepEqual(stats.blkio.sectors_recursive, []);
  assert.deepEqual(stats.pids, { current: 2 });
  assert.deepEqual(v1CgroupStats({ ...files, pidsMax: '100\n' }).pids, { current: 2, limit: 100 });
});

test('v1: CFQ counters come first, the throttle ones are appended', () => {
  const stats = v1CgroupStats({
    ...files,
    cfq: { io_service_bytes_recursive: '8:16 Read 100\n8:16 Write 200\nTotal 300\n', sectors_recursive: '8:16 7\n' },
  });
  assert.deepEqual(
    stats.blkio.io_service_bytes_recursive?.map((entry) => `${entry.minor}/${entry.op}`),
    ['16/Read', '16/Write', '0/Read', '0/Write', '0/Sync', '0/Async', '0/Discard', '0/Total'],
  );
});

test('v1 reader: one directory per controller, files re-read on every sample, gone cgroup fails', async () => {
  const root = await mkdtemp(join(tmpdir(), 'cgroup-v1-'));
  try {
    const controllers = new Map<string, string>();
    const write = async (controller: string, name: string, content: string): Promise<void> => {
      const directory = join(root, controller, 'berth', 'c1');
      await mkdir(directory, { recursive: true });
      controllers.set(controller, join(root, controller));
      await writeFile(join(directory, name), content);
    };
    await write('cpuacct', 'cpuacct.usage', files.cpuacctUsage ?? '');
    await write('cpuacct', 'cpuacct.usage_percpu', files.cpuacctPerCpu ?? '');
    await write('cpuacct', 'cpuacct.stat', files.cpuacctStat ?? '');
    await write('cpu', 'cpu.stat', files.cpuStat ?? '');
    await write('memory', 'memory.usage_in_bytes', '1000\n');
    await write('memory', 'memory.limit_in_bytes', '9223372036854771712\n');
    await write('memory', 'memory.stat', memoryStat);
    await write('pids', 'pids.current', '3\n');
    const reader = new V1CgroupReader(controllers, '/berth/c1');
    const first = reader.read();
    assert.equal(first.cpu.totalNs, 52042280236);
    assert.equal(first.memory.usage, 1000);
    assert.equal(first.memory.limit, 9223372036854771712);
    assert.equal(first.memory.maxUsage, undefined);
    assert.deepEqual(first.blkio.io_service_bytes_recursive, []);
    assert.deepEqual(first.pids, { current: 3 });
    // Regular files behave like cgroupfs here: the same open file read again at offset 0.
    await writeFile(join(root, 'memory', 'berth', 'c1', 'memory.usage_in_bytes'), '123456\n');
    assert.equal(reader.read().memory.usage, 123456);
    reader.close();
    await rm(join(root, 'memory', 'berth', 'c1'), { recursive: true });
    const reopened = new V1CgroupReader(controllers, '/berth/c1');
    assert.throws(() => reopened.read(), /ENOENT/);
    reopened.close();
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

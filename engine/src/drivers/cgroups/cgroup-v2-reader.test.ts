import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { V2CgroupReader, v2CgroupStats, v2MemoryStatKeys, type V2CgroupFiles } from './cgroup-v2-reader.js';

// A busybox container on a cgroup v2 host (kernel 6.1).
const memoryStat = [
  'anon 196608',
  'file 24576',
  'kernel 233472',
  'kernel_stack 16384',
  'pagetables 36864',
  'sec_pagetables 0',
  'percpu 480',
  'sock 0',
  'vmalloc 0',
  'shmem 0',
  'zswap 0',
  'file_mapped 0',
  'file_dirty 0',
  'file_writeback 0',
  'swapcached 0',
  'anon_thp 0',
  'inactive_anon 192512',
  'active_anon 4096',
  'inactive_file 20480',
  'active_file 4096',
  'unevictable 0',
  'slab_reclaimable 94760',
  'slab_unreclaimable 80632',
  'slab 175392',
  'workingset_refault_anon 0',
  'workingset_refault_file 0',
  'workingset_activate_anon 0',
  'workingset_activate_file 0',
  'workingset_nodereclaim 0',
  'pgscan 0',
  'pgsteal 0',
  'pgfault 1617',
  'pgmajfault 0',
  'pgrefill 0',
  'pgactivate 1',
  'pgdeactivate 0',
  'pglazyfree 0',
  'pglazyfreed 0',
  'thp_fault_alloc 0',
  'thp_collapse_alloc 0',
  '',
].join('\n');

const files: V2CgroupFiles = {
  cpuStat:
    'usage_usec 25417\nuser_usec 11305\nsystem_usec 14112\ncore_sched.force_idle_usec 0\nnr_periods 10\nnr_throttled 3\nthrottled_usec 4521\nnr_bursts 0\nburst_usec 0\n',
  memoryCurrent: '450560\n',
  memoryMax: 'max\n',
  memoryStat,
  memoryEvents: 'low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\noom_group_kill 0\n',
  ioStat:
    '8:0 rbytes=1048576 wbytes=4096 rios=12 wios=1 dbytes=0 dios=0\n259:0 rbytes=0 wbytes=8192 rios=0 wios=2 dbytes=0 dios=0\n',
  pidsCurrent: '1\n',
  pidsMax: '512\n',
};

test('v2: CPU from cpu.stat microseconds, no per-CPU figures', () => {
  const stats = v2CgroupStats(files);
  assert.equal(stats.version, 2);
  assert.deepEqual(stats.cpu, {
    totalNs: 25_417_000,
    kernelNs: 14_112_000,
    userNs: 11_305_000,
    throttling: { periods: 10, throttledPeriods: 3, throttledTimeNs: 4_521_000 },
  });
});

test("v2: memory.current as usage, no limit for `max`, oom count as failcnt, dockerd's key set", () => {
  const { memory } = v2CgroupStats(files);
  assert.equal(memory.usage, 450560);
  assert.equal(memory.limit, undefined);
  assert.equal(memory.maxUsage, undefined);
  assert.equal(memory.failcnt, 1);
  assert.deepEqual(Object.keys(memory.stats), [...v2MemoryStatKeys]);
  assert.deepEqual([...v2MemoryStatKeys], [...v2MemoryStatKeys].sort());
  assert.equal(v2MemoryStatKeys.length, 31);
  assert.equal(memory.stats['inactive_file'], 20480);
  assert.equal(memory.stats['slab'], 175392);
  // Split on newer kernels into _anon/_file: containerd reads the old name, so dockerd shows 0.
  assert.equal(memory.stats['workingset_refault'], 0);
  assert.equal(v2CgroupStats({ ...files, memoryMax: '67108864\n' }).memory.limit, 67108864);
});

test('v2: io.stat as read/write entries per device, other blkio arrays null; pids limit', () => {
  const stats = v2CgroupStats(files);
  assert.deepEqual(stats.blkio.io_service_bytes_recursive, [
    { major: 8, minor: 0, op: 'read', value: 1048576 },
    { major: 8, minor: 0, op: 'write', value: 4096 },
    { major: 259, minor: 0, op: 'read', value: 0 },
    { major: 259, minor: 0, op: 'write', value: 8192 },
  ]);
  assert.equal(stats.blkio.io_serviced_recursive, null);
  assert.equal(stats.blkio.sectors_recursive, null);
  assert.equal(v2CgroupStats({ ...files, ioStat: '' }).blkio.io_service_bytes_recursive, null);
  assert.deepEqual(stats.pids, { current: 1, limit: 512 });
});

test('v2 reader: optional controllers may be missing; a removed cgroup is an error', async () => {
  const root = await mkdtemp(join(tmpdir(), 'cgroup-v2-'));
  try {
    const directory = join(root, 'berth', 'c2');
    await mkdir(directory, { recursive: true });
    await writeFile(join(directory, 'cpu.stat'), files.cpuStat ?? '');
    await writeFile(join(directory, 'memory.current'), '4096\n');
    await writeFile(join(directory, 'memory.stat'), memoryStat);
    const reader = new V2CgroupReader(root, '/berth/c2');
    const stats = reader.read();
    assert.equal(stats.cpu.totalNs, 25_417_000);
    assert.equal(stats.memory.usage, 4096);
    assert.equal(stats.blkio.io_service_bytes_recursive, null);
    assert.deepEqual(stats.pids, { current: 0 });
    await writeFile(join(directory, 'pids.max'), 'max\n');
    const unlimited = new V2CgroupReader(root, '/berth/c2');
    assert.deepEqual(unlimited.read().pids, { current: 0, limit: 18446744073709551615n }, 'unlimited: MaxUint64, as dockerd');
    unlimited.close();
    reader.close();
    await rm(directory, { recursive: true });
    assert.throws(() => new V2CgroupReader(root, '/berth/c2').read(), /ENOENT/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { detectCgroupHost } from './cgroup-host.js';
import { adaptResources, parseCpuList, pickResources, toOciResources, toOciUpdate, validateResources } from './resources.js';

const host = { cpuCount: 2, swapLimit: true };

describe('resource validation (dockerd messages)', () => {
  test('memory limits', () => {
    assert.throws(() => validateResources({ Memory: 4 * 1024 * 1024 }, host), { message: 'Minimum memory limit allowed is 6MB' });
    assert.throws(() => validateResources({ MemorySwap: 1 << 30 }, host), /always set the Memory limit when using Memoryswap/);
    assert.throws(() => validateResources({ Memory: 64 << 20, MemorySwap: 32 << 20 }, host), /memoryswap limit should be larger/);
    assert.throws(() => validateResources({ Memory: 64 << 20, MemoryReservation: 128 << 20 }, host), /memory reservation limit/);
    assert.throws(() => validateResources({ MemorySwappiness: 101 }, host), /valid memory swappiness range is 0-100/);
    validateResources({ Memory: 64 << 20, MemorySwap: -1 }, host);
  });

  test('cpu limits', () => {
    assert.throws(() => validateResources({ NanoCpus: 3e9 }, host), {
      message: 'Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available',
    });
    assert.throws(() => validateResources({ NanoCpus: 1e9, CpuQuota: 50_000 }, host), /Nano CPUs and CPU Quota/);
    assert.throws(() => validateResources({ CpuPeriod: 500 }, host), /CPU cfs period/);
    assert.throws(() => validateResources({ CpusetCpus: '0-' }, host), { message: 'Invalid value 0- for cpuset cpus' });
    assert.throws(
      () => validateResources({ CpusetCpus: '3' }, host),
      /Requested CPUs are not available - requested 3, available: 0-1/,
    );
    validateResources({ CpusetCpus: '0,1', NanoCpus: 5e8, CpuShares: 512, PidsLimit: -1 }, host);
  });

  test('types are checked when picking fields', () => {
    assert.throws(() => pickResources({ Memory: '64m' }), /invalid Memory/);
    assert.deepEqual(pickResources({ Memory: 1, Other: 2, CpusetCpus: '0' }), { Memory: 1, CpusetCpus: '0' });
  });

  test('parseCpuList', () => {
    assert.deepEqual(parseCpuList('0-2,5'), [0, 1, 2, 5]);
    assert.equal(parseCpuList('2-1'), undefined);
    assert.equal(parseCpuList('a'), undefined);
  });
});

describe('resource conversion', () => {
  test('dockerd stores swap = 2 x memory when unset, clamps shares and clears non-positive pids limits', () => {
    assert.deepEqual(adaptResources({ Memory: 64 << 20, MemorySwap: 0, CpuShares: 1, PidsLimit: -1 }, host), {
      Memory: 64 << 20,
      MemorySwap: 128 << 20,
      CpuShares: 2,
      PidsLimit: null,
    });
    assert.equal(adaptResources({ Memory: 64 << 20 }, { ...host, swapLimit: false }).MemorySwap, undefined);
  });

  test('OCI resources: --cpus becomes a 100 ms period quota', () => {
    assert.deepEqual(
      toOciResources({ Memory: 64 << 20, MemorySwap: 128 << 20, NanoCpus: 5e8, CpuShares: 512, CpusetCpus: '0', PidsLimit: 50 }),
      {
        memory: { limit: 64 << 20, swap: 128 << 20 },
        cpu: { shares: 512, period: 100_000, quota: 50_000, cpus: '0' },
        pids: { limit: 50 },
      },
    );
    assert.deepEqual(toOciResources({}), {});
    assert.deepEqual(toOciUpdate({ PidsLimit: null }), { pids: { limit: -1 } });
  });
});

describe('cgroup host detection', () => {
  async function fakeHost(files: Record<string, string>): Promise<{ cgroupRoot: string; procRoot: string }> {
    const root = await mkdtemp(join(tmpdir(), 'cgroup-host-'));
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), content);
    }
    await mkdir(join(root, 'cgroup'), { recursive: true });
    await mkdir(join(root, 'proc'), { recursive: true });
    return { cgroupRoot: join(root, 'cgroup'), procRoot: join(root, 'proc') };
  }
  const facts = async (files: Record<string, string>): Promise<{ version: number; swapLimit: boolean }> => {
    const { version, swapLimit } = await detectCgroupHost(await fakeHost(files));
    return { version, swapLimit };
  };
  const swaps = { 'proc/swaps': 'Filename\tType\tSize\tUsed\tPriority\n', 'proc/cmdline': 'console=ttyS0 quiet\n' };

  test('v1: swap limits need memsw', async () => {
    assert.deepEqual(await facts({ 'cgroup/memory/memory.memsw.limit_in_bytes': '' }), { version: 1, swapLimit: true });
    assert.deepEqual(await facts({ 'cgroup/memory/memory.limit_in_bytes': '' }), { version: 1, swapLimit: false });
  });

  test('v2 with systemd: a child cgroup shows whether swap is accounted', async () => {
    const v2 = { 'cgroup/cgroup.controllers': 'cpuset cpu io memory pids\n', ...swaps };
    assert.deepEqual(
      await facts({ ...v2, 'cgroup/system.slice/memory.max': 'max', 'cgroup/system.slice/memory.swap.max': 'max' }),
      {
        version: 2,
        swapLimit: true,
      },
    );
    assert.deepEqual(await facts({ ...v2, 'cgroup/system.slice/memory.max': 'max' }), { version: 2, swapLimit: false });
  });

  test('v2 with no child cgroup yet (a bare VM): the memory controller, swap and the boot options decide', async () => {
    const v2 = { 'cgroup/cgroup.controllers': 'cpuset cpu io memory pids\n' };
    assert.deepEqual(await facts({ ...v2, ...swaps }), { version: 2, swapLimit: true });
    assert.deepEqual(await facts({ ...v2, ...swaps, 'proc/cmdline': 'quiet cgroup.memory=nosocket,noswap\n' }), {
      version: 2,
      swapLimit: false,
    });
    assert.deepEqual(await facts({ ...v2, 'proc/cmdline': 'quiet\n' }), { version: 2, swapLimit: false }, 'no swap support');
    assert.deepEqual(await facts({ 'cgroup/cgroup.controllers': 'cpu pids\n', ...swaps }), { version: 2, swapLimit: false });
  });
});

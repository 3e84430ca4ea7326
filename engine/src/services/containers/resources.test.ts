import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  test('v1 with swap accounting, v2 by cgroup.controllers', async () => {
    const v1 = await mkdtemp(join(tmpdir(), 'cg1-'));
    await mkdir(join(v1, 'memory'));
    await writeFile(join(v1, 'memory', 'memory.memsw.limit_in_bytes'), '');
    assert.deepEqual({ ...(await detectCgroupHost(v1)), cpuCount: 0 }, { version: 1, swapLimit: true, cpuCount: 0 });
    const v2 = await mkdtemp(join(tmpdir(), 'cg2-'));
    await writeFile(join(v2, 'cgroup.controllers'), 'cpu memory pids');
    assert.deepEqual({ ...(await detectCgroupHost(v2)), cpuCount: 0 }, { version: 2, swapLimit: false, cpuCount: 0 });
    await mkdir(join(v2, 'system.slice'));
    await writeFile(join(v2, 'system.slice', 'memory.swap.max'), 'max');
    assert.equal((await detectCgroupHost(v2)).swapLimit, true);
  });
});

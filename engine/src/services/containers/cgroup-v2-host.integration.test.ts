import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { jsonFieldPaths } from '../../testing/json-shape.js';
import { runTestVm, testVmUnavailable } from '../../testing/vm/test-vm.js';
import type { RuntimeProbe, VmProbe } from '../../testing/vm/cgroup-v2-probe.js';

// This machine's cgroups are hybrid (v1 controllers), so cgroup v2 runs in a VM with a pure v2
// hierarchy: the same checkout, node, runc and crun, driven by the docker CLI inside
// (testing/vm/cgroup-v2-probe.ts), asserted here.
const repositoryRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const probeScript = fileURLToPath(new URL('../../testing/vm/cgroup-v2-probe.js', import.meta.url));
const unavailable = await testVmUnavailable();

describe('containers on a pure cgroup v2 host (VM)', { skip: unavailable, timeout: 900_000 }, () => {
  let probes: RuntimeProbe[] = [];
  let dockerd: VmProbe['dockerd'] = { stats: undefined, inspect: undefined };
  let diagnostics = '';

  before(async () => {
    const result = await runTestVm({
      command: `node ${probeScript} runc crun`,
      cwd: repositoryRoot,
      cgroupVersion: 2,
      timeoutMs: 840_000,
    });
    diagnostics = `exit ${String(result.exitCode)}\nstderr:\n${result.stderr.slice(-4000)}\nconsole:\n${result.console.slice(-4000)}`;
    assert.equal(result.exitCode, 0, diagnostics);
    ({ runtimes: probes, dockerd } = JSON.parse(result.stdout) as VmProbe);
  });

  for (const runtime of ['runc', 'crun']) {
    const probeOf = (): RuntimeProbe => {
      const found = probes.find((item) => item.runtime === runtime);
      assert.ok(found !== undefined, diagnostics);
      return found;
    };

    it(`${runtime}: docker info reports cgroup v2`, () => {
      const { info } = probeOf();
      assert.equal(info['CgroupVersion'], '2');
      assert.equal(info['CgroupDriver'], 'cgroupfs');
      assert.equal(info['DefaultRuntime'], runtime);
      assert.equal(info['SwapLimit'], true);
    });

    it(`${runtime}: -m, --memory-swap, --cpus, --cpu-shares, --cpuset-cpus, --pids-limit land in the container's own cgroup`, () => {
      const { limits, engineLog } = probeOf();
      assert.equal(limits.exitCode, 0, `${limits.stderr}\n${engineLog.slice(-3000)}`);
      assert.deepEqual(limits.stdout.trim().split('\n'), [
        String(64 * 1024 * 1024),
        // memory.swap.max is the swap on top of memory: --memory-swap is their sum, as on v1.
        String(32 * 1024 * 1024),
        '50000 100000',
        // runc's and crun's conversion of 512 shares to a weight (1..10000).
        '20',
        '0',
        '20',
        // A private cgroup namespace, Docker's default on v2.
        '0::/',
      ]);
    });

    it(`${runtime}: Docker's confinement: capabilities, seccomp, and no host device opened through a node it makes`, () => {
      const { confinement } = probeOf();
      assert.equal(confinement.exitCode, 0, confinement.stderr);
      const lines = confinement.stdout.trim().split('\n');
      assert.deepEqual(lines.slice(0, 3), ['CapEff:\t00000000a80425fb', 'Seccomp:\t2', 'made']);
      assert.equal(lines[3], 'open exit 1');
      assert.match(confinement.stderr, /Operation not permitted/);
    });

    it(`${runtime}: stats report v2 memory, CPU, pids and the limit, as dockerd does`, () => {
      const { statsApi, statsCli } = probeOf();
      const stats = statsApi as {
        memory_stats: { usage: number; limit: number; stats: Record<string, number> };
        cpu_stats: { cpu_usage: { total_usage: number }; online_cpus: number; system_cpu_usage: number };
        precpu_stats: { cpu_usage: { total_usage: number } };
        pids_stats: { current: number };
        blkio_stats: Record<string, unknown>;
      };
      assert.equal(stats.memory_stats.limit, 64 * 1024 * 1024);
      assert.ok(stats.memory_stats.usage > 0);
      // v2's memory.stat keys (dockerd passes them through); v1's total_* keys do not exist here.
      for (const key of ['anon', 'file', 'inactive_file']) assert.equal(typeof stats.memory_stats.stats[key], 'number', key);
      assert.equal(stats.memory_stats.stats['total_rss'], undefined);
      assert.ok(stats.cpu_stats.cpu_usage.total_usage > 0);
      assert.ok(stats.cpu_stats.system_cpu_usage > 0);
      assert.equal(stats.cpu_stats.online_cpus, 2);
      assert.ok(stats.pids_stats.current >= 1);
      assert.ok('io_service_bytes_recursive' in stats.blkio_stats);
      const line = JSON.parse(statsCli.stdout) as { MemUsage: string; PIDs: string };
      assert.match(line.MemUsage, / \/ 64MiB$/);
      assert.equal(line.PIDs, '1');
    });

    it(`${runtime}: the stats JSON has exactly the fields Debian's dockerd gives for the same container on this host`, () => {
      assert.deepEqual(jsonFieldPaths(probeOf().statsApi), jsonFieldPaths(dockerd.stats));
    });

    it(`${runtime}: inspect has dockerd's fields, and its private cgroup namespace, for the same container on this host`, () => {
      const ours = probeOf().inspect as { HostConfig: Record<string, unknown> };
      const theirs = dockerd.inspect as { HostConfig: Record<string, unknown> };
      assert.deepEqual(jsonFieldPaths(ours), jsonFieldPaths(theirs));
      assert.equal(ours.HostConfig['CgroupnsMode'], theirs.HostConfig['CgroupnsMode']);
      assert.equal(ours.HostConfig['CgroupnsMode'], 'private');
    });

    it(`${runtime}: top lists the process; update changes the limits of a running container`, () => {
      const { top, update, updated } = probeOf();
      assert.equal(update.exitCode, 0, update.stderr);
      assert.equal(top.exitCode, 0, top.stderr);
      assert.match(top.stdout, /sleep 300/);
      assert.equal(updated.exitCode, 0, updated.stderr);
      assert.deepEqual(updated.stdout.trim().split('\n'), [
        String(128 * 1024 * 1024),
        String(128 * 1024 * 1024),
        '100000 100000',
      ]);
    });

    it(`${runtime}: pause freezes the cgroup (cgroup.freeze), unpause thaws it`, () => {
      const { paused, unpaused } = probeOf();
      assert.deepEqual(paused, { status: 'paused', freeze: '1' });
      assert.deepEqual(unpaused, { status: 'running', freeze: '0' });
    });

    it(`${runtime}: after a kill -9 of the engine the next one adopts the container: state, stats, stop`, () => {
      const { adopted } = probeOf();
      assert.equal(adopted.status, 'running');
      assert.equal(adopted.stats.exitCode, 0, adopted.stats.stderr);
      assert.match(adopted.stats.stdout.trim(), / \/ 128MiB$/, 'the limit set by update, read from the cgroup');
      assert.equal(adopted.stop.exitCode, 0, adopted.stop.stderr);
      // busybox sleep as PID 1 ignores SIGTERM: stop kills it after the timeout.
      assert.equal(adopted.exitCode, '137');
    });

    it(`${runtime}: an OOM kill is reported in State.OOMKilled, exit 137 and an oom event`, () => {
      const { oom } = probeOf();
      assert.equal(oom.run.exitCode, 137, oom.run.stderr);
      assert.equal(oom.oomKilled, 'true');
      const actions = oom.events.trim().split('\n');
      assert.ok(actions.includes('oom'), actions.join(','));
      assert.ok(actions.indexOf('oom') < actions.indexOf('die'), 'oom comes before die, as with dockerd');
    });

    it(`${runtime}: no container cgroup is left behind`, () => {
      assert.deepEqual(probeOf().leftoverCgroups, []);
    });
  }
});

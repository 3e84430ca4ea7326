// Runs inside the cgroup v2 test VM (see test-vm.ts and cgroup-v2.vm.integration.test.ts): starts
// the engine with each OCI runtime, drives it with the docker CLI the way a user would, and prints
// what it saw as JSON. The assertions live in the test on the host, which reads that JSON.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { docker, type DockerResult } from '../docker-cli.js';
import { apiRequest, startEngineProcess } from '../engine-process.js';
import { buildRawTar, busyboxEntries, toRawEntries } from '../test-images.js';

export interface CommandOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RuntimeProbe {
  runtime: string;
  info: Record<string, unknown>;
  /** `docker run` with every limit, printing the cgroup files as the container sees them. */
  limits: CommandOutput;
  /** Capabilities and seccomp of a default container, and whether it can open a device node it made. */
  confinement: CommandOutput;
  statsCli: CommandOutput;
  statsApi: unknown;
  top: CommandOutput;
  update: CommandOutput;
  /** The same files after `docker update`. */
  updated: CommandOutput;
  paused: { status: string; freeze: string };
  unpaused: { status: string; freeze: string };
  oom: { run: CommandOutput; oomKilled: string; events: string };
  /** Container cgroups under /sys/fs/cgroup/berth after every container is gone and the engine stopped. */
  leftoverCgroups: string[];
  engineLog: string;
}

const limitFiles = ['memory.max', 'memory.swap.max', 'cpu.max', 'cpu.weight', 'cpuset.cpus', 'pids.max'];

function output(result: DockerResult): CommandOutput {
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}

async function cgroupFile(containerId: string, file: string): Promise<string> {
  return (await readFile(`/sys/fs/cgroup/berth/${containerId}/${file}`, 'utf8').catch(() => '')).trim();
}

async function probe(runtime: string, imageTar: string): Promise<RuntimeProbe> {
  const engine = await startEngineProcess({
    dataRoot: `/var/lib/berth-vm/${runtime}`,
    extraArgs: ['--runtime', runtime],
    startTimeoutMs: 120_000,
  });
  const socket = engine.socketPath;
  const run = (args: string[]): Promise<DockerResult> => docker(socket, args, { timeoutMs: 120_000 });
  try {
    const info = JSON.parse((await run(['info', '--format', '{{json .}}'])).stdout) as Record<string, unknown>;
    await run(['import', '--change', 'CMD ["sh"]', imageTar, 'busybox:latest']);

    const limits = await run([
      'run',
      '--rm',
      '--network',
      'none',
      '-m',
      '64m',
      '--memory-swap',
      '96m',
      '--cpus',
      '0.5',
      '--cpu-shares',
      '512',
      '--cpuset-cpus',
      '0',
      '--pids-limit',
      '20',
      'busybox',
      'sh',
      '-c',
      `cd /sys/fs/cgroup && cat ${limitFiles.join(' ')} && cat /proc/self/cgroup`,
    ]);

    // On v2 device access is an eBPF program the runtime attaches, not a devices.list to write.
    const confinement = await run([
      'run',
      '--rm',
      '--network',
      'none',
      'busybox',
      'sh',
      '-c',
      'grep -E "^(CapEff|Seccomp):" /proc/self/status; mknod /tmp/mem c 1 1 && echo made; head -c 1 /tmp/mem >/dev/null; echo "open exit $?"',
    ]);

    const started = await run(['run', '-d', '--network', 'none', '-m', '64m', '--name', 'sleeper', 'busybox', 'sleep', '300']);
    const id = started.stdout.trim();
    const statsCli = await run(['stats', '--no-stream', '--format', '{{json .}}', 'sleeper']);
    const statsResponse = await apiRequest(socket, 'GET', '/v1.41/containers/sleeper/stats?stream=false');
    const top = await run(['top', 'sleeper']);
    const update = await run(['update', '--memory', '128m', '--memory-swap', '256m', '--cpus', '1', 'sleeper']);
    const updated = await run(['exec', 'sleeper', 'sh', '-c', 'cd /sys/fs/cgroup && cat memory.max memory.swap.max cpu.max']);

    await run(['pause', 'sleeper']);
    const paused = {
      status: (await run(['inspect', '-f', '{{.State.Status}}', 'sleeper'])).stdout.trim(),
      freeze: await cgroupFile(id, 'cgroup.freeze'),
    };
    await run(['unpause', 'sleeper']);
    const unpaused = {
      status: (await run(['inspect', '-f', '{{.State.Status}}', 'sleeper'])).stdout.trim(),
      freeze: await cgroupFile(id, 'cgroup.freeze'),
    };

    const since = Math.floor(Date.now() / 1000) - 1;
    // The shell doubles a string until the 16 MiB limit kills it.
    const oomRun = await run([
      'run',
      '--network',
      'none',
      '-m',
      '16m',
      '--memory-swap',
      '16m',
      '--name',
      'hog',
      'busybox',
      'sh',
      '-c',
      'x=a; while :; do x=$x$x; done',
    ]);
    const oomKilled = (await run(['inspect', '-f', '{{.State.OOMKilled}}', 'hog'])).stdout.trim();
    const events = (
      await run([
        'events',
        '--since',
        String(since),
        '--until',
        String(Math.floor(Date.now() / 1000) + 1),
        '--filter',
        'container=hog',
        '--format',
        '{{.Action}}',
      ])
    ).stdout;

    await run(['rm', '-f', 'sleeper', 'hog']);
    await engine.stop();
    const leftoverCgroups = (await readdir('/sys/fs/cgroup/berth', { withFileTypes: true }).catch(() => []))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    return {
      runtime,
      info,
      limits: output(limits),
      confinement: output(confinement),
      statsCli: output(statsCli),
      statsApi:
        statsResponse.status === 200
          ? JSON.parse(statsResponse.body)
          : { status: statsResponse.status, body: statsResponse.body },
      top: output(top),
      update: output(update),
      updated: output(updated),
      paused,
      unpaused,
      oom: { run: output(oomRun), oomKilled, events },
      leftoverCgroups,
      engineLog: engine.stderr().slice(-20_000),
    };
  } finally {
    await engine.kill();
  }
}

async function main(): Promise<void> {
  const imageTar = '/tmp/busybox-rootfs.tar';
  await writeFile(imageTar, await buildRawTar(toRawEntries(await busyboxEntries())));
  const results: RuntimeProbe[] = [];
  for (const runtime of process.argv.slice(2)) results.push(await probe(runtime, imageTar));
  process.stdout.write(JSON.stringify(results));
}

await main();

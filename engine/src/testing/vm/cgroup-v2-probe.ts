// Runs inside the cgroup v2 test VM (see test-vm.ts and cgroup-v2.vm.integration.test.ts): starts
// the engine with each OCI runtime, drives it with the docker CLI the way a user would, and prints
// what it saw as JSON. The assertions live in the test on the host, which reads that JSON.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { docker, type DockerResult } from '../docker-cli.js';
import { apiRequest, startEngineProcess, type EngineProcess, type RawResponse } from '../engine-process.js';
import { startReferenceDockerd } from '../reference-dockerd.js';
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
  /** `GET /containers/sleeper/json` while it runs. */
  inspect: unknown;
  top: CommandOutput;
  update: CommandOutput;
  /** The same files after `docker update`. */
  updated: CommandOutput;
  paused: { status: string; freeze: string };
  unpaused: { status: string; freeze: string };
  /** After a kill -9 of the engine and a new one on the same data root. */
  adopted: { status: string; stats: CommandOutput; stop: CommandOutput; exitCode: string };
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

function parsed(response: RawResponse): unknown {
  return response.status === 200 ? JSON.parse(response.body) : { status: response.status, body: response.body };
}

/** Splits a fixed argument string (no quoting needed) into arguments. */
const words = (text: string): string[] => text.split(' ');

async function probe(runtime: string, imageTar: string): Promise<RuntimeProbe> {
  const dataRoot = `/var/lib/berth-vm/${runtime}`;
  const startEngine = (): Promise<EngineProcess> =>
    startEngineProcess({ dataRoot, extraArgs: ['--runtime', runtime], startTimeoutMs: 120_000 });
  let engine = await startEngine();
  const run = (args: string[]): Promise<DockerResult> => docker(engine.socketPath, args, { timeoutMs: 120_000 });
  const status = async (name: string): Promise<string> => (await run(['inspect', '-f', '{{.State.Status}}', name])).stdout.trim();
  try {
    const info = JSON.parse((await run(['info', '--format', '{{json .}}'])).stdout) as Record<string, unknown>;
    await run(['import', '--change', 'CMD ["sh"]', imageTar, 'busybox:latest']);

    const limits = await run([
      ...words('run --rm --network none -m 64m --memory-swap 96m --cpus 0.5 --cpu-shares 512 --cpuset-cpus 0 --pids-limit 20'),
      ...['busybox', 'sh', '-c', `cd /sys/fs/cgroup && cat ${limitFiles.join(' ')} && cat /proc/self/cgroup`],
    ]);
    // On v2 device access is an eBPF program the runtime attaches, not a devices.list to write.
    const confinement = await run([
      ...words('run --rm --network none busybox sh -c'),
      'grep -E "^(CapEff|Seccomp):" /proc/self/status; mknod /tmp/mem c 1 1 && echo made; head -c 1 /tmp/mem >/dev/null; echo "open exit $?"',
    ]);

    const id = (await run(words('run -d --network none -m 64m --name sleeper busybox sleep 300'))).stdout.trim();
    const statsCli = await run(['stats', '--no-stream', '--format', '{{json .}}', 'sleeper']);
    const statsResponse = await apiRequest(engine.socketPath, 'GET', '/v1.41/containers/sleeper/stats?stream=false');
    const inspect = parsed(await apiRequest(engine.socketPath, 'GET', '/v1.41/containers/sleeper/json'));
    const top = await run(words('top sleeper'));
    const update = await run(words('update --memory 128m --memory-swap 256m --cpus 1 sleeper'));
    const updated = await run([...words('exec sleeper sh -c'), 'cd /sys/fs/cgroup && cat memory.max memory.swap.max cpu.max']);

    await run(words('pause sleeper'));
    const paused = { status: await status('sleeper'), freeze: await cgroupFile(id, 'cgroup.freeze') };
    await run(words('unpause sleeper'));
    const unpaused = { status: await status('sleeper'), freeze: await cgroupFile(id, 'cgroup.freeze') };

    // kill -9 the engine; the next one adopts the container, its stats (cgroup) and its stop.
    await engine.kill();
    engine = await startEngine();
    const adopted = {
      status: await status('sleeper'),
      stats: await run(words('stats --no-stream --format {{.MemUsage}} sleeper')),
      stop: await run(words('stop -t 1 sleeper')),
      exitCode: (await run(words('inspect -f {{.State.ExitCode}} sleeper'))).stdout.trim(),
    };

    const since = Math.floor(Date.now() / 1000) - 1;
    // The shell doubles a string until the 16 MiB limit kills it.
    const oomRun = await run([
      ...words('run --network none -m 16m --memory-swap 16m --name hog busybox sh -c'),
      'x=a; while :; do x=$x$x; done',
    ]);
    const oomKilled = (await run(words('inspect -f {{.State.OOMKilled}} hog'))).stdout.trim();
    const until = Math.floor(Date.now() / 1000) + 1;
    const events = (await run(words(`events --since ${since} --until ${until} --filter container=hog --format {{.Action}}`)))
      .stdout;

    await run(words('rm -f sleeper hog'));
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
      statsApi: parsed(statsResponse),
      inspect,
      top: output(top),
      update: output(update),
      updated: output(updated),
      paused,
      unpaused,
      adopted: { ...adopted, stats: output(adopted.stats), stop: output(adopted.stop) },
      oom: { run: output(oomRun), oomKilled, events },
      leftoverCgroups,
      engineLog: engine.stderr().slice(-20_000),
    };
  } finally {
    await engine.kill();
  }
}

export interface VmProbe {
  runtimes: RuntimeProbe[];
  /** Debian's dockerd on the same host, same container: the stats and inspect shapes to match. */
  dockerd: { stats: unknown; inspect: unknown };
}

/** The same `sleeper` as probe() runs, on Debian's dockerd in the VM: its one-shot stats and inspect. */
async function onDockerd(imageTar: string): Promise<VmProbe['dockerd']> {
  const dockerd = await startReferenceDockerd({ parentDir: '/var/lib/berth-vm', startTimeoutMs: 120_000 });
  try {
    const run = (args: string[]): Promise<DockerResult> => docker(dockerd.socketPath, args, { timeoutMs: 120_000 });
    await run(['import', '--change', 'CMD ["sh"]', imageTar, 'busybox:latest']);
    await run(words('run -d --network none -m 64m --name sleeper busybox sleep 300'));
    const response = await apiRequest(dockerd.socketPath, 'GET', '/v1.41/containers/sleeper/stats?stream=false');
    const inspect = await apiRequest(dockerd.socketPath, 'GET', '/v1.41/containers/sleeper/json');
    await run(words('rm -f sleeper'));
    return { stats: parsed(response), inspect: parsed(inspect) };
  } finally {
    await dockerd.stop();
  }
}

async function main(): Promise<void> {
  const imageTar = '/tmp/busybox-rootfs.tar';
  await writeFile(imageTar, await buildRawTar(toRawEntries(await busyboxEntries())));
  const runtimes: RuntimeProbe[] = [];
  for (const runtime of process.argv.slice(2)) runtimes.push(await probe(runtime, imageTar));
  const result: VmProbe = { runtimes, dockerd: await onDockerd(imageTar) };
  process.stdout.write(JSON.stringify(result));
}

await main();

#!/usr/bin/env node
// Engine CPU while `docker stats` streams N running containers: starts N busybox `sleep`
// containers, runs `docker stats` for a while, and compares the engine process's CPU time
// (/proc/<pid>/stat utime+stime, all threads) before and after. Target: under 5% of one core.
//
// Imported by run-bench.mjs; standalone:
//   DOCKER_HOST=unix:///path/docker.sock node scripts/bench/stats-cpu.mjs IMAGE ENGINE_PID [CONTAINERS] [SECONDS]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const dockerCli = process.env.BERTH_DOCKER_CLI ?? '/usr/local/bin/docker';
const clockTicksPerSecond = 100;

function dockerEnv(socketPath) {
  return {
    ...process.env,
    DOCKER_HOST: `unix://${socketPath}`,
    DOCKER_CONFIG: process.env.DOCKER_CONFIG ?? '/tmp/berth-docker-config',
  };
}

function docker(socketPath, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(dockerCli, args, { env: dockerEnv(socketPath), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`docker ${args.join(' ')}: ${stderr.trim()}`))));
  });
}

/** utime + stime of a process (all its threads), in seconds. */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name is in parentheses and may contain spaces: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
}

async function inBatches(items, size, action) {
  for (let index = 0; index < items.length; index += size) await Promise.all(items.slice(index, index + size).map(action));
}

/** Resolves once `docker stats` has printed a refresh listing `count` containers. */
function startDockerStats(socketPath, count) {
  const child = spawn(dockerCli, ['stats', '--format', '{{.ID}} {{.CPUPerc}}'], {
    env: dockerEnv(socketPath),
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let output = '';
  let seenAll = false;
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('docker stats did not show every container within 30 s')), 30_000);
    // Keep draining stdout after that, so the CLI keeps reading frames at full speed.
    child.stdout.on('data', (chunk) => {
      if (seenAll) return;
      output = (output + chunk).slice(-200_000);
      // Rows with a percentage only appear once samples arrived; a refresh starts at ESC[H.
      const refreshes = output.split('\u001b[H');
      const complete = refreshes.slice(0, -1).some((refresh) => (refresh.match(/^[0-9a-f]{12} [\d.]+%/gm) ?? []).length >= count);
      if (complete) {
        seenAll = true;
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('close', () => reject(new Error('docker stats exited')));
  });
  ready.catch(() => undefined);
  return { child, ready };
}

export async function benchStatsCpu({ socketPath, image, enginePid, containers = 50, seconds = 20 }) {
  const label = `bench-stats=${process.pid}`;
  const indexes = Array.from({ length: containers }, (_, index) => index);
  let stats;
  try {
    await inBatches(indexes, 5, () => docker(socketPath, ['run', '-d', '--label', label, image, 'sleep', '3600']));
    stats = startDockerStats(socketPath, containers);
    await stats.ready;
    const before = cpuSeconds(enginePid);
    const started = process.hrtime.bigint();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
    const enginePercentOfCore = Math.round(((cpuSeconds(enginePid) - before) / elapsed) * 1000) / 10;
    console.log(
      `bench: engine CPU with docker stats streaming ${containers} containers for ${seconds} s: ${enginePercentOfCore}% of one core (target < 5%)`,
    );
    return { enginePercentOfCore };
  } finally {
    stats?.child.kill('SIGTERM');
    const ids = (await docker(socketPath, ['ps', '-aq', '--filter', `label=${label}`]).catch(() => ''))
      .split('\n')
      .filter(Boolean);
    for (let index = 0; index < ids.length; index += 100)
      await docker(socketPath, ['rm', '-f', ...ids.slice(index, index + 100)]).catch(() => undefined);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [image, pid, count, duration] = process.argv.slice(2);
  const host = process.env.DOCKER_HOST ?? '';
  if (image === undefined || pid === undefined || !host.startsWith('unix://')) {
    console.error('usage: DOCKER_HOST=unix:///path node scripts/bench/stats-cpu.mjs IMAGE ENGINE_PID [CONTAINERS] [SECONDS]');
    process.exit(2);
  }
  const result = await benchStatsCpu({
    socketPath: host.slice('unix://'.length),
    image,
    enginePid: Number(pid),
    containers: Number(count ?? 50),
    seconds: Number(duration ?? 20),
  });
  console.log(JSON.stringify(result));
}

#!/usr/bin/env node
// `npm run bench`: Berth against a real dockerd on this machine, in one run, alternating, printing
// medians and the ratio Berth/dockerd for each scenario. Needs root (both engines run containers).
// Usage: npm run bench [-- --only run,net,ps,logs,stats,pull,ui] [--runs N]
import { spawn, spawnSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startEngineProcess } from '../../engine/dist/testing/engine-process.js';
import { startReferenceDockerd } from '../../engine/dist/testing/reference-dockerd.js';
import { startTestRegistry } from '../../engine/dist/testing/test-registry.js';
import { buildTestImage, pushTestImage } from '../../engine/dist/testing/test-images.js';

const root = new URL('../..', import.meta.url).pathname;
const args = process.argv.slice(2);
const only = (args[args.indexOf('--only') + 1] ?? '').split(',').filter((name) => args.includes('--only') && name !== '');
const runs = Number(args.includes('--runs') ? args[args.indexOf('--runs') + 1] : 15);
const wanted = (name) => only.length === 0 || only.includes(name);
const dockerCli = process.env.BERTH_DOCKER_CLI ?? '/usr/local/bin/docker';

if (process.getuid?.() !== 0) {
  console.error('bench: run as root (sudo npm run bench): both engines run containers');
  process.exit(1);
}

function ensureDockerd() {
  if (existsSync('/usr/sbin/dockerd')) return;
  console.log('bench: installing Debian docker.io for the reference dockerd');
  const result = spawnSync(
    'bash',
    ['-c', 'apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends docker.io'],
    {
      stdio: 'inherit',
    },
  );
  if (result.status !== 0) throw new Error('could not install docker.io');
}

function docker(socketPath, commandArgs, options = {}) {
  const result = spawnSync(dockerCli, commandArgs, {
    env: { ...process.env, DOCKER_HOST: `unix://${socketPath}`, DOCKER_CONFIG: '/tmp/berth-docker-config' },
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['ignore', options.discardOutput ? 'ignore' : 'pipe', 'pipe'],
    // A wedged engine fails the bench with a message instead of hanging it.
    timeout: options.timeoutMs ?? 300_000,
  });
  if (result.error !== undefined) throw new Error(`docker ${commandArgs.join(' ')}: ${result.error.message}`);
  if (result.status !== 0 && !options.allowFailure) throw new Error(`docker ${commandArgs.join(' ')}: ${result.stderr}`);
  return result.stdout ?? '';
}

function timed(fn) {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** Times `fn(socket)` alternately on both engines and returns medians and the ratio. */
function compare(name, target, engines, iterations, fn) {
  const samples = { berth: [], dockerd: [] };
  for (let index = 0; index < iterations; index++) {
    for (const [engineName, socketPath] of index % 2 === 0 ? engines : [...engines].reverse()) {
      samples[engineName].push(timed(() => fn(socketPath)));
    }
  }
  const berth = median(samples.berth);
  const dockerd = median(samples.dockerd);
  return { name, berth, dockerd, ratio: berth / dockerd, target };
}

/** Median time of `fn` against a replay server holding the engine's answer to `path`. */
async function cliFloor(engineSocket, path, iterations, fn) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-floor-'));
  const bodyFile = join(dir, 'body.json');
  writeFileSync(bodyFile, await engineGet(engineSocket, path));
  const socketPath = join(dir, 'replay.sock');
  const server = spawn(process.execPath, [join(root, 'scripts/bench/replay-server.mjs'), socketPath, bodyFile], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise((resolve, reject) => {
      server.stdout.once('data', resolve);
      server.once('exit', () => reject(new Error('replay server exited')));
    });
    const samples = [];
    for (let index = 0; index < iterations; index++) samples.push(timed(() => fn(socketPath)));
    return median(samples);
  } finally {
    server.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

function engineGet(socketPath, path) {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ socketPath, path, method: 'GET' }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve(Buffer.concat(chunks)));
    });
    request.on('error', reject);
    request.end();
  });
}

const results = [];
function report(result) {
  results.push(result);
  const verdict = result.target === undefined ? '' : result.ratio <= result.target ? '  ok' : '  ABOVE TARGET';
  console.log(
    `${result.name.padEnd(44)} berth ${result.berth.toFixed(3)}s  dockerd ${result.dockerd.toFixed(3)}s  ratio ${result.ratio.toFixed(2)}` +
      (result.target !== undefined ? ` (target <= ${result.target})${verdict}` : ''),
  );
}

ensureDockerd();
const registry = await startTestRegistry();
const berthEngine = await startEngineProcess({ logFile: join(mkdtempSync(join(tmpdir(), 'bench-berth-')), 'engine.log') });
const dockerd = await startReferenceDockerd();
const engines = [
  ['berth', berthEngine.socketPath],
  ['dockerd', dockerd.socketPath],
];
try {
  await pushTestImage(registry.host, 'busybox', 'latest', await buildTestImage());
  const image = `${registry.host}/busybox:latest`;
  for (const [, socketPath] of engines) docker(socketPath, ['pull', '-q', image]);
  console.log(
    `bench: Berth vs dockerd ${docker(dockerd.socketPath, ['version', '--format', '{{.Server.Version}}']).trim()}, ${runs} runs each, alternating\n`,
  );

  if (wanted('run')) {
    for (const [, socketPath] of engines) docker(socketPath, ['run', '--rm', image, 'true']);
    report(
      compare('docker run --rm busybox true', 0.35, engines, runs, (socketPath) =>
        docker(socketPath, ['run', '--rm', image, 'true']),
      ),
    );
  }

  if (wanted('net')) {
    for (const [, socketPath] of engines) docker(socketPath, ['run', '--rm', '-p', '127.0.0.1::80', image, 'true']);
    report(
      compare('docker run --rm -p 127.0.0.1::80 busybox true', 0.5, engines, runs, (socketPath) =>
        docker(socketPath, ['run', '--rm', '-p', '127.0.0.1::80', image, 'true']),
      ),
    );
    let created = 0;
    report(
      compare('docker network create + rm', 0.5, engines, runs, (socketPath) => {
        const name = `bench-net-${created++}`;
        docker(socketPath, ['network', 'create', name]);
        docker(socketPath, ['network', 'rm', name]);
      }),
    );
  }

  if (wanted('ps')) {
    const count = 500;
    for (const [, socketPath] of engines) {
      const batch = [];
      for (let index = 0; index < count; index++) batch.push(`${dockerCli} create --label bench=ps ${image} true >/dev/null`);
      // 10 creates at a time: fast enough for dockerd, and the same load for both.
      spawnSync('bash', ['-c', `printf '%s\\n' ${batch.map((line) => `'${line}'`).join(' ')} | xargs -P 10 -I{} bash -c {}`], {
        env: { ...process.env, DOCKER_HOST: `unix://${socketPath}` },
        stdio: 'ignore',
      });
    }
    const psRuns = Math.max(5, Math.floor(runs / 2));
    const ps = compare(`docker ps -a with ${count} containers`, 0.5, engines, psRuns, (socketPath) =>
      docker(socketPath, ['ps', '-a']),
    );
    report(ps);
    // The CLI's own cost: the same list from a server that answers instantly. No engine can beat it.
    // Measured with each engine's JSON: a bigger or costlier list than dockerd's would show here.
    for (const [name, socketPath] of engines) {
      const floor = await cliFloor(socketPath, '/v1.41/containers/json?all=1', psRuns, (replaySocket) =>
        docker(replaySocket, ['ps', '-a']),
      );
      console.log(
        `${`  the CLI alone (instant server, ${name}'s JSON)`.padEnd(44)} ${floor.toFixed(3)}s  = ratio floor ${(floor / ps.dockerd).toFixed(2)}`,
      );
    }
    for (const [, socketPath] of engines) {
      const ids = docker(socketPath, ['ps', '-aq', '--filter', 'label=bench=ps']).split('\n').filter(Boolean);
      for (let index = 0; index < ids.length; index += 100)
        docker(socketPath, ['rm', '-f', ...ids.slice(index, index + 100)], { allowFailure: true });
    }
  }

  if (wanted('logs')) {
    for (const [, socketPath] of engines) {
      docker(socketPath, ['run', '--name', 'bench-logs', image, 'seq', '1', '1000000'], { discardOutput: true });
    }
    const lines = docker(berthEngine.socketPath, ['logs', 'bench-logs']).split('\n').length - 1;
    if (lines !== 1_000_000) console.log(`bench: warning: berth logs returned ${lines} lines`);
    report(
      compare('docker logs of 1,000,000 lines', 1, engines, 5, (socketPath) =>
        docker(socketPath, ['logs', 'bench-logs'], { discardOutput: true }),
      ),
    );
    for (const [, socketPath] of engines) docker(socketPath, ['rm', '-f', 'bench-logs'], { allowFailure: true });
  }

  const optional = [
    ['stats', 'stats-cpu.mjs', 'benchStatsCpu'],
    ['pull', 'pull-push.mjs', 'benchPullPush'],
    ['ui', 'ui-bench.mjs', 'benchUi'],
  ];
  for (const [name, file, exportName] of optional) {
    if (!wanted(name)) continue;
    const path = join(root, 'scripts/bench', file);
    if (!existsSync(path)) continue;
    const module = await import(pathToFileURL(path).href);
    const outcome = await module[exportName]({
      socketPath: berthEngine.socketPath,
      berthSocket: berthEngine.socketPath,
      dockerdSocket: dockerd.socketPath,
      registryHost: registry.host,
      image,
      enginePid: berthEngine.process.pid,
      containers: 50,
      seconds: 20,
    });
    console.log(`${name}: ${JSON.stringify(outcome)}`);
    results.push({ name, ...outcome });
  }
} finally {
  await berthEngine.stop();
  await dockerd.stop();
  await registry.stop();
}
console.log(`\nbench: ${JSON.stringify(results)}`);

// Pull and push of a 4-layer ~125 MB image (busybox, two 60 MB random layers, 3,000 small files)
// from/to a local docker-registry, Berth against dockerd, alternating, removing the image between
// pulls. Called by run-bench.mjs; can also be imported on its own.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { buildTestImage, pushTestImage } from '../../engine/dist/testing/test-images.js';

const dockerCli = process.env.BERTH_DOCKER_CLI ?? '/usr/local/bin/docker';
const runsEach = 3;

function docker(socketPath, args) {
  const result = spawnSync(dockerCli, args, {
    env: { ...process.env, DOCKER_HOST: `unix://${socketPath}`, DOCKER_CONFIG: '/tmp/berth-docker-config' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`docker ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

function timed(socketPath, args) {
  const started = process.hrtime.bigint();
  docker(socketPath, args);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** The benchmark image: busybox + 2 × 60 MB incompressible layers + one layer of 3,000 small files. */
export async function buildBenchImage() {
  const smallFiles = [{ type: 'dir', path: 'small' }];
  for (let i = 0; i < 3000; i++)
    smallFiles.push({ type: 'file', path: `small/f${i}.txt`, content: `file ${i} ${'x'.repeat(i % 512)}\n` });
  return buildTestImage({
    created: '2024-06-01T00:00:00Z',
    extraLayers: [
      [{ type: 'file', path: 'random-a.bin', content: randomBytes(60 * 1024 * 1024) }],
      [{ type: 'file', path: 'random-b.bin', content: randomBytes(60 * 1024 * 1024) }],
      smallFiles,
    ],
  });
}

export async function benchPullPush({ berthSocket, dockerdSocket, registryHost }) {
  const image = await buildBenchImage();
  await pushTestImage(registryHost, 'bench/pullpush', 'v1', image);
  const reference = `${registryHost}/bench/pullpush:v1`;
  const engines = [
    ['berth', berthSocket],
    ['dockerd', dockerdSocket],
  ];
  const remove = (socketPath) => {
    spawnSync(dockerCli, ['rmi', '-f', reference], { env: { ...process.env, DOCKER_HOST: `unix://${socketPath}` } });
  };
  for (const [, socketPath] of engines) remove(socketPath);

  const pulls = { berth: [], dockerd: [] };
  for (let run = 0; run < runsEach; run++) {
    for (const [name, socketPath] of engines) {
      pulls[name].push(timed(socketPath, ['pull', '-q', reference]));
      // The last pull stays for the push runs.
      if (run < runsEach - 1) remove(socketPath);
    }
  }

  const pushes = { berth: [], dockerd: [] };
  for (let run = 0; run < runsEach; run++) {
    for (const [name, socketPath] of engines) {
      const target = `${registryHost}/bench/pushed-${name}-${run}-${Date.now()}:v1`;
      docker(socketPath, ['tag', reference, target]);
      pushes[name].push(timed(socketPath, ['push', '-q', target]));
      docker(socketPath, ['rmi', target]);
    }
  }
  for (const [, socketPath] of engines) remove(socketPath);

  const pullBerth = median(pulls.berth);
  const pullDockerd = median(pulls.dockerd);
  const pushBerth = median(pushes.berth);
  const pushDockerd = median(pushes.dockerd);
  return {
    pullBerth,
    pullDockerd,
    pullRatio: pullBerth / pullDockerd,
    pushBerth,
    pushDockerd,
    pushRatio: pushBerth / pushDockerd,
  };
}

// Volumes, bind mounts, tmpfs and `docker cp` through the real docker CLI.
// Needs root (runc, conmon, overlayfs) and /usr/local/bin/docker.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile, mkdir, readlink } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { docker, removeAllContainers } from '../testing/docker-cli.js';
import { apiRequest, startEngineProcess, type EngineProcess } from '../testing/engine-process.js';
import { startTestRegistry, type TestRegistry } from '../testing/test-registry.js';
import { buildTestImage, pushTestImage } from '../testing/test-images.js';

let engine: EngineProcess;
let registry: TestRegistry;
let image: string;
let scratch: string;

before(async () => {
  registry = await startTestRegistry();
  await pushTestImage(
    registry.host,
    'withvolume',
    'v1',
    await buildTestImage({
      config: { Volumes: { '/seeded': {} } },
      extraLayers: [
        [
          { type: 'dir', path: 'seeded', mode: 0o750, uid: 1000, gid: 1000 },
          { type: 'file', path: 'seeded/from-image.txt', content: 'image content\n', mode: 0o640, uid: 1000, gid: 1000 },
          { type: 'symlink', path: 'escape', target: '/../../../../..' },
          { type: 'symlink', path: 'etc-link', target: '/etc' },
        ],
      ],
    }),
  );
  image = `${registry.host}/withvolume:v1`;
  engine = await startEngineProcess();
  scratch = await mkdtemp(join(tmpdir(), 'berth-vol-test-'));
  const pull = await run(['pull', '-q', image]);
  assert.equal(pull.exitCode, 0, pull.stderr);
});

after(async () => {
  if (engine !== undefined) {
    await removeAllContainers(engine.socketPath);
    await run(['volume', 'prune', '-f']);
    await engine.stop();
  }
  await registry?.stop();
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
});

const run = (args: string[], input?: string) => docker(engine.socketPath, args, input !== undefined ? { input } : {});

async function ok(args: string[]): Promise<string> {
  const result = await run(args);
  assert.equal(result.exitCode, 0, `docker ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

describe('volumes', () => {
  test('create, inspect, ls with filters, rm', async () => {
    assert.equal(await ok(['volume', 'create', '--label', 'kind=test', 'berth-v1']), 'berth-v1');
    const inspect = JSON.parse(await ok(['volume', 'inspect', 'berth-v1']))[0];
    assert.equal(inspect.Driver, 'local');
    assert.deepEqual(inspect.Labels, { kind: 'test' });
    assert.equal(inspect.Mountpoint, join(engine.dataRoot, 'volumes', 'berth-v1', '_data'));
    assert.equal((await stat(inspect.Mountpoint)).isDirectory(), true);
    assert.equal(await ok(['volume', 'ls', '-q', '--filter', 'label=kind=test']), 'berth-v1');
    await ok(['volume', 'rm', 'berth-v1']);
    const missing = await run(['volume', 'inspect', 'berth-v1']);
    assert.notEqual(missing.exitCode, 0);
    const api = await apiRequest(engine.socketPath, 'GET', '/v1.41/volumes/berth-v1');
    assert.equal(api.status, 404);
  });

  test('system df -v lists volumes with their size and how many containers use them', async () => {
    await ok(['volume', 'create', 'berth-sized']);
    await ok(['volume', 'create', 'berth-empty']);
    await ok([
      'run',
      '--name',
      'sizer',
      '-v',
      'berth-sized:/d',
      image,
      'sh',
      '-c',
      'dd if=/dev/zero of=/d/f bs=1024 count=300 2>/dev/null',
    ]);
    const raw = JSON.parse((await apiRequest(engine.socketPath, 'GET', '/v1.41/system/df')).body) as {
      Volumes: { Name: string; UsageData: { Size: number; RefCount: number } }[];
    };
    const sized = raw.Volumes.find((volume) => volume.Name === 'berth-sized');
    assert.ok(sized !== undefined, JSON.stringify(raw.Volumes));
    // File bytes, as dockerd counts them: exactly the file, and nothing for an empty volume's directory.
    assert.equal(sized.UsageData.Size, 300 * 1024);
    assert.equal(sized.UsageData.RefCount, 1);
    assert.deepEqual(raw.Volumes.find((volume) => volume.Name === 'berth-empty')?.UsageData, { Size: 0, RefCount: 0 });
    assert.match(await ok(['system', 'df', '-v']), /^berth-sized\s+1\s+3\d\d(\.\d+)?kB/m);
    await ok(['rm', 'sizer']);
    await ok(['volume', 'rm', 'berth-sized', 'berth-empty']);
  });

  test('local driver options: a tmpfs volume mounted while used, a bind volume whose host files survive its removal', async () => {
    const mounted = async (path: string) =>
      (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').some((line) => line.split(' ')[4] === path);
    await ok(['volume', 'create', '--opt', 'type=tmpfs', '--opt', 'device=tmpfs', '--opt', 'o=size=5m', 'berth-tmpfs']);
    const inspect = JSON.parse(await ok(['volume', 'inspect', 'berth-tmpfs']))[0];
    assert.deepEqual(inspect.Options, { type: 'tmpfs', device: 'tmpfs', o: 'size=5m' });
    const df = await ok(['run', '--rm', '-v', 'berth-tmpfs:/data', image, 'sh', '-c', 'df -k /data | tail -1']);
    assert.match(df, /^tmpfs\s+5120\s/);
    assert.equal(await mounted(inspect.Mountpoint), false, 'unmounted once no container uses it');
    await ok(['volume', 'rm', 'berth-tmpfs']);

    const hostDir = join(scratch, 'bind-volume');
    await mkdir(hostDir);
    await writeFile(join(hostDir, 'from-host'), 'host data\n');
    await ok(['volume', 'create', '--opt', 'type=none', '--opt', 'o=bind', '--opt', `device=${hostDir}`, 'berth-bind']);
    assert.equal(await ok(['run', '--rm', '-v', 'berth-bind:/data', image, 'cat', '/data/from-host']), 'host data');
    await ok(['run', '--rm', '-v', 'berth-bind:/data', image, 'sh', '-c', 'echo from-container > /data/written']);
    assert.equal(await readFile(join(hostDir, 'written'), 'utf8'), 'from-container\n');
    await ok(['volume', 'rm', 'berth-bind']);
    assert.equal(await readFile(join(hostDir, 'from-host'), 'utf8'), 'host data\n', 'removing the volume kept the host files');

    const bad = await run(['volume', 'create', '--opt', 'colour=blue', 'berth-bad']);
    assert.notEqual(bad.exitCode, 0);
    assert.match(bad.stderr, /invalid option key: "colour"/);
    assert.notEqual((await run(['volume', 'inspect', 'berth-bad'])).exitCode, 0);
  });

  test('a named volume is seeded from the image, keeps data across containers, and is in use while referenced', async () => {
    const first = await ok([
      'run',
      '--name',
      'writer',
      '-v',
      'berth-data:/seeded',
      image,
      'sh',
      '-c',
      'stat -c "%u:%g %a" /seeded /seeded/from-image.txt; echo kept > /seeded/new.txt',
    ]);
    assert.deepEqual(first.split('\n'), ['1000:1000 750', '1000:1000 640']);
    assert.equal(
      await ok(['run', '--rm', '-v', 'berth-data:/data:ro', image, 'cat', '/data/new.txt', '/data/from-image.txt']),
      'kept\nimage content',
    );
    const readonly = await run(['run', '--rm', '-v', 'berth-data:/data:ro', image, 'touch', '/data/x']);
    assert.notEqual(readonly.exitCode, 0);
    const mounts = JSON.parse(await ok(['inspect', 'writer']))[0].Mounts;
    assert.deepEqual(
      mounts.map((mount: { Type: string; Name: string; Destination: string; RW: boolean }) => [
        mount.Type,
        mount.Name,
        mount.Destination,
        mount.RW,
      ]),
      [['volume', 'berth-data', '/seeded', true]],
    );
    const inUse = await run(['volume', 'rm', 'berth-data']);
    assert.notEqual(inUse.exitCode, 0);
    assert.match(inUse.stderr, /volume is in use/);
    await ok(['rm', 'writer']);
    await ok(['volume', 'rm', 'berth-data']);
  });

  test('anonymous volumes from the image VOLUME go with their --rm container', async () => {
    const before = new Set((await ok(['volume', 'ls', '-q'])).split('\n'));
    assert.equal(await ok(['run', '--rm', image, 'cat', '/seeded/from-image.txt']), 'image content');
    const after = (await ok(['volume', 'ls', '-q'])).split('\n').filter((name) => name !== '' && !before.has(name));
    assert.deepEqual(after, []);
  });

  test('bind mounts (rw and ro), --mount, --tmpfs', async () => {
    const host = join(scratch, 'bind');
    await mkdir(host);
    await writeFile(join(host, 'in.txt'), 'from host\n');
    const output = await ok([
      'run',
      '--rm',
      '-v',
      `${host}:/h`,
      '--mount',
      `type=bind,source=${host},target=/hro,readonly`,
      '--tmpfs',
      '/scratch:size=1m',
      '--mount',
      'type=tmpfs,target=/t2',
      image,
      'sh',
      '-c',
      'cat /h/in.txt; echo out > /h/out.txt; touch /hro/x 2>/dev/null || echo ro-refused; grep -E " /(scratch|t2) " /proc/mounts | cut -d" " -f2,3 | sort',
    ]);
    assert.deepEqual(output.split('\n'), ['from host', 'ro-refused', '/scratch tmpfs', '/t2 tmpfs']);
    assert.equal(await readFile(join(host, 'out.txt'), 'utf8'), 'out\n');
    const missing = await run(['run', '--rm', '--mount', `type=bind,source=${join(scratch, 'nope')},target=/x`, image, 'true']);
    assert.notEqual(missing.exitCode, 0);
    assert.match(missing.stderr, /bind source path does not exist/);
  });
});

describe('bind propagation', () => {
  test('rslave sees mounts the host makes later below a shared source; a private source is refused as by dockerd', async () => {
    const sh = promisify(execFile);
    const sharedRoot = join(scratch, 'shared-root');
    await mkdir(join(sharedRoot, 'src'), { recursive: true });
    // A mount of its own, made shared: what propagation needs on the host side.
    await sh('mount', ['--bind', sharedRoot, sharedRoot]);
    await sh('mount', ['--make-shared', sharedRoot]);
    try {
      await ok(['run', '-d', '--name', 'prop', '-v', `${join(sharedRoot, 'src')}:/p:rslave`, image, 'sleep', '300']);
      const mounts = JSON.parse(await ok(['inspect', '-f', '{{json .Mounts}}', 'prop'])) as {
        Destination: string;
        Propagation: string;
      }[];
      assert.equal(mounts.find((mount) => mount.Destination === '/p')?.Propagation, 'rslave');
      await sh('mount', ['-t', 'tmpfs', 'tmpfs', join(sharedRoot, 'src')]);
      assert.match(await ok(['exec', 'prop', 'sh', '-c', 'grep " /p " /proc/mounts']), /^tmpfs \/p tmpfs/m);
      await ok(['rm', '-f', 'prop']);
    } finally {
      await sh('umount', ['-R', '-l', sharedRoot]).catch(() => undefined);
    }
    const privateDir = join(scratch, 'private-src');
    await mkdir(privateDir, { recursive: true });
    await sh('mount', ['--bind', privateDir, privateDir]);
    await sh('mount', ['--make-private', privateDir]);
    try {
      const refused = await run(['run', '--rm', '-v', `${privateDir}:/p:rshared`, image, 'true']);
      assert.notEqual(refused.exitCode, 0);
      assert.match(refused.stderr, /is mounted on .* but it is not a shared mount/);
    } finally {
      await sh('umount', ['-l', privateDir]).catch(() => undefined);
    }
  });
});

describe('docker cp', () => {
  test('copies into and out of a stopped container, keeping modes', async () => {
    await ok(['create', '--name', 'cpbox', image, 'true']);
    const source = join(scratch, 'payload.txt');
    await writeFile(source, 'payload\n', { mode: 0o640 });
    await ok(['cp', source, 'cpbox:/tmp/']);
    const dir = join(scratch, 'dir');
    await mkdir(join(dir, 'sub'), { recursive: true });
    await writeFile(join(dir, 'sub', 'f.txt'), 'nested\n');
    await ok(['cp', dir, 'cpbox:/tmp/dir']);
    const out = join(scratch, 'out');
    await mkdir(out);
    await ok(['cp', 'cpbox:/tmp/payload.txt', out]);
    assert.equal(await readFile(join(out, 'payload.txt'), 'utf8'), 'payload\n');
    assert.equal((await stat(join(out, 'payload.txt'))).mode & 0o777, 0o640);
    await ok(['cp', 'cpbox:/tmp/dir', join(out, 'dir-copy')]);
    assert.equal(await readFile(join(out, 'dir-copy', 'sub', 'f.txt'), 'utf8'), 'nested\n');
    const missing = await run(['cp', 'cpbox:/nope', out]);
    assert.notEqual(missing.exitCode, 0);
    assert.match(missing.stderr, /Could not find the file \/nope/);
  });

  test('symlinks resolve inside the container root, never to the host', async () => {
    // Writing through the link lands in the container, not in the host's /etc.
    const marker = join(scratch, 'berth-cp-marker');
    await writeFile(marker, 'x\n');
    await ok(['cp', marker, 'cpbox:/escape/etc/']);
    await assert.rejects(stat('/etc/berth-cp-marker'));
    const back = join(scratch, 'back');
    await mkdir(back);
    await ok(['cp', 'cpbox:/etc/berth-cp-marker', back]);
    assert.equal(await readFile(join(back, 'berth-cp-marker'), 'utf8'), 'x\n');
    // Reading through a link to `/..` stays in the container too: its /etc, not the host's.
    const viaLink = join(scratch, 'via-link');
    await mkdir(viaLink);
    await ok(['cp', 'cpbox:/escape/etc/berth-cp-marker', viaLink]);
    assert.equal(await readFile(join(viaLink, 'berth-cp-marker'), 'utf8'), 'x\n');
    const link = join(scratch, 'link-itself');
    await mkdir(link);
    await ok(['cp', 'cpbox:/etc-link', link]);
    assert.equal(await readlink(join(link, 'etc-link')), '/etc');
  });

  test('HEAD archive stat header and noOverwriteDirNonDir over the raw API', async () => {
    const head = await apiRequest(engine.socketPath, 'HEAD', '/v1.41/containers/cpbox/archive?path=/tmp/payload.txt');
    assert.equal(head.status, 200);
    const header = head.headers['x-docker-container-path-stat'];
    const stat_ = JSON.parse(Buffer.from(String(header), 'base64').toString('utf8'));
    assert.equal(stat_.name, 'payload.txt');
    assert.equal(stat_.size, 8);
    const dir = await apiRequest(engine.socketPath, 'HEAD', '/v1.41/containers/cpbox/archive?path=/tmp');
    const dirStat = JSON.parse(Buffer.from(String(dir.headers['x-docker-container-path-stat']), 'base64').toString('utf8'));
    assert.equal(dirStat.mode >= 2 ** 31, true);
    const missing = await apiRequest(engine.socketPath, 'HEAD', '/v1.41/containers/cpbox/archive?path=/nope');
    assert.equal(missing.status, 404);
  });
});

// The default bridge without netavark, through the real docker CLI: veths and addresses, ports
// published by the engine's proxies (also after an engine crash), a second interface on the bridge,
// and the bridge with its firewall rules going away at engine stop once nothing uses it.
// Needs root; talks only to 127.0.0.1 and the engine's containers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { execFile, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { docker, removeAllContainers } from '../../testing/docker-cli.js';
import { apiRequest, startEngineProcess, type EngineProcess } from '../../testing/engine-process.js';
import { buildRawTar, busyboxEntries, toRawEntries } from '../../testing/test-images.js';
import { hostVethName } from './linux-bridge-driver.js';

const image = 'berth-bridge-test/busybox:latest';
const runHost = promisify(execFile);
let engine: EngineProcess;
let dataRoot: string;
let scratch: string;
let bridgeName: string;
let subnet: string;

before(async () => {
  engine = await startEngineProcess();
  dataRoot = engine.dataRoot;
  scratch = await mkdtemp(join(tmpdir(), 'berth-bridge-test-'));
  const rootfs = join(scratch, 'busybox.tar');
  await writeFile(rootfs, await buildRawTar(toRawEntries(await busyboxEntries())));
  await ok(['import', '--change', 'CMD ["sh"]', rootfs, image]);
  const bridge = JSON.parse((await apiRequest(engine.socketPath, 'GET', '/v1.41/networks/bridge')).body) as {
    Options: Record<string, string>;
    IPAM: { Config: { Subnet: string }[] };
  };
  bridgeName = bridge.Options['com.docker.network.bridge.name'] ?? '';
  subnet = bridge.IPAM.Config[0]?.Subnet ?? '';
});

after(async () => {
  // A test that failed between an engine stop and start leaves containers behind: clean them with an engine.
  if (engine !== undefined && (engine.process.exitCode !== null || engine.process.signalCode !== null))
    engine = await startEngineProcess({ dataRoot });
  if (engine !== undefined) {
    await removeAllContainers(engine.socketPath);
    await run(['network', 'prune', '-f']);
    await engine.stop();
  }
  if (dataRoot !== undefined) await rm(dataRoot, { recursive: true, force: true });
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
});

const run = (args: string[]) => docker(engine.socketPath, args);

async function ok(args: string[]): Promise<string> {
  const result = await run(args);
  assert.equal(result.exitCode, 0, `docker ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

/** Everything a TCP server sends before closing, or '' when nothing answers in time. */
function readAll(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let data = '';
    socket.setTimeout(3000, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
    socket.on('close', () => resolve(data.trim()));
    socket.on('error', () => resolve(''));
  });
}

async function readEventually(port: number): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const text = await readAll(port);
    if (text !== '' || Date.now() > deadline) return text;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function firewallRules(): Promise<string> {
  const nat = (await runHost('iptables', ['-w', '-t', 'nat', '-S', 'POSTROUTING'])).stdout;
  const filter = (await runHost('iptables', ['-w', '-S', 'FORWARD'])).stdout;
  return `${nat}${filter}`
    .split('\n')
    .filter((line) => line.includes(bridgeName) || line.includes(subnet))
    .join('\n');
}

const server = (text: string) => ['sh', '-c', `while true; do echo ${text} | nc -l -p 80; done`];

describe('default bridge (Linux bridge driver)', () => {
  test('a container gets a veth on the bridge, a dockerd-style MAC, a default route and the host gateway', async () => {
    const output = await ok([
      'run',
      '--rm',
      image,
      'sh',
      '-c',
      'ip -o -4 addr show eth0; cat /sys/class/net/eth0/address; ip route; ping -c1 -W2 "$(ip route | awk \'/default/ {print $3}\')" >/dev/null && echo gateway-ok',
    ]);
    const ip = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(output)?.[1] ?? '';
    assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/, output);
    const mac = ['02', '42', ...ip.split('.').map((part) => Number(part).toString(16).padStart(2, '0'))].join(':');
    assert.match(output, new RegExp(mac), output);
    assert.match(output, /default via \d+\.\d+\.\d+\.\d+ dev eth0/);
    assert.match(output, /gateway-ok/);
    assert.match(await firewallRules(), /MASQUERADE/);
  });

  test('a published port answers through the engine, survives an engine crash, and a container dead meanwhile is cleaned up', async () => {
    await ok(['run', '-d', '--name', 'pub', '-p', '127.0.0.1::80', image, ...server('from-pub')]);
    const port = Number(/:(\d+)$/.exec(await ok(['port', 'pub', '80']))?.[1]);
    assert.equal(await readEventually(port), 'from-pub');
    await engine.kill();
    engine = await startEngineProcess({ dataRoot });
    assert.equal(await ok(['inspect', '-f', '{{.State.Status}}', 'pub']), 'running');
    assert.equal(await readEventually(port), 'from-pub');
    // The container dies while the engine is down: the next engine cleans its namespace up at start.
    const id = await ok(['inspect', '-f', '{{.Id}}', 'pub']);
    const pid = Number(await ok(['inspect', '-f', '{{.State.Pid}}', 'pub']));
    await engine.kill();
    process.kill(pid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 300));
    engine = await startEngineProcess({ dataRoot });
    assert.equal(await ok(['inspect', '-f', '{{.State.Status}}', 'pub']), 'exited');
    assert.equal(existsSync(`/run/netns/berth-${id}`), false);
    assert.equal(await readAll(port), '');
    await ok(['rm', '-f', 'pub']);
  });

  test("quick restarts: the previous run's veth, still being torn down, does not block the next start", async () => {
    await ok(['run', '-d', '--name', 'bouncer', '-p', '127.0.0.1::80', image, ...server('bounced')]);
    const others = ['bouncer-2', 'bouncer-3', 'bouncer-4'];
    for (const name of others) await ok(['run', '-d', '--name', name, image, 'sleep', '300']);
    // Several at once, as docker-compose restarts a project: the kernel's namespace clean-up lags most then.
    for (let round = 0; round < 5; round++) {
      await ok(['restart', '-t', '0', 'bouncer', ...others]);
      for (const name of ['bouncer', ...others])
        assert.equal(await ok(['inspect', '-f', '{{.State.Status}}', name]), 'running', `${name}, round ${round}`);
    }
    await ok(['rm', '-f', ...others]);
    const port = Number(/:(\d+)$/.exec(await ok(['port', 'bouncer', '80']))?.[1]);
    assert.equal(await readEventually(port), 'bounced');
    await ok(['rm', '-f', 'bouncer']);
  });

  test('connect a user-network container to the bridge: a second interface behind the first default route', async () => {
    await ok(['network', 'create', '--subnet', '10.231.77.0/24', 'berth-bridge-user']);
    await ok(['run', '-d', '--name', 'both', '--network', 'berth-bridge-user', image, 'sleep', '300']);
    await ok(['network', 'connect', 'bridge', 'both']);
    const id = await ok(['inspect', '-f', '{{.Id}}', 'both']);
    const routes = (await runHost('ip', ['-n', `berth-${id}`, 'route'])).stdout;
    assert.match(routes, /default via 10\.231\.77\.1 dev eth0/);
    assert.match(routes, /default via \d+\.\d+\.\d+\.\d+ dev eth1 metric 1/);
    const bridgeIp = await ok(['inspect', '-f', '{{.NetworkSettings.Networks.bridge.IPAddress}}', 'both']);
    assert.match((await runHost('ip', ['-n', `berth-${id}`, '-o', '-4', 'addr', 'show', 'eth1'])).stdout, new RegExp(bridgeIp));
    await ok(['network', 'disconnect', 'bridge', 'both']);
    assert.doesNotMatch((await runHost('ip', ['-n', `berth-${id}`, '-o', 'link'])).stdout, /eth1/);
    await ok(['rm', '-f', 'both']);
    await ok(['network', 'rm', 'berth-bridge-user']);
    assert.equal(existsSync(`/run/netns/berth-${id}`), false);
  });

  test('a veth whose namespace is still held elsewhere is deleted shortly after the container goes', async () => {
    await ok(['run', '-d', '--name', 'pinned', image, 'sleep', '300']);
    const id = await ok(['inspect', '-f', '{{.Id}}', 'pinned']);
    const networkId = await ok(['inspect', '-f', '{{.NetworkSettings.Networks.bridge.NetworkID}}', 'pinned']);
    const veth = `/sys/class/net/${hostVethName(id, networkId)}`;
    assert.equal(existsSync(veth), true);
    // Another process in the namespace keeps it (and so the veth) alive after the engine deletes its name.
    const holder = spawn('nsenter', [`--net=/run/netns/berth-${id}`, 'sleep', '30'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      await ok(['rm', '-f', 'pinned']);
      assert.equal(existsSync(`/run/netns/berth-${id}`), false);
      const deadline = Date.now() + 8000;
      while (existsSync(veth) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(existsSync(veth), false);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  test('the bridge and its rules stay while a container uses them and go at engine stop', async () => {
    await ok(['run', '-d', '--name', 'keeper', image, 'sleep', '300']);
    await engine.stop();
    assert.equal(existsSync(`/sys/class/net/${bridgeName}`), true);
    engine = await startEngineProcess({ dataRoot });
    await ok(['rm', '-f', 'keeper']);
    await engine.stop();
    assert.equal(existsSync(`/sys/class/net/${bridgeName}`), false);
    assert.equal(await firewallRules(), '');
  });
});

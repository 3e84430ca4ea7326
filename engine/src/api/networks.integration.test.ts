// Networks through the real docker CLI: the default bridge, user networks with name service,
// published ports, connect/disconnect, and clean-up of namespaces, veths and rules.
// Needs root (runc, conmon, netavark) and /usr/local/bin/docker; talks only to 127.0.0.1 and
// the engine's own containers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { docker, removeAllContainers } from '../testing/docker-cli.js';
import { apiRequest, startEngineProcess, type EngineProcess } from '../testing/engine-process.js';
import { startTestRegistry, type TestRegistry } from '../testing/test-registry.js';
import { hostBinaryEntries } from '../testing/host-binary-entries.js';
import { buildTestImage, pushTestImage } from '../testing/test-images.js';

let engine: EngineProcess;
let registry: TestRegistry;
let busybox: string;

before(async () => {
  registry = await startTestRegistry();
  await pushTestImage(registry.host, 'busybox', 'latest', await buildTestImage({ config: { ExposedPorts: { '7000/tcp': {} } } }));
  busybox = `${registry.host}/busybox`;
  engine = await startEngineProcess();
  const pull = await run(['pull', '-q', busybox]);
  assert.equal(pull.exitCode, 0, pull.stderr);
});

after(async () => {
  if (engine !== undefined) {
    await removeAllContainers(engine.socketPath);
    await run(['network', 'prune', '-f']);
    await engine.stop();
  }
  await registry?.stop();
});

const run = (args: string[]) => docker(engine.socketPath, args);
const runHost = promisify(execFile);

async function ok(args: string[]): Promise<string> {
  const result = await run(args);
  assert.equal(result.exitCode, 0, `docker ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

/** One line from a TCP server on the host side (a published port). */
function readLine(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let data = '';
    socket.setTimeout(5000, () => socket.destroy(new Error(`no answer on 127.0.0.1:${port}`)));
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('utf8');
      if (data.includes('\n')) socket.end();
    });
    socket.on('close', () => resolve(data.trim()));
    socket.on('error', reject);
  });
}

/** Waits until a published port answers (the server in the container may start a moment later). */
async function readLineEventually(port: number): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const line = await readLine(port).catch(() => '');
    if (line !== '' || Date.now() > deadline) return line;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Sends a datagram to 127.0.0.1:port until an answer comes (the server may start a moment later). */
async function udpAskEventually(port: number, text: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const answer = await new Promise<string>((resolve) => {
      const socket = createSocket('udp4');
      const timer = setTimeout(() => {
        socket.close();
        resolve('');
      }, 500);
      socket.on('message', (message) => {
        clearTimeout(timer);
        socket.close();
        resolve(message.toString('utf8').trim());
      });
      socket.send(text, port, '127.0.0.1');
    });
    if (answer !== '' || Date.now() > deadline) return answer;
  }
}

const server = (text: string, port = 80) => ['sh', '-c', `while true; do echo ${text} | nc -l -p ${port}; done`];

describe('networks', () => {
  test('predefined networks and create/inspect/ls/rm with subnets, labels and clashes', async () => {
    const names = (await ok(['network', 'ls', '--format', '{{.Name}} {{.Driver}}'])).split('\n').sort();
    assert.deepEqual(names, ['bridge bridge', 'host host', 'none null']);
    const id = await ok([
      'network',
      'create',
      '--subnet',
      '10.231.7.0/24',
      '--gateway',
      '10.231.7.254',
      '--label',
      'team=a',
      'berth-t1',
    ]);
    assert.match(id, /^[0-9a-f]{64}$/);
    const inspect = JSON.parse(await ok(['network', 'inspect', 'berth-t1']))[0];
    assert.deepEqual(inspect.IPAM.Config, [{ Subnet: '10.231.7.0/24', Gateway: '10.231.7.254' }]);
    assert.deepEqual(inspect.Labels, { team: 'a' });
    const overlap = await run(['network', 'create', '--subnet', '10.231.0.0/16', 'berth-t2']);
    assert.notEqual(overlap.exitCode, 0);
    assert.match(overlap.stderr, /Pool overlaps with other one on this address space/);
    const duplicate = await run(['network', 'create', 'berth-t1']);
    assert.match(duplicate.stderr, /network with name berth-t1 already exists/);
    assert.equal(await ok(['network', 'ls', '--filter', 'label=team=a', '--format', '{{.Name}}']), 'berth-t1');
    const auto = JSON.parse(await ok(['network', 'inspect', await ok(['network', 'create', 'berth-auto'])]))[0];
    assert.match(auto.IPAM.Config[0].Subnet, /^(172\.(1[7-9]|2\d|3[01])\.0\.0\/16|192\.168\.\d+\.0\/20)$/);
    await ok(['network', 'rm', 'berth-t1', 'berth-auto']);
    const removed = await run(['network', 'inspect', 'berth-t1']);
    assert.notEqual(removed.exitCode, 0);
    const builtin = await run(['network', 'rm', 'bridge']);
    assert.match(builtin.stderr, /pre-defined network and cannot be removed/);
  });

  test('create with an unknown network fails at create with 404', async () => {
    const response = await apiRequest(
      engine.socketPath,
      'POST',
      '/v1.41/containers/create',
      JSON.stringify({ Image: busybox, HostConfig: { NetworkMode: 'nosuch' } }),
    );
    assert.equal(response.status, 404);
    assert.equal(JSON.parse(response.body).message, 'network nosuch not found');
    const cli = await run(['create', '--network', 'nosuch', busybox]);
    assert.notEqual(cli.exitCode, 0);
  });

  test('default bridge: address, hosts file, outbound NAT rules, published port from the host', async () => {
    await ok(['run', '-d', '--name', 'pub', '-p', '127.0.0.1::80', '-p', '7000', busybox, ...server('from-pub')]);
    const ip = await ok(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'pub']);
    assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
    const own = await ok(['run', '--rm', '--hostname', 'me', busybox, 'sh', '-c', 'cat /etc/hosts; ip -o -4 addr show eth0']);
    const ownIp = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(own)?.[1] ?? 'none';
    assert.match(own, new RegExp(`${ownIp.replace(/\./g, '\\.')}\\s+me`));
    const port = await ok(['port', 'pub', '80']);
    const match = /^127\.0\.0\.1:(\d+)$/.exec(port);
    assert.ok(match !== null, port);
    assert.equal(await readLineEventually(Number(match[1])), 'from-pub');
    const ps = await ok(['ps', '--filter', 'name=pub', '--format', '{{.Ports}}']);
    assert.match(ps, /127\.0\.0\.1:\d+->80\/tcp/);
    assert.match(ps, /0\.0\.0\.0:\d+->7000\/tcp/);
  });

  test('a taken host port fails the start clearly and leaves nothing behind', async () => {
    const port = JSON.parse(await ok(['inspect', 'pub']))[0].NetworkSettings.Ports['80/tcp'][0].HostPort as string;
    const clash = await run(['run', '-d', '--name', 'clash', '-p', `${port}:80`, busybox, 'sleep', '30']);
    assert.notEqual(clash.exitCode, 0);
    assert.match(clash.stderr, /port is already allocated/);
    const id = await ok(['inspect', '-f', '{{.Id}}', 'clash']);
    assert.equal(existsSync(`/run/netns/berth-${id}`), false);
    await ok(['rm', 'clash']);
  });

  test('user network: name and alias resolution, static IP, --add-host host-gateway, --dns', async () => {
    await ok(['network', 'create', '--subnet', '10.231.9.0/24', 'berth-app']);
    await ok([
      'run',
      '-d',
      '--name',
      'web',
      '--network',
      'berth-app',
      '--network-alias',
      'webalias',
      '--ip',
      '10.231.9.50',
      busybox,
      ...server('from-web'),
    ]);
    assert.equal(
      await ok(['inspect', '-f', '{{(index .NetworkSettings.Networks "berth-app").IPAddress}}', 'web']),
      '10.231.9.50',
    );
    const byName = await ok(['run', '--rm', '--network', 'berth-app', busybox, 'sh', '-c', 'nc web 80 </dev/null']);
    assert.equal(byName, 'from-web');
    const byAlias = await ok(['run', '--rm', '--network', 'berth-app', busybox, 'nc', 'webalias', '80']);
    assert.equal(byAlias, 'from-web');
    const files = await ok([
      'run',
      '--rm',
      '--network',
      'berth-app',
      '--add-host',
      'outside:host-gateway',
      '--add-host',
      'fixed:10.1.2.3',
      '--dns-search',
      'example.test',
      busybox,
      'sh',
      '-c',
      'cat /etc/hosts /etc/resolv.conf',
    ]);
    assert.match(files, /10\.231\.9\.1\s+outside/);
    assert.match(files, /10\.1\.2\.3\s+fixed/);
    assert.match(files, /nameserver 10\.231\.9\.1/);
    assert.match(files, /search example\.test/);
    const members = JSON.parse(await ok(['network', 'inspect', 'berth-app']))[0].Containers;
    assert.deepEqual(
      Object.values(members).map((member) => (member as { Name: string }).Name),
      ['web'],
    );
    const inUse = await run(['network', 'rm', 'berth-app']);
    assert.notEqual(inUse.exitCode, 0);
    assert.match(inUse.stderr, /has active endpoints/);
  });

  test('connect and disconnect a running container', async () => {
    await ok(['run', '-d', '--name', 'mover', busybox, 'sleep', '300']);
    await ok(['network', 'connect', '--alias', 'moved', 'berth-app', 'mover']);
    const id = await ok(['inspect', '-f', '{{.Id}}', 'mover']);
    const addresses = async () => (await runHost('ip', ['-n', `berth-${id}`, '-o', '-4', 'addr'])).stdout.trim();
    const links = await addresses();
    assert.match(links, /eth1.*10\.231\.9\./);
    assert.equal(
      await ok(['run', '--rm', '--network', 'berth-app', busybox, 'sh', '-c', 'ping -c1 -W2 moved >/dev/null && echo up']),
      'up',
    );
    await ok(['network', 'disconnect', 'berth-app', 'mover']);
    assert.doesNotMatch(await addresses(), /10\.231\.9\./);
    const settings = JSON.parse(await ok(['inspect', 'mover']))[0].NetworkSettings.Networks;
    assert.deepEqual(Object.keys(settings), ['bridge']);
  });

  test('port ranges: a container range maps port by port, a host range takes a free port in it', async () => {
    const listeners = 'while true; do echo a | nc -l -p 7000; done & while true; do echo b | nc -l -p 7001; done & wait';
    await ok([
      'run',
      '-d',
      '--name',
      'ranged',
      '-p',
      '127.0.0.1::7000-7001',
      '-p',
      '127.0.0.1:45100-45120:80',
      busybox,
      'sh',
      '-c',
      listeners,
    ]);
    const ports = (await ok(['port', 'ranged'])).split('\n').sort();
    assert.equal(ports.length, 3, ports.join('\n'));
    const hostPortOf = (containerPort: string) =>
      Number(/:(\d+)$/.exec(ports.find((line) => line.startsWith(`${containerPort}/tcp`)) ?? '')?.[1]);
    assert.equal(await readLineEventually(hostPortOf('7000')), 'a');
    assert.equal(await readLineEventually(hostPortOf('7001')), 'b');
    const ranged = hostPortOf('80');
    assert.ok(ranged >= 45100 && ranged <= 45120, String(ranged));
    await ok(['rm', '-f', 'ranged']);
  });

  test('an --internal network has no way out: no default route, Internal in inspect', async () => {
    await ok(['network', 'create', '--internal', '--subnet', '10.231.33.0/24', 'berth-internal']);
    assert.equal(await ok(['network', 'inspect', '-f', '{{.Internal}}', 'berth-internal']), 'true');
    const routes = await ok(['run', '--rm', '--network', 'berth-internal', busybox, 'ip', 'route']);
    assert.doesNotMatch(routes, /default/);
    assert.match(routes, /10\.231\.33\.0\/24/);
    await ok(['network', 'rm', 'berth-internal']);
  });

  test('a published port is reachable from other containers through the host (default bridge and user network)', async () => {
    await ok(['run', '-d', '--name', 'shared', '-p', '80', busybox, ...server('from-shared')]);
    const hostPort = /:(\d+)$/.exec(await ok(['port', 'shared', '80']))?.[1] ?? '';
    await ok(['network', 'create', '--subnet', '10.231.55.0/24', 'berth-reach']);
    for (const network of ['bridge', 'berth-reach']) {
      const answer = await ok([
        'run',
        '--rm',
        '--network',
        network,
        '--add-host',
        'outside:host-gateway',
        busybox,
        'sh',
        '-c',
        `for i in $(seq 50); do nc outside ${hostPort} </dev/null && exit 0; sleep 0.1; done; exit 1`,
      ]);
      assert.equal(answer, 'from-shared', network);
    }
    await ok(['rm', '-f', 'shared']);
    await ok(['network', 'rm', 'berth-reach']);
  });

  test('udp: a published port forwards datagrams both ways, on the default bridge and on a user network', async () => {
    const socatImage = `${registry.host}/socat`;
    await pushTestImage(
      registry.host,
      'socat',
      'latest',
      await buildTestImage({ extraLayers: [await hostBinaryEntries('/usr/bin/socat')] }),
    );
    await ok(['pull', '-q', socatImage]);
    const echoServer = ['socat', 'UDP4-RECVFROM:5353,fork', 'SYSTEM:echo pong-$SOCAT_PEERADDR'];
    await ok(['network', 'create', '--subnet', '10.231.44.0/24', 'berth-udp']);
    for (const network of ['bridge', 'berth-udp']) {
      const name = `udp-${network}`;
      await ok(['run', '-d', '--name', name, '--network', network, '-p', '127.0.0.1::5353/udp', socatImage, ...echoServer]);
      const hostPort = Number(/:(\d+)$/.exec(await ok(['port', name, '5353/udp']))?.[1]);
      const answer = await udpAskEventually(hostPort, 'ping');
      assert.match(answer, /^pong-\d+\.\d+\.\d+\.\d+$/, `${network}: ${answer}`);
      await ok(['rm', '-f', name]);
    }
    await ok(['network', 'rm', 'berth-udp']);
  });

  test('host and none networks', async () => {
    const none = await ok(['run', '--rm', '--network', 'none', busybox, 'ip', '-o', 'link']);
    assert.doesNotMatch(none, /eth0/);
    const hostLinks = await ok(['run', '--rm', '--network', 'host', busybox, 'ip', '-o', 'link']);
    assert.match(hostLinks, /lo/);
    assert.notEqual(hostLinks.split('\n').length, 1);
  });

  test('docker ps lists the networks of each container; a plain run keeps NetworkMode "default", as dockerd does', async () => {
    await ok(['create', '--name', 'nets-created', busybox, 'true']);
    await ok(['run', '-d', '--name', 'nets-running', busybox, 'sleep', '60']);
    await ok(['run', '-d', '--name', 'nets-none', '--network', 'none', busybox, 'sleep', '60']);
    try {
      const listed = await ok(['ps', '-a', '--filter', 'name=nets-', '--format', '{{.Names}} {{.Networks}}']);
      assert.deepEqual(listed.trim().split('\n').sort(), ['nets-created bridge', 'nets-none none', 'nets-running bridge']);
      assert.equal((await ok(['inspect', '-f', '{{.HostConfig.NetworkMode}}', 'nets-running'])).trim(), 'default');
    } finally {
      await run(['rm', '-f', 'nets-created', 'nets-running', 'nets-none']);
    }
  });

  test('namespaces, veths and bridges go with their containers and networks', async () => {
    const ids = (await ok(['ps', '-aq', '--no-trunc'])).split('\n').filter((id) => id !== '');
    // dockerd's naming for user networks' bridges: br- and the first 12 characters of the ID.
    const appBridge = `br-${(await ok(['network', 'inspect', '-f', '{{.Id}}', 'berth-app'])).slice(0, 12)}`;
    assert.equal(readdirSync('/sys/class/net').includes(appBridge), true, appBridge);
    await ok(['rm', '-f', ...ids]);
    await ok(['network', 'rm', 'berth-app']);
    // A stopped container's namespace is deleted after `rm` answers (its addresses stay taken until then).
    const namespaces = () => readdirSync('/run/netns').filter((name) => ids.some((id) => name === `berth-${id}`));
    for (let waited = 0; namespaces().length > 0 && waited < 5000; waited += 100)
      await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(namespaces(), []);
    assert.equal(readdirSync('/sys/class/net').includes(appBridge), false, appBridge);
    // The default bridge stays while the engine runs (like docker0), without ports: every veth went.
    const bridge = JSON.parse((await apiRequest(engine.socketPath, 'GET', '/v1.41/networks/bridge')).body);
    // The kernel takes the veths of a deleted namespace down in the background: give it a moment.
    const ports = () => readdirSync(`/sys/class/net/${bridge.Options['com.docker.network.bridge.name']}/brif`);
    for (let waited = 0; ports().length > 0 && waited < 5000; waited += 100)
      await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(ports(), []);
  });
});

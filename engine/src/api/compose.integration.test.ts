// docker-compose v1 (Debian's 1.29.2, docker-py) against Berth: the project network with name
// service between services, a named volume across down/up, published ports on 127.0.0.1, the
// default bridge (network_mode: bridge), ps/logs/exec/restart/stop/down and compose labels.
// Also how /etc/hosts follows `docker network connect`, as dockerd's sandbox does.
// Needs root (runc, conmon, netavark, aardvark-dns), /usr/local/bin/docker and /usr/bin/docker-compose
// (scripts/setup-system.sh installs it); talks only to 127.0.0.1 and the engine's containers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compose } from '../testing/compose-cli.js';
import { docker, type DockerResult, removeAllContainers } from '../testing/docker-cli.js';
import { apiRequest, startEngineProcess, type EngineProcess } from '../testing/engine-process.js';
import { freePort } from '../testing/test-registry.js';
import { buildRawTar, busyboxEntries, toRawEntries } from '../testing/test-images.js';

/** The fixture stays in src/ (tsc copies no YAML); this file runs from engine/dist/api/. */
const composeFile = fileURLToPath(new URL('../../src/api/testdata/compose/docker-compose.yml', import.meta.url));
const image = 'berth-compose-busybox:latest';
const project = 'berthcmp';

let engine: EngineProcess;
let scratch: string;
let composeEnv: Record<string, string>;
let webPort: number;
let legacyPort: number;

before(async () => {
  engine = await startEngineProcess();
  scratch = await mkdtemp(join(tmpdir(), 'berth-compose-test-'));
  // `docker import` of a busybox root filesystem: offline, no registry needed.
  const rootfs = join(scratch, 'busybox.tar');
  await writeFile(rootfs, await buildRawTar(toRawEntries(await busyboxEntries())));
  await ok(['import', '--change', 'CMD ["sh"]', rootfs, image]);
  webPort = await freePort();
  legacyPort = await freePort();
  composeEnv = {
    BERTH_COMPOSE_IMAGE: image,
    BERTH_COMPOSE_WEB_PORT: String(webPort),
    BERTH_COMPOSE_LEGACY_PORT: String(legacyPort),
  };
});

after(async () => {
  if (engine !== undefined) {
    await composeIn(project, ['down', '-v', '-t', '1']).catch(() => undefined);
    await removeAllContainers(engine.socketPath);
    await run(['network', 'prune', '-f']);
    await run(['volume', 'prune', '-f']);
    await engine.stop();
    // Nothing is mounted any more: every container is gone.
    await rm(engine.dataRoot, { recursive: true, force: true });
  }
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
});

const run = (args: string[]): Promise<DockerResult> => docker(engine.socketPath, args);

async function ok(args: string[]): Promise<string> {
  const result = await run(args);
  assert.equal(result.exitCode, 0, `docker ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

const composeIn = (projectName: string, args: string[]): Promise<DockerResult> =>
  compose(engine.socketPath, ['-f', composeFile, '-p', projectName, ...args], { env: composeEnv });

async function composeOk(args: string[], projectName = project): Promise<string> {
  const result = await composeIn(projectName, args);
  assert.equal(result.exitCode, 0, `docker-compose ${args.join(' ')}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** Names of the project's containers as `docker ps` filters them by a compose label. */
async function namesByLabel(label: string, all = false): Promise<string[]> {
  const output = await ok(['ps', ...(all ? ['-a'] : []), '--filter', `label=${label}`, '--format', '{{.Names}}']);
  return output
    .split('\n')
    .filter((name) => name !== '')
    .sort();
}

/** `docker-compose ps` rows: container name to its state column ("Up", "Exit 0"). */
async function composeStates(): Promise<Map<string, string>> {
  const states = new Map<string, string>();
  for (const line of (await composeOk(['ps'])).split('\n')) {
    const name = line.split(/\s+/)[0] ?? '';
    if (!name.startsWith(`${project}_`)) continue;
    const state = /\s(Up|Exit -?\d+|Restarting|Paused)(\s|$)/.exec(line)?.[1];
    states.set(name, state ?? line);
  }
  return states;
}

/** The body of GET http://127.0.0.1:port/path, retried until the server in the container listens. */
async function fetchFromHost(port: number, path = '/'): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await httpGet(port, path);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function httpGet(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = get({ host: '127.0.0.1', port, path, timeout: 3000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (response.statusCode === 200) resolve(body);
        else reject(new Error(`GET 127.0.0.1:${port}${path}: HTTP ${response.statusCode} ${body}`));
      });
    });
    request.on('timeout', () => request.destroy(new Error(`GET 127.0.0.1:${port}${path} timed out`)));
    request.on('error', reject);
  });
}

/** A shell loop for `exec`: wget from inside a container until the peer's httpd answers (`timeout`: busybox-static's `wget -T` segfaults). */
const wgetEventually = (url: string) => [
  'sh',
  '-c',
  `for i in $(seq 50); do timeout 2 wget -q -O- ${url} && exit 0; sleep 0.1; done; exit 1`,
];

interface NetworkEndpoint {
  Name: string;
  IPv4Address: string;
}

/** The first object `docker <inspectCommand...> name` prints. */
async function inspectJson<T>(inspectCommand: string[], name: string): Promise<T> {
  return (JSON.parse(await ok([...inspectCommand, name])) as T[])[0] as T;
}

/** The addresses nslookup printed for `name` (not the server's own line). */
const lookedUp = (output: string, name: string): string[] =>
  [...output.matchAll(new RegExp(`Name:\\s+${name}\\s*\\nAddress:\\s+(\\S+)`, 'g'))].map((match) => match[1] ?? '');

const containerId = async (name: string): Promise<string> => ok(['inspect', '--format', '{{.Id}}', name]);

describe('docker-compose', () => {
  test('up -d creates the project network, volume and containers with compose labels', async () => {
    await composeOk(['up', '-d']);
    const network = await inspectJson<{ Labels: Record<string, string>; Driver: string }>(
      ['network', 'inspect'],
      `${project}_back`,
    );
    assert.equal(network.Driver, 'bridge');
    assert.equal(network.Labels['com.docker.compose.project'], project);
    assert.equal(network.Labels['com.docker.compose.network'], 'back');
    const volume = await inspectJson<{ Labels: Record<string, string> }>(['volume', 'inspect'], `${project}_data`);
    assert.equal(volume.Labels['com.docker.compose.project'], project);
    assert.equal(volume.Labels['com.docker.compose.volume'], 'data');

    const all = [`${project}_client_1`, `${project}_legacy_1`, `${project}_web_1`];
    assert.deepEqual(await namesByLabel(`com.docker.compose.project=${project}`), all);
    assert.deepEqual(await namesByLabel('com.docker.compose.service=web'), [`${project}_web_1`]);
    assert.deepEqual(await namesByLabel(`com.docker.compose.oneoff=False`), all);
    const states = await composeStates();
    assert.deepEqual([...states.keys()].sort(), all);
    for (const [name, state] of states) assert.equal(state, 'Up', `${name}: ${state}`);
    const psLines = (await composeOk(['ps'])).split('\n');
    assert.ok(
      psLines.some((line) => line.startsWith(`${project}_web_1`) && line.includes(`127.0.0.1:${webPort}->80/tcp`)),
      psLines.join('\n'),
    );
    const composeIds = (await composeOk(['ps', '-q'])).split('\n').filter((id) => id !== '');
    assert.deepEqual(composeIds.sort(), (await Promise.all(all.map(containerId))).sort());
  });

  test('services reach each other by service and container name, and share the named volume', async () => {
    await composeOk(['exec', '-T', 'web', 'sh', '-c', 'echo from-volume > /data/index.html']);
    assert.equal((await composeOk(['exec', '-T', 'client', ...wgetEventually('http://web/')])).trim(), 'from-volume');
    assert.equal(
      (await composeOk(['exec', '-T', 'client', ...wgetEventually(`http://${project}_web_1/`)])).trim(),
      'from-volume',
    );
    assert.equal((await composeOk(['exec', '-T', 'client', 'cat', '/shared/index.html'])).trim(), 'from-volume');
    // The other direction through aardvark-dns: the answer is client's address on the project network.
    const clientAddress = await ok([
      'inspect',
      '--format',
      `{{(index .NetworkSettings.Networks "${project}_back").IPAddress}}`,
      `${project}_client_1`,
    ]);
    const lookup = await composeOk(['exec', '-T', 'web', 'nslookup', 'client']);
    assert.deepEqual(lookedUp(lookup, 'client'), [clientAddress], lookup);
    const failed = await composeIn(project, ['exec', '-T', 'client', 'sh', '-c', 'echo to-stderr >&2; exit 3']);
    assert.equal(failed.exitCode, 3);
    assert.match(failed.stderr, /to-stderr/);
  });

  test('published ports on 127.0.0.1 reach the user network and the default bridge', async () => {
    assert.equal((await fetchFromHost(webPort)).trim(), 'from-volume');
    assert.equal((await fetchFromHost(legacyPort)).trim(), 'legacy-bridge');
    const legacy = await inspectJson<{
      HostConfig: { NetworkMode: string };
      NetworkSettings: { Networks: Record<string, unknown> };
    }>(['inspect'], `${project}_legacy_1`);
    assert.equal(legacy.HostConfig.NetworkMode, 'bridge');
    assert.deepEqual(Object.keys(legacy.NetworkSettings.Networks), ['bridge']);
    const bridge = await inspectJson<{ Containers: Record<string, NetworkEndpoint> }>(['network', 'inspect'], 'bridge');
    assert.equal(bridge.Containers[await containerId(`${project}_legacy_1`)]?.Name, `${project}_legacy_1`);
  });

  test('the network list and inspect agree on the attached containers', async () => {
    const inspected = JSON.parse((await apiRequest(engine.socketPath, 'GET', `/v1.41/networks/${project}_back`)).body) as {
      Id: string;
      Containers: Record<string, NetworkEndpoint>;
    };
    const members = Object.values(inspected.Containers)
      .map((endpoint) => endpoint.Name)
      .sort();
    assert.deepEqual(members, [`${project}_client_1`, `${project}_web_1`]);
    const listed = (
      JSON.parse((await apiRequest(engine.socketPath, 'GET', '/v1.41/networks')).body) as (typeof inspected)[]
    ).find((network) => network.Id === inspected.Id);
    assert.ok(listed !== undefined);
    // dockerd sends `Containers: {}` in the list since API 1.28; when a list carries members they must match inspect.
    if (Object.keys(listed.Containers).length > 0) assert.deepEqual(listed.Containers, inspected.Containers);
  });

  test('logs, restart and stop', async () => {
    assert.match(await composeOk(['logs', '--no-color', 'client']), /client_1\s+\| client-started/);
    await composeOk(['restart', '-t', '2']);
    for (const [name, state] of await composeStates()) assert.equal(state, 'Up', `${name}: ${state}`);
    // New namespaces, maybe new addresses: the name service must follow.
    assert.equal((await composeOk(['exec', '-T', 'client', ...wgetEventually('http://web/')])).trim(), 'from-volume');
    assert.equal((await fetchFromHost(webPort)).trim(), 'from-volume');
    // `restart` returns once the process started, maybe before its first line reached the log.
    let logs = '';
    for (const deadline = Date.now() + 5000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 100))) {
      logs = await composeOk(['logs', '--no-color', 'client']);
      if ((logs.match(/client-started/g)?.length ?? 0) >= 2) break;
    }
    assert.equal(logs.match(/client-started/g)?.length, 2, logs);

    await composeOk(['stop', '-t', '2']);
    for (const [name, state] of await composeStates()) assert.equal(state, 'Exit 0', `${name}: ${state}`);
    assert.deepEqual(await namesByLabel(`com.docker.compose.project=${project}`), []);
    assert.equal((await namesByLabel(`com.docker.compose.project=${project}`, true)).length, 3);
    // dockerd lists only containers with a live endpoint; stopped ones have none.
    const network = await inspectJson<{ Containers: Record<string, NetworkEndpoint> }>(['network', 'inspect'], `${project}_back`);
    assert.deepEqual(network.Containers, {});
    await assert.rejects(httpGet(webPort, '/'), /ECONNREFUSED/);
  });

  test('down keeps the named volume, up finds the data again, down -v removes it', async () => {
    await composeOk(['down', '-t', '2']);
    assert.deepEqual(await namesByLabel(`com.docker.compose.project=${project}`, true), []);
    assert.notEqual((await run(['network', 'inspect', `${project}_back`])).exitCode, 0);
    assert.equal(await ok(['volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`]), `${project}_data`);

    await composeOk(['up', '-d']);
    assert.equal((await composeOk(['exec', '-T', 'web', 'cat', '/data/index.html'])).trim(), 'from-volume');
    assert.equal((await fetchFromHost(webPort)).trim(), 'from-volume');

    // run --rm: a one-off container on the project network and volume, gone when it returns.
    const oneOff = await composeOk(['run', '--rm', '-T', 'client', ...wgetEventually('http://web/')]);
    assert.match(oneOff, /from-volume/);
    assert.deepEqual(await namesByLabel('com.docker.compose.oneoff=True', true), []);

    // logs -f prints the output, then the exit as the container stops (compose 1.29 ends there,
    // as soon as no container is left running: the stream has to end as promptly as dockerd's).
    const followed = compose(engine.socketPath, ['-f', composeFile, '-p', project, 'logs', '-f', '--no-color', 'web'], {
      // Unbuffered: a SIGKILL at the timeout must not swallow Python's buffered output.
      env: { ...composeEnv, PYTHONUNBUFFERED: '1' },
      timeoutMs: 20_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await composeOk(['stop', '-t', '2', 'web']);
    const followedLogs = await followed;
    assert.equal(followedLogs.exitCode, 0, followedLogs.stderr);
    assert.match(followedLogs.stdout, /web-started/);
    assert.match(followedLogs.stdout, /berthcmp_web_1 exited with code 0/);
    await composeOk(['start', 'web']);

    await composeOk(['down', '-v', '-t', '2']);
    assert.deepEqual(await namesByLabel(`com.docker.compose.project=${project}`, true), []);
    assert.notEqual((await run(['network', 'inspect', `${project}_back`])).exitCode, 0);
    assert.equal(await ok(['volume', 'ls', '-q']), '');
    assert.deepEqual((await ok(['network', 'ls', '--format', '{{.Name}}'])).split('\n').sort(), ['bridge', 'host', 'none']);
  });

  test('up --scale starts several containers on a fresh network at once', async () => {
    // compose starts the replicas in parallel; all set up their interfaces on the new network together.
    const scaled = `${project}scale`;
    await composeOk(['up', '-d', '--scale', 'client=4', 'client'], scaled);
    const names = await namesByLabel(`com.docker.compose.project=${scaled}`);
    assert.deepEqual(
      names,
      [1, 2, 3, 4].map((index) => `${scaled}_client_${index}`),
    );
    // Each replica answers to the service name: aardvark-dns returns all four addresses.
    const lookup = await composeOk(['exec', '-T', 'client', 'nslookup', 'client'], scaled);
    assert.equal(new Set(lookedUp(lookup, 'client')).size, 4, lookup);
    // A container name is one record, as with dockerd's resolver.
    const byName = await composeOk(['exec', '-T', 'client', 'nslookup', `${scaled}_client_2`], scaled);
    assert.equal(lookedUp(byName, `${scaled}_client_2`).length, 1, byName);
    await composeOk(['down', '-v', '-t', '2'], scaled);
  });
});

describe('/etc/hosts and network connect', () => {
  test("each network's address of the container gets a hosts line, also when connected while running", async () => {
    await ok(['network', 'create', 'berth-cmp-a']);
    await ok(['network', 'create', 'berth-cmp-b']);
    await ok(['network', 'create', 'berth-cmp-c']);
    // dockerd (libnetwork endpoint sbJoin -> sandbox.updateHostsFile) appends `<address>\t<hostname>` for every
    // endpoint a container joins: at start for each network, and later on `network connect`.
    await ok(['create', '--name', 'hosts-probe', '--hostname', 'probe', '--network', 'berth-cmp-a', image, 'sleep', '3600']);
    await ok(['network', 'connect', 'berth-cmp-b', 'hosts-probe']);
    await ok(['start', 'hosts-probe']);
    await ok(['network', 'connect', 'berth-cmp-c', 'hosts-probe']);
    const address = (network: string) =>
      ok(['inspect', '--format', `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, 'hosts-probe']);
    const hosts = await ok(['exec', 'hosts-probe', 'cat', '/etc/hosts']);
    const probeLines = hosts.split('\n').filter((line) => /\sprobe$/.test(line));
    const expected = await Promise.all(['berth-cmp-a', 'berth-cmp-b', 'berth-cmp-c'].map(address));
    // dockerd joins the networks of a starting container in map order: compare without order.
    assert.deepEqual(probeLines.sort(), expected.map((ip) => `${ip}\tprobe`).sort(), hosts);
    await ok(['rm', '-f', 'hosts-probe']);
    await ok(['network', 'rm', 'berth-cmp-a', 'berth-cmp-b', 'berth-cmp-c']);
  });
});

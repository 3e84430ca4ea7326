// `docker events` against the engine: live sequence of a `docker run`, replay with --since/--until,
// filters, and the legacy JSON fields. Needs root (runc, conmon) and the docker CLI.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { docker, dockerCli } from '../testing/docker-cli.js';
import { apiRequest, startEngineProcess, type EngineProcess } from '../testing/engine-process.js';
import { startTestRegistry, type TestRegistry } from '../testing/test-registry.js';
import { buildRawTar, buildTestImage, pushTestImage } from '../testing/test-images.js';

let engine: EngineProcess;
let registry: TestRegistry;
let busybox: string;
/** Unix time (with fraction, as the CLI accepts it) before and after the recorded run. */
let before1: string;
let after1: string;
let liveLines: string[];

before(async () => {
  registry = await startTestRegistry();
  await pushTestImage(registry.host, 'busybox', 'latest', await buildTestImage());
  busybox = `${registry.host}/busybox`;
  engine = await startEngineProcess();
  const pull = await docker(engine.socketPath, ['pull', busybox]);
  assert.equal(pull.exitCode, 0, pull.stderr);

  // `docker events` running while another client runs a container, as a user would watch it. It is
  // subscribed once it prints the creation of a marker container.
  const watcher = watchEvents(['--filter', 'type=container', '--format', '{{json .}}']);
  const marker = await docker(engine.socketPath, ['create', '--name', 'marker', busybox, 'true']);
  assert.equal(marker.exitCode, 0, marker.stderr);
  await watcher.waitFor((line) => line.includes('"name":"marker"'));
  before1 = unixNow();
  const run = await docker(engine.socketPath, [
    'run',
    '--rm',
    '--name',
    'evt',
    '--label',
    'team=blue',
    busybox,
    'sh',
    '-c',
    'exit 3',
  ]);
  assert.equal(run.exitCode, 3, run.stderr);
  await watcher.waitFor((line) => line.includes('"Action":"destroy"') && line.includes('"name":"evt"'));
  liveLines = await watcher.stop();
  after1 = unixNow();
  const other = await docker(engine.socketPath, ['create', '--name', 'other', '--label', 'team=red', busybox, 'true']);
  assert.equal(other.exitCode, 0, other.stderr);
});

after(async () => {
  if (engine !== undefined) {
    await docker(engine.socketPath, ['rm', '-f', 'other', 'marker']);
    await engine.stop();
  }
  await registry?.stop();
});

function unixNow(): string {
  return (Date.now() / 1000).toFixed(3);
}

/** `docker events ARGS` running in the background; waitFor() resolves once a line matching it was printed. */
function watchEvents(args: string[]): { waitFor(match: (line: string) => boolean): Promise<void>; stop(): Promise<string[]> } {
  const child = spawn(dockerCli, ['events', ...args], {
    env: { ...process.env, DOCKER_HOST: `unix://${engine.socketPath}`, DOCKER_CONFIG: '/tmp/berth-docker-config' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: { match: (line: string) => boolean; resolve: () => void }[] = [];
  let buffered = '';
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts);
    for (const waiter of [...waiters])
      if (parts.some(waiter.match)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
  });
  return {
    waitFor: (match) =>
      lines.some(match)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            waiters.push({ match, resolve });
            void closed.then(() => reject(new Error(`docker events ended first: ${lines.join('\n')}`)));
          }),
    stop: async () => {
      child.kill('SIGTERM');
      await closed;
      clearTimeout(timer);
      return lines;
    },
  };
}

interface EventMessage {
  status?: string;
  id?: string;
  from?: string;
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: string;
  time: number;
  timeNano: number;
}

const parse = (lines: string[]): EventMessage[] =>
  lines.filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as EventMessage);

async function ok(args: string[]): Promise<string> {
  const result = await docker(engine.socketPath, args);
  assert.equal(result.exitCode, 0, `docker ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

async function events(args: string[]): Promise<string[]> {
  const result = await docker(engine.socketPath, ['events', ...args], { timeoutMs: 10_000 });
  assert.equal(result.exitCode, 0, result.stderr);
  return result.stdout.split('\n').filter((line) => line !== '');
}

describe('docker events', () => {
  test('live: a docker run --rm shows create, attach, start, die (exit code), destroy', () => {
    const messages = parse(liveLines).filter((message) => message.Actor.Attributes['name'] === 'evt');
    assert.deepEqual(
      messages.map((message) => message.Action),
      ['create', 'attach', 'start', 'die', 'destroy'],
    );
    const die = messages[3];
    assert.equal(die?.Actor.Attributes['exitCode'], '3');
    assert.equal(die?.Actor.Attributes['team'], 'blue');
    assert.equal(die?.Actor.Attributes['image'], busybox);
    assert.equal(die?.status, 'die');
    assert.equal(die?.from, busybox);
    assert.equal(die?.id, die?.Actor.ID);
    assert.equal(die?.scope, 'local');
  });

  test('--since/--until replay the window and end; filters by container, event, label, image, type', async () => {
    const window = ['--since', before1, '--until', after1];
    const format = ['--format', '{{.Action}} {{.Actor.Attributes.name}}'];
    assert.deepEqual(await events([...window, ...format, '--filter', 'container=evt']), [
      'create evt',
      'attach evt',
      'start evt',
      'die evt',
      'destroy evt',
    ]);
    assert.deepEqual(await events([...window, ...format, '--filter', 'event=die']), ['die evt']);
    assert.deepEqual(await events([...window, ...format, '--filter', 'label=team=blue', '--filter', 'event=start']), [
      'start evt',
    ]);
    assert.deepEqual(await events([...window, ...format, '--filter', 'label=team=red']), []);
    assert.equal((await events([...window, ...format, '--filter', `image=${busybox}`, '--filter', 'type=container'])).length, 5);
    assert.deepEqual(await events([...window, ...format, '--filter', 'type=volume']), []);
    // Everything since the start, until now: the later `create` of `other` too, and nothing after.
    const all = await events(['--since', before1, '--until', unixNow(), ...format, '--filter', 'type=container']);
    assert.deepEqual(all.slice(-1), ['create other']);
  });

  test('a run connects its networks before start and disconnects them after die, as dockerd (none and host too)', async () => {
    const since = unixNow();
    const ids: Record<string, string> = {};
    for (const [name, network] of [
      ['netevt-bridge', 'bridge'],
      ['netevt-none', 'none'],
      ['netevt-host', 'host'],
    ] as const) {
      ids[await ok(['create', '--name', name, '--network', network, busybox, 'true'])] = name;
      await ok(['start', '-a', name]);
      await ok(['rm', name]);
    }
    const format = '{{.Type}}|{{.Action}}|{{.Actor.Attributes.name}}|{{.Actor.Attributes.container}}|{{.Actor.ID}}';
    const lines = await events(['--since', since, '--until', unixNow(), '--format', format]);
    const story = lines
      .map((line) => line.split('|'))
      .filter(([type, action]) => (type === 'container' || type === 'network') && action !== 'attach')
      .map(([type, action, name, container, actor]) =>
        type === 'network'
          ? `${ids[container ?? ''] ?? '?'}: network ${action} ${name}`
          : `${ids[actor ?? ''] ?? '?'}: ${action}`,
      );
    assert.deepEqual(
      story,
      ['netevt-bridge', 'netevt-none', 'netevt-host'].flatMap((name) => {
        const network = name.slice('netevt-'.length);
        return [
          `${name}: create`,
          `${name}: network connect ${network}`,
          `${name}: start`,
          `${name}: die`,
          `${name}: network disconnect ${network}`,
          `${name}: destroy`,
        ];
      }),
    );
  });

  test('an import with a name is a tag, then the import, as with dockerd', async () => {
    const since = unixNow();
    const archive = `/tmp/berth-events-import-${process.pid}.tar`;
    await writeFile(archive, await buildRawTar([{ header: { name: 'hello.txt', type: 'file', mode: 0o644 }, content: 'hi' }]));
    try {
      const id = await ok(['import', archive, 'evt-imported:v1']);
      await ok(['rmi', 'evt-imported:v1']);
      const lines = await events([
        '--since',
        since,
        '--until',
        unixNow(),
        '--filter',
        'type=image',
        '--format',
        '{{.Action}} {{.Actor.ID}} {{.Actor.Attributes.name}}',
      ]);
      assert.deepEqual(lines, [`tag ${id} evt-imported:v1`, `import ${id} ${id}`, `untag ${id} ${id}`, `delete ${id} ${id}`]);
    } finally {
      await rm(archive, { force: true });
    }
  });

  test('docker top is an event, as with dockerd', async () => {
    const since = unixNow();
    await ok(['run', '-d', '--name', 'topped', busybox, 'sleep', '30']);
    await ok(['top', 'topped']);
    await ok(['rm', '-f', 'topped']);
    const actions = await events([
      '--since',
      since,
      '--until',
      unixNow(),
      '--format',
      '{{.Action}}',
      '--filter',
      'container=topped',
    ]);
    assert.ok(actions.includes('top'), actions.join(','));
  });

  test('an until in the future ends the stream by itself after replaying', async () => {
    const started = Date.now();
    const until = ((Date.now() + 1500) / 1000).toFixed(3);
    const lines = await events(['--since', before1, '--until', until, '--format', '{{.Action}}', '--filter', 'container=other']);
    const elapsed = Date.now() - started;
    assert.deepEqual(lines, ['create']);
    assert.ok(elapsed >= 1000 && elapsed < 5000, `ended after ${elapsed} ms`);
  });

  test('raw API: headers at once, legacy fields, exact nanosecond times, bad filters refused', async () => {
    const response = await apiRequest(
      engine.socketPath,
      'GET',
      `/v1.41/events?since=${before1}&until=${after1}&filters=${encodeURIComponent('{"event":{"create":true}}')}`,
    );
    assert.equal(response.status, 200);
    assert.equal(response.headers['content-type'], 'application/json');
    const [create] = parse(response.body.split('\n'));
    assert.ok(create !== undefined);
    assert.deepEqual(Object.keys(create), ['status', 'id', 'from', 'Type', 'Action', 'Actor', 'scope', 'time', 'timeNano']);
    assert.deepEqual(Object.keys(create.Actor.Attributes), ['image', 'name', 'team']);
    const timeNano = /"timeNano":(\d+)/.exec(response.body)?.[1] ?? '';
    assert.match(timeNano, /^\d{19}$/);
    assert.equal(String(create.time), timeNano.slice(0, 10));
    const invalid = await apiRequest(
      engine.socketPath,
      'GET',
      `/v1.41/events?filters=${encodeURIComponent('{"colour":{"red":true}}')}`,
    );
    assert.equal(invalid.status, 400);
    const backwards = await apiRequest(engine.socketPath, 'GET', `/v1.41/events?since=${after1}&until=${before1}`);
    assert.equal(backwards.status, 400);
  });

  test('image events: tag, push, untag, pull, commit (a container event and a tag), save, delete, load, import, prune', async () => {
    const since = unixNow();
    const repo = `${registry.host}/evented`;
    const busyboxId = await ok(['image', 'inspect', '-f', '{{.Id}}', busybox]);
    await ok(['tag', busybox, `${repo}:v1`]);
    await ok(['push', `${repo}:v1`]);
    await ok(['rmi', `${repo}:v1`]);
    await ok(['pull', `${repo}:v1`]);
    await ok(['rmi', `${repo}:v1`]);
    await ok(['commit', '-m', 'snapshot', 'marker', `${repo}:committed`]);
    const committedId = await ok(['image', 'inspect', '-f', '{{.Id}}', `${repo}:committed`]);
    const archive = `/tmp/berth-events-${process.pid}.tar`;
    await ok(['save', '-o', archive, `${repo}:committed`]);
    await ok(['rmi', `${repo}:committed`]);
    await ok(['load', '-i', archive]);
    await ok(['rmi', `${repo}:committed`]);
    const importedId = await ok(['import', archive]);
    await rm(archive, { force: true });
    await ok(['image', 'prune', '-f']);
    const window = ['--since', since, '--until', unixNow()];
    const lines = await events([
      ...window,
      '--filter',
      'type=image',
      '--format',
      '{{.Action}} {{.Actor.ID}} {{.Actor.Attributes.name}}',
    ]);
    assert.deepEqual(lines, [
      `tag ${busyboxId} ${repo}:v1`,
      `push ${repo}:v1 ${repo}`,
      // The tag and the digest the push recorded: two names, two untags (as dockerd).
      `untag ${busyboxId} ${busyboxId}`,
      `untag ${busyboxId} ${busyboxId}`,
      `pull ${repo}:v1 ${repo}`,
      `untag ${busyboxId} ${busyboxId}`,
      `untag ${busyboxId} ${busyboxId}`,
      `tag ${committedId} ${repo}:committed`,
      `save ${committedId} ${committedId}`,
      `untag ${committedId} ${committedId}`,
      `delete ${committedId} ${committedId}`,
      `load ${committedId} ${committedId}`,
      `untag ${committedId} ${committedId}`,
      `delete ${committedId} ${committedId}`,
      `import ${importedId} ${importedId}`,
      `delete ${importedId} ${importedId}`,
      // A prune names no image: only what it reclaimed.
      'prune  <no value>',
    ]);
    const commit = await events([
      ...window,
      '--filter',
      'event=commit',
      '--format',
      '{{.Actor.Attributes.name}} {{.Actor.Attributes.comment}} {{.Actor.Attributes.imageID}}',
    ]);
    assert.deepEqual(commit, [`marker snapshot ${committedId}`]);
    // `image=` matches an image event by the repository name too.
    assert.deepEqual(
      await events([...window, '--filter', `image=${repo}`, '--filter', 'event=pull', '--format', '{{.Action}}']),
      ['pull'],
    );
  });
});

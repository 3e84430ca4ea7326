import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, rmdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createSilentLogger } from '../../lib/logger.js';
import type { TaskAttachment, TaskSpec } from '../../core/runtime/task-runtime.js';
import { bindMount, buildOciSpec } from '../../services/containers/oci-spec-builder.js';
import { ConmonTaskRuntime, type ConmonRuntimeConfig } from './conmon-task-runtime.js';
import { hostSeccompTarget, loadSeccompProfile, toOciSeccomp, type SeccompProfile } from './seccomp-profile.js';
import { TaskCreateError } from './create-error.js';
import { readBoundingCapabilityMask, readHostNofileLimit } from './host-limits.js';
import { capabilitiesFromMask } from '../../services/containers/capabilities.js';
import { listHostDevices, type HostDevice } from './host-devices.js';

const runcPath = '/usr/sbin/runc';
const conmonPath = '/usr/bin/conmon';
const canRun = process.getuid?.() === 0 && existsSync(runcPath) && existsSync(conmonPath) && existsSync('/bin/busybox');
const cgroupParent = 'berth-rt-test';

let tmp = '';
let config: ConmonRuntimeConfig;
let runtime: ConmonTaskRuntime;
let seccompProfile: SeccompProfile;
let hostNofileLimit: number | undefined;
let hostCapabilities: string[] | undefined;
let counter = 0;

interface Output {
  stdout: () => string;
  stderr: () => string;
  closed: Promise<void>;
}

function collect(attachment: TaskAttachment): Output {
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  attachment.onOutput((stream, data) => (stream === 'stdout' ? stdout : stderr).push(data));
  const closed = new Promise<void>((resolve) => attachment.onClose(resolve));
  return { stdout: () => Buffer.concat(stdout).toString(), stderr: () => Buffer.concat(stderr).toString(), closed };
}

/** A bundle with a busybox root filesystem, spec'd by the real builder with Docker's defaults. */
async function makeTask(
  args: string[],
  options: {
    tty?: boolean;
    openStdin?: boolean;
    stdinOnce?: boolean;
    consoleSize?: { rows: number; columns: number };
    privileged?: boolean;
    hostDevices?: HostDevice[];
  } = {},
): Promise<TaskSpec> {
  const id = `t${process.pid}x${++counter}`;
  const bundleDir = join(tmp, 'b', id);
  const rootfs = join(bundleDir, 'rootfs');
  await mkdir(join(rootfs, 'bin'), { recursive: true });
  await mkdir(join(rootfs, 'sbin'), { recursive: true });
  await mkdir(join(rootfs, 'etc'), { recursive: true });
  await copyFile('/bin/busybox', join(rootfs, 'bin', 'busybox'));
  for (const tool of ['sh', 'echo', 'cat', 'true', 'sleep', 'grep', 'head', 'wc', 'stty', 'ls'])
    await symlink('busybox', join(rootfs, 'bin', tool));
  if (existsSync('/usr/bin/tini-static')) await copyFile('/usr/bin/tini-static', join(rootfs, 'sbin', 'tini'));
  for (const [name, text] of [
    ['hostname', `${id}\n`],
    ['hosts', `127.0.0.1\tlocalhost\n`],
    ['resolv.conf', 'nameserver 8.8.8.8\n'],
  ] as const)
    await writeFile(join(bundleDir, name), text);
  const tty = options.tty ?? false;
  const spec = buildOciSpec({
    rootfsPath: rootfs,
    args,
    env: ['PATH=/bin:/sbin'],
    cwd: '/',
    user: { uid: 0, gid: 0, additionalGids: [] },
    hostname: id,
    tty,
    readonlyRootfs: false,
    privileged: options.privileged ?? false,
    ...(options.hostDevices !== undefined ? { hostDevices: options.hostDevices } : {}),
    capAdd: [],
    capDrop: [],
    noNewPrivileges: false,
    seccomp: (caps) => toOciSeccomp(seccompProfile, hostSeccompTarget(caps)),
    mounts: [
      bindMount(join(bundleDir, 'resolv.conf'), '/etc/resolv.conf'),
      bindMount(join(bundleDir, 'hostname'), '/etc/hostname'),
      bindMount(join(bundleDir, 'hosts'), '/etc/hosts'),
    ],
    cgroupsPath: `/${cgroupParent}/${id}`,
    shmSize: 64 * 1024 * 1024,
    annotations: {},
    ...(hostNofileLimit !== undefined ? { hostNofileLimit } : {}),
    ...(hostCapabilities !== undefined ? { hostCapabilities } : {}),
  });
  return {
    containerId: id,
    bundleDir,
    spec,
    tty,
    openStdin: options.openStdin ?? false,
    stdinOnce: options.stdinOnce ?? false,
    logPath: join(bundleDir, 'container.log'),
    ...(options.consoleSize !== undefined ? { consoleSize: options.consoleSize } : {}),
  };
}

/** create + attach + start + collect everything until the monitor hangs up. */
async function run(task: TaskSpec): Promise<{ out: Output; exitCode: number }> {
  await runtime.create(task);
  const attachment = await runtime.attach(task.containerId);
  const out = collect(attachment);
  await runtime.start(task.containerId);
  await out.closed;
  const exit = await runtime.waitExit(task.containerId, AbortSignal.timeout(10_000));
  return { out, exitCode: exit.exitCode };
}

async function eventually(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail('condition not met in time');
}

describe('ConmonTaskRuntime (runc + conmon)', { skip: !canRun && 'needs root, runc, conmon and busybox' }, () => {
  before(async () => {
    tmp = await mkdtemp('/tmp/brt-');
    config = {
      runtimePath: runcPath,
      runtimeName: 'runc',
      conmonPath,
      stateDir: join(tmp, 'state'),
      runDir: join(tmp, 'run'),
      // As the engine composes it for Debian's runc 1.1.
      execFifoStart: true,
    };
    runtime = new ConmonTaskRuntime(config, createSilentLogger());
    seccompProfile = await loadSeccompProfile();
    hostNofileLimit = await readHostNofileLimit();
    const mask = await readBoundingCapabilityMask();
    hostCapabilities = mask === undefined ? undefined : capabilitiesFromMask(mask);
  });

  after(async () => {
    // Anything a failed test left behind: kill it so no container outlives the suite.
    const ids = await readdir(join(tmp, 'state', 'tasks')).catch(() => [] as string[]);
    for (const id of ids) await runtime.delete(id, { force: true }).catch(() => undefined);
    await rm(tmp, { recursive: true, force: true });
    for (const controller of await readdir('/sys/fs/cgroup').catch(() => [] as string[]))
      await rmdir(join('/sys/fs/cgroup', controller, cgroupParent)).catch(() => undefined);
  });

  it('delivers stdout and stderr separately, logs both, and records the exit code', async () => {
    const task = await makeTask(['sh', '-c', 'echo out; echo err >&2; exit 3']);
    const { out, exitCode } = await run(task);
    assert.equal(out.stdout(), 'out\n');
    assert.equal(out.stderr(), 'err\n');
    assert.equal(exitCode, 3);
    const log = await readFile(task.logPath, 'utf8');
    assert.match(log, /^\S+ stdout F out$/m);
    assert.match(log, /^\S+ stderr F err$/m);
    const exit = await runtime.readExit(task.containerId);
    assert.equal(exit?.exitCode, 3);
    assert.equal(exit?.oomKilled, false);
    assert.ok(exit !== undefined && Date.now() - exit.finishedAt.getTime() < 60_000);
    assert.equal(await runtime.status(task.containerId), 'stopped');

    await runtime.delete(task.containerId);
    assert.equal(await runtime.status(task.containerId), undefined);
    assert.ok(!existsSync(join(config.stateDir, 'exits', task.containerId)));
    assert.ok(!existsSync(join(config.stateDir, 'tasks', task.containerId)));
    assert.ok(!existsSync(join(task.bundleDir, 'config.json')));
    assert.ok(existsSync(task.logPath), 'the log belongs to the container, not the task');
    await assert.rejects(runtime.readExit(task.containerId), { kind: 'not-found' });
  });

  it('starts runc tasks through exec.fifo as `runc start` does, and through `runc start` when told to', async () => {
    const started = async (task: TaskSpec, through: ConmonTaskRuntime): Promise<void> => {
      await through.create(task);
      const fifo = join(config.stateDir, 'runc', task.containerId, 'exec.fifo');
      assert.ok(existsSync(fifo), 'runc create leaves the init waiting on exec.fifo');
      assert.equal(await through.status(task.containerId), 'created');
      const attachment = await through.attach(task.containerId);
      const out = collect(attachment);
      await through.start(task.containerId);
      assert.equal(existsSync(fifo), false);
      // Started means the container's own program runs (the init has exec'd), as after `runc start`.
      assert.equal(await through.status(task.containerId), 'running');
      const comm = await readFile(`/proc/${(await readFile(join(task.bundleDir, 'pidfile'), 'utf8')).trim()}/comm`, 'utf8');
      assert.equal(comm.trim(), 'sh');
      await out.closed;
      assert.equal(out.stdout(), 'started\n');
      assert.equal((await through.waitExit(task.containerId, AbortSignal.timeout(10_000))).exitCode, 0);
      await through.delete(task.containerId);
    };
    await started(await makeTask(['sh', '-c', 'sleep 0.5; echo started']), runtime);
    const throughCli = new ConmonTaskRuntime({ ...config, execFifoStart: false }, createSilentLogger());
    await started(await makeTask(['sh', '-c', 'sleep 0.5; echo started']), throughCli);
  });

  it('delivers stdin and closes it (cat ends) with StdinOnce', async () => {
    const task = await makeTask(['cat'], { openStdin: true, stdinOnce: true });
    await runtime.create(task);
    const attachment = await runtime.attach(task.containerId);
    const out = collect(attachment);
    await runtime.start(task.containerId);
    attachment.writeStdin(Buffer.from('hello\nworld\n'));
    attachment.closeStdin();
    await out.closed;
    assert.equal(out.stdout(), 'hello\nworld\n');
    assert.equal((await runtime.waitExit(task.containerId, AbortSignal.timeout(10_000))).exitCode, 0);
    await runtime.delete(task.containerId);
  });

  it(
    'kill SIGTERM gives 143 (through tini, as pid 1 ignores default-action signals)',
    { skip: !existsSync('/usr/bin/tini-static') },
    async () => {
      const task = await makeTask(['/sbin/tini', '--', 'sleep', '1000']);
      const created = await runtime.create(task);
      assert.ok(created.pid > 0 && created.monitorPid > 0);
      assert.equal(await runtime.status(task.containerId), 'created');
      await runtime.start(task.containerId);
      assert.equal(await runtime.status(task.containerId), 'running');
      assert.equal(await runtime.readExit(task.containerId), undefined);
      await assert.rejects(runtime.delete(task.containerId), { kind: 'conflict' });
      await runtime.kill(task.containerId, 'TERM');
      const exit = await runtime.waitExit(task.containerId, AbortSignal.timeout(10_000));
      assert.equal(exit.exitCode, 143);
      await assert.rejects(runtime.kill(task.containerId, 'TERM'), { kind: 'conflict' });
      await assert.rejects(runtime.kill(task.containerId, 'NOSUCHSIG'), { kind: 'invalid-argument' });
      await runtime.delete(task.containerId);
    },
  );

  it('confines like Docker: CapEff a80425fb, seccomp filter, masked /proc/kcore, read-only /proc/sys', async () => {
    const script = [
      'grep -E "^(CapEff|Seccomp):" /proc/self/status',
      'echo "kcore-bytes:$(head -c 16 /proc/kcore 2>/dev/null | wc -c)"',
      'if echo x > /proc/sys/kernel/domainname 2>/dev/null; then echo procsys:writable; else echo procsys:readonly; fi',
      'echo "hostname:$(cat /etc/hostname)"',
    ].join('; ');
    const task = await makeTask(['sh', '-c', script]);
    const { out, exitCode } = await run(task);
    assert.equal(exitCode, 0, out.stderr());
    const text = out.stdout();
    assert.match(text, /^CapEff:\s+00000000a80425fb$/m);
    assert.match(text, /^Seccomp:\s+2$/m);
    assert.match(text, /^kcore-bytes:\s*0$/m);
    assert.match(text, /^procsys:readonly$/m);
    assert.match(text, new RegExp(`^hostname:${task.containerId}$`, 'm'));
    await runtime.delete(task.containerId);
  });

  it('runs privileged tasks with every capability, no seccomp filter and the host devices', async () => {
    const task = await makeTask(
      ['sh', '-c', 'grep -E "^(CapEff|Seccomp):" /proc/self/status; ls /dev/kmsg; head -c 1 /proc/kcore | wc -c'],
      {
        privileged: true,
        hostDevices: await listHostDevices(),
      },
    );
    const { out, exitCode } = await run(task);
    assert.equal(exitCode, 0, out.stderr());
    const bounding = (await readFile('/proc/self/status', 'utf8')).match(/^CapBnd:\s+(\S+)$/m)?.[1];
    assert.match(out.stdout(), new RegExp(`^CapEff:\\s+${bounding}$`, 'm'));
    assert.match(out.stdout(), /^Seccomp:\s+0$/m);
    assert.match(out.stdout(), /^\/dev\/kmsg$/m);
    await runtime.delete(task.containerId);
  });

  it('reports a missing executable as invalid-argument with the runtime message, leaving nothing behind', async () => {
    const task = await makeTask(['nosuch']);
    const error = await runtime.create(task).then(
      () => assert.fail('create should fail'),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof TaskCreateError, String(error));
    assert.equal(error.kind, 'invalid-argument');
    assert.equal(error.exitCode, 127);
    assert.match(error.message, /exec: "nosuch": executable file not found in \$PATH/);
    assert.equal(await runtime.status(task.containerId), undefined);
    assert.ok(!existsSync(join(config.stateDir, 'tasks', task.containerId)));
  });

  it('runs TTY tasks: output on stdout, initial console size, resize through the ctl FIFO', async () => {
    const task = await makeTask(['sh', '-c', 'stty size; read line; stty size'], {
      tty: true,
      openStdin: true,
      stdinOnce: true,
      consoleSize: { rows: 30, columns: 100 },
    });
    await runtime.create(task);
    const attachment = await runtime.attach(task.containerId);
    const out = collect(attachment);
    await runtime.start(task.containerId);
    await eventually(async () => out.stdout().includes('30 100'));
    await runtime.resize(task.containerId, { rows: 50, columns: 132 });
    attachment.writeStdin(Buffer.from('go\r'));
    await out.closed;
    assert.match(out.stdout(), /50 132/);
    assert.equal(out.stderr(), '');
    assert.equal((await runtime.waitExit(task.containerId, AbortSignal.timeout(10_000))).exitCode, 0);
    await runtime.delete(task.containerId);
  });

  it('keeps stdin open across clients without StdinOnce', async () => {
    const task = await makeTask(['cat'], { openStdin: true, stdinOnce: false });
    await runtime.create(task);
    const first = await runtime.attach(task.containerId);
    const firstOut = collect(first);
    await runtime.start(task.containerId);
    first.writeStdin(Buffer.from('one\n'));
    await eventually(async () => firstOut.stdout() === 'one\n');
    first.close();
    const second = await runtime.attach(task.containerId);
    const secondOut = collect(second);
    second.writeStdin(Buffer.from('two\n'));
    await eventually(async () => secondOut.stdout() === 'two\n');
    assert.equal(await runtime.status(task.containerId), 'running');
    await runtime.delete(task.containerId, { force: true });
    assert.equal(await runtime.status(task.containerId), undefined);
  });

  it('waitExit honours its AbortSignal', async () => {
    const task = await makeTask(['sleep', '1000']);
    await runtime.create(task);
    await runtime.start(task.containerId);
    await assert.rejects(runtime.waitExit(task.containerId, AbortSignal.timeout(200)), { kind: 'canceled' });
    await runtime.delete(task.containerId, { force: true });
  });

  it('a task survives a new runtime instance (engine restart): status, attach, kill, waitExit, readExit', async () => {
    const task = await makeTask(['sh', '-c', 'trap "exit 7" USR1; echo ready; while true; do sleep 0.1; done']);
    await runtime.create(task);
    await runtime.start(task.containerId);
    const restarted = new ConmonTaskRuntime(config, createSilentLogger());
    assert.equal(await restarted.status(task.containerId), 'running');
    assert.equal(await restarted.readExit(task.containerId), undefined);
    const attachment = await restarted.attach(task.containerId);
    const out = collect(attachment);
    const waiting = restarted.waitExit(task.containerId, AbortSignal.timeout(10_000));
    await restarted.kill(task.containerId, 'USR1');
    assert.equal((await waiting).exitCode, 7);
    await out.closed;
    assert.equal((await restarted.readExit(task.containerId))?.exitCode, 7);
    await restarted.delete(task.containerId);
  });

  it('a task outlives an engine process killed with SIGKILL', async () => {
    const task = await makeTask(['sleep', '1000']);
    const moduleUrl = pathToFileURL(fileURLToPath(new URL('./conmon-task-runtime.js', import.meta.url))).href;
    const loggerUrl = pathToFileURL(fileURLToPath(new URL('../../lib/logger.js', import.meta.url))).href;
    const script = join(tmp, 'engine-stand-in.mjs');
    await writeFile(
      script,
      [
        `import { ConmonTaskRuntime } from ${JSON.stringify(moduleUrl)};`,
        `import { createSilentLogger } from ${JSON.stringify(loggerUrl)};`,
        `const runtime = new ConmonTaskRuntime(${JSON.stringify(config)}, createSilentLogger());`,
        `const task = JSON.parse(process.argv[2]);`,
        `const created = await runtime.create(task);`,
        `await runtime.start(task.containerId);`,
        `process.stdout.write(JSON.stringify(created) + '\\n');`,
        `setInterval(() => {}, 1000);`,
      ].join('\n'),
    );
    const child = spawn(process.execPath, [script, JSON.stringify(task)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('\n')) resolve(text.trim());
      });
      child.on('exit', (code) => reject(new Error(`stand-in exited with ${code}`)));
    });
    const created = JSON.parse(line) as { pid: number; monitorPid: number };
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    // The monitor was never our child's child in the process tree: it double-forked away.
    const monitorStatus = await readFile(`/proc/${created.monitorPid}/status`, 'utf8');
    assert.doesNotMatch(monitorStatus, new RegExp(`^PPid:\\s+${child.pid}$`, 'm'));
    assert.equal(await runtime.status(task.containerId), 'running');
    await runtime.kill(task.containerId, 'KILL');
    assert.equal((await runtime.waitExit(task.containerId, AbortSignal.timeout(10_000))).exitCode, 137);
    await runtime.delete(task.containerId);
  });
});

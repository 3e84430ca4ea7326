import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProcessLauncher } from './process-launcher.js';

test('a command runs in the helper: input, output, exit status and a signal death come back', async () => {
  const launcher = new ProcessLauncher();
  try {
    const echoed = await launcher.runCommand({ file: 'sh', args: ['-c', 'cat; echo err >&2; exit 3'], input: 'in\n' });
    assert.deepEqual(echoed, { stdout: 'in\n', stderr: 'err\n', exitCode: 3, signal: null });
    const killed = await launcher.runCommand({ file: 'sh', args: ['-c', 'kill -9 $$'] });
    assert.equal(killed.exitCode, null);
    assert.equal(killed.signal, 'SIGKILL');
    const env = await launcher.runCommand({ file: 'sh', args: ['-c', 'echo $BERTH_X; pwd'], env: { BERTH_X: 'y' }, cwd: '/tmp' });
    assert.equal(env.stdout, 'y\n/tmp\n');
    await assert.rejects(launcher.runCommand({ file: '/nonexistent/program', args: [] }), { aborted: false, message: /ENOENT/ });
  } finally {
    launcher.close();
  }
});

test('an aborted command rejects at once and is terminated in the helper', async () => {
  const launcher = new ProcessLauncher();
  try {
    const controller = new AbortController();
    const started = Date.now();
    const running = launcher.runCommand({ file: 'sleep', args: ['30'] }, controller.signal);
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(running, { aborted: true });
    assert.ok(Date.now() - started < 5000);
    // The helper still serves the next request.
    assert.equal((await launcher.runCommand({ file: 'true', args: [] })).exitCode, 0);
  } finally {
    launcher.close();
  }
});

test('a helper that dies fails what it had in flight, and the next request gets a new one', async () => {
  const launcher = new ProcessLauncher();
  try {
    const pid = Number((await launcher.runCommand({ file: 'sh', args: ['-c', 'echo $PPID'] })).stdout);
    const running = launcher.runCommand({ file: 'sleep', args: ['30'] });
    await new Promise((resolve) => setTimeout(resolve, 50));
    process.kill(pid, 'SIGKILL');
    await assert.rejects(running, { aborted: false, message: /process launcher exited/ });
    const again = Number((await launcher.runCommand({ file: 'sh', args: ['-c', 'echo $PPID'] })).stdout);
    assert.notEqual(again, pid);
  } finally {
    launcher.close();
  }
});

test('a monitor reports its sync line (on the fd its variable names) and the exit of its first half', async () => {
  const launcher = new ProcessLauncher();
  try {
    const outcome = await launcher.startMonitor({
      file: 'sh',
      args: ['-c', 'echo starting >&2; echo "{\\"pid\\": 42}" >&$SYNC_FD'],
      cwd: '/',
      env: { PATH: '/usr/bin:/bin' },
      syncPipeEnv: 'SYNC_FD',
    });
    assert.equal(outcome.syncLine, '{"pid": 42}');
    assert.equal(outcome.exitCode, 0);
    assert.equal(outcome.stderr, 'starting\n');
  } finally {
    launcher.close();
  }
});

test('a helper that cannot start fails what was asked of it once, then programs are spawned by the engine itself', async () => {
  const launcher = new ProcessLauncher('/nonexistent/launcher-main.js');
  try {
    await assert.rejects(launcher.runCommand({ file: 'true', args: [] }), { message: /process launcher exited/ });
    assert.equal((await launcher.runCommand({ file: 'sh', args: ['-c', 'echo here'] })).stdout, 'here\n');
  } finally {
    launcher.close();
  }
});

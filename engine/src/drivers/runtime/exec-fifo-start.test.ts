import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runsExecFifoProtocol, startThroughExecFifo } from './exec-fifo-start.js';

const id = 'c'.repeat(64);

async function withRoot(body: (root: string, fifo: string) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'berth-fifo-'));
  try {
    await mkdir(join(root, id));
    const fifo = join(root, id, 'exec.fifo');
    assert.equal(spawnSync('mkfifo', ['-m', '0622', fifo]).status, 0);
    await body(root, fifo);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

test('a waiting init is released: its "0" is read to end-of-file and the FIFO is gone (runc then says running)', () =>
  withRoot(async (root, fifo) => {
    // Like runc init: blocks opening the FIFO for writing, writes "0", closes it (runc: by execve).
    const init = spawn('sh', ['-c', `printf 0 > '${fifo}'; sleep 5`], { stdio: 'ignore' });
    try {
      assert.equal(await startThroughExecFifo(root, id, init.pid ?? 0), true);
      assert.equal(existsSync(fifo), false);
    } finally {
      init.kill('SIGKILL');
    }
  }));

test('an init that died before opening its end: start fails instead of waiting forever', () =>
  withRoot(async (root) => {
    const dead = spawnSync('true');
    await assert.rejects(startThroughExecFifo(root, id, dead.pid), { kind: 'conflict', message: /already dead/ });
  }));

test('no FIFO (not created by runc, or already started): not applicable, so `runtime start` runs', async () => {
  const root = await mkdtemp(join(tmpdir(), 'berth-fifo-'));
  try {
    assert.equal(await startThroughExecFifo(root, id, process.pid), false);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('only runc 1.0 to 1.3 is taken to speak the exec.fifo protocol', () => {
  assert.equal(runsExecFifoProtocol('runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\nspec: 1.0.2-dev\n'), true);
  assert.equal(runsExecFifoProtocol('runc version 1.3.0\n'), true);
  assert.equal(runsExecFifoProtocol('runc version 2.0.0\n'), false);
  assert.equal(runsExecFifoProtocol('crun version 1.8.1\ncommit: abc\n'), false);
  assert.equal(runsExecFifoProtocol(''), false);
});

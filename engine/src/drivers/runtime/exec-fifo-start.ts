import { closeSync, constants, openSync } from 'node:fs';
import { lstat, open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '@berth/common';
import { isProcessAlive } from '../../lib/process-alive.js';

/**
 * `runc start` without runc. A task that runc created waits in `runc init`, blocked opening the
 * FIFO `<root>/<id>/exec.fifo` for writing; `runc start` (libcontainer's exec()) opens it for
 * reading, reads until end-of-file (the init writes "0", then its execve of the container's
 * process closes the FIFO), and deletes it, after which runc reports the task running. That is
 * all `runc start` does (runc 1.0 to 1.3; poststart hooks run at create there). Doing it here
 * saves a runc process per start, most of the time a `docker run` spends outside runc create.
 *
 * Only for runtimes that `runsExecFifoProtocol` recognised, and only when the FIFO is there:
 * `false` means "not applicable, run `<runtime> start`".
 */
export async function startThroughExecFifo(runtimeRoot: string, containerId: string, initPid: number): Promise<boolean> {
  const fifo = join(runtimeRoot, containerId, execFifoName);
  const stats = await lstat(fifo).catch(() => undefined);
  if (stats === undefined || !stats.isFIFO()) return false;
  // The open blocks until the init opens its end; if the init died first, nobody ever will, so a
  // watch releases it by opening a writer itself (then the read below finds no "0").
  let opened = false;
  const watch = setInterval(() => {
    if (!opened && !isProcessAlive(initPid)) releaseReader(fifo);
  }, initWatchMs);
  let data = '';
  try {
    const handle = await open(fifo, constants.O_RDONLY);
    opened = true;
    try {
      data = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } finally {
    clearInterval(watch);
  }
  if (data === '') throw new AppError('conflict', `container ${containerId}: the container process is already dead`);
  await unlink(fifo);
  return true;
}

/** Whether `<runtime> --version` output is a runc that starts tasks through exec.fifo. */
export function runsExecFifoProtocol(versionOutput: string): boolean {
  return /^runc version 1\.[0-3]\./m.test(versionOutput);
}

/** libcontainer's execFifoFilename. */
const execFifoName = 'exec.fifo';

/** How often a blocked start checks that the init is still there (runc checks every 100 ms too). */
const initWatchMs = 100;

/** Opens and closes a writer without blocking (from the main thread: the blocked reader holds a pool thread). */
function releaseReader(fifo: string): void {
  try {
    closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
  } catch {
    // No reader yet (ENXIO) or the FIFO is gone: the next tick tries again, or there is nothing to release.
  }
}

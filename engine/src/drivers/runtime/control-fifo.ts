import { constants as fsConstants } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '@berth/common';

/**
 * Writes one message to conmon's control FIFO (`<bundle>/ctl`): `1 <rows> <cols>\n` resizes the
 * terminal, `2 0 0\n` reopens the log file. Opened non-blocking: with no monitor reading the
 * FIFO, open fails (ENXIO) instead of hanging.
 */
export async function writeControlMessage(bundleDir: string, message: string): Promise<void> {
  let handle;
  try {
    handle = await open(join(bundleDir, 'ctl'), fsConstants.O_WRONLY | fsConstants.O_NONBLOCK);
  } catch (error) {
    throw new AppError('conflict', 'the process is not running', { cause: error });
  }
  try {
    await handle.write(message);
  } finally {
    await handle.close();
  }
}

/**
 * Runs control writes for one monitor in call order. Clients send resizes back to back on
 * separate connections (`docker attach` sends size+1, then the size); applied concurrently, the
 * file operations could finish in the other order and leave the terminal at the wrong size.
 */
export class ControlQueue {
  private readonly tails = new Map<string, Promise<void>>();

  run(key: string, write: () => Promise<void>): Promise<void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(write, write);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }
}

import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { AppError } from '@berth/common';
import { isProcessAlive } from '../lib/process-alive.js';

/**
 * Makes sure one engine at a time owns a data root. The lock file is created with O_EXCL and
 * holds the owner's PID; a lock whose owner is gone (crash, kill -9) is taken over.
 */
export function acquireDataRootLock(lockFile: string): { release(): void } {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return {
        release: () => {
          try {
            if (readFileSync(lockFile, 'utf8').trim() === String(process.pid)) rmSync(lockFile, { force: true });
          } catch {
            // Already gone: nothing to release.
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let owner = Number.NaN;
      try {
        owner = Number(readFileSync(lockFile, 'utf8').trim());
      } catch {
        // Vanished between open and read: try again.
      }
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isProcessAlive(owner)) {
        throw new AppError(
          'conflict',
          `another engine (pid ${owner}) is already using this data root; stop it first (lock file ${lockFile})`,
        );
      }
      rmSync(lockFile, { force: true });
    }
  }
  throw new AppError('conflict', `cannot take the data-root lock ${lockFile}`);
}

import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '@berth/common';

/** Finds a program in the usual system directories and PATH; a clear error names the package to install. */
export async function findExecutable(name: string, directories: readonly string[]): Promise<string> {
  const candidates = [...directories, ...(process.env['PATH'] ?? '').split(':').filter((entry) => entry !== '')];
  for (const directory of candidates) {
    const path = join(directory, name);
    try {
      await access(path, constants.X_OK);
      return path;
    } catch {
      // Not here; try the next directory.
    }
  }
  throw new AppError('unavailable', `${name} not found: install it (apt-get install ${name}) or run scripts/setup-system.sh`);
}

import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../lib/atomic-file.js';

/**
 * One JSON file per container under `dir`: what a network driver set up for it, kept so teardown
 * (also after a crash) undoes exactly that. An empty record removes the file.
 */
export class ContainerStateFiles<T extends object> {
  constructor(private readonly dir: string) {}

  path(containerId: string): string {
    return join(this.dir, `${containerId}.json`);
  }

  async read(containerId: string): Promise<T | undefined> {
    try {
      return JSON.parse(await readFile(this.path(containerId), 'utf8')) as T;
    } catch {
      return undefined;
    }
  }

  async write(containerId: string, state: T): Promise<void> {
    if (Object.keys(state).length === 0) await rm(this.path(containerId), { force: true });
    // What a driver set up lives only until the host reboots: no fsync (see AtomicWriteOptions).
    else await writeFileAtomic(this.path(containerId), JSON.stringify(state), 0o644, { durable: false });
  }
}

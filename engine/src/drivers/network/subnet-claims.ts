import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isProcessAlive } from '../../lib/process-alive.js';

/**
 * Host-wide reservations of subnets, one file per subnet holding the owner's data root, so that
 * several engines on one host (tests, a second data root) never put two bridges on one subnet.
 * A claim whose engine process is gone (or whose data root no longer exists) is stale and taken
 * over, so short-lived test engines cannot exhaust the pools; a restarting engine claims again.
 */
export class SubnetClaims {
  constructor(
    private readonly directory: string,
    private readonly owner: string,
  ) {}

  async claim(subnet: string): Promise<boolean> {
    await mkdir(this.directory, { recursive: true, mode: 0o755 });
    const file = this.fileFor(subnet);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await writeFile(file, this.content(), { flag: 'wx', mode: 0o644 });
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const [holder = '', pid = ''] = (await readFile(file, 'utf8').catch(() => '')).split('\n');
      if (holder === this.owner) {
        await writeFile(file, this.content(), { mode: 0o644 });
        return true;
      }
      if (holder !== '' && isProcessAlive(Number(pid)) && (await exists(holder))) return false;
      await rm(file, { force: true });
    }
    return false;
  }

  async release(subnet: string): Promise<void> {
    const file = this.fileFor(subnet);
    const [holder] = (await readFile(file, 'utf8').catch(() => '')).split('\n');
    if (holder === this.owner) await rm(file, { force: true });
  }

  private content(): string {
    return `${this.owner}\n${process.pid}\n`;
  }

  private fileFor(subnet: string): string {
    return join(this.directory, subnet.replace('/', '_'));
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

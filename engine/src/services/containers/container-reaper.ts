import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../lib/atomic-file.js';
import type { Logger } from '../../lib/logger.js';

/** What is left of a removed container on the host: enough to reclaim it after a crash too. */
export interface ReapEntry {
  containerId: string;
  snapshotKey: string;
  /** The runtime still holds the task's state (an auto-removed container's exit left it here). */
  taskLeft: boolean;
}

export interface ContainerReaperOptions {
  /** `<dataRoot>/reaping`: one journal file per container whose host resources are still being reclaimed. */
  journalDir: string;
  /** Gives back everything the container held: idempotent, since a crash may run it twice. */
  reclaim: (entry: ReapEntry) => Promise<void>;
  logger: Logger;
}

/**
 * Reclaims a removed container's host resources (runtime state, rootfs mount, writable layer,
 * directory) after the API has reported it gone: `docker run --rm` need not wait for a runc
 * delete and an unmount nobody can observe. Crash-safe: the journal entry is written before the
 * container's record goes, and the next engine finishes what this one did not.
 */
export class ContainerReaper {
  private readonly inFlight = new Map<string, Promise<void>>();
  private journalDirReady: Promise<unknown> | undefined;

  constructor(private readonly options: ContainerReaperOptions) {}

  /**
   * Journals the entry, then reclaims in the background. The entry is not flushed to disk: it
   * survives an engine crash (the page cache does), and what a host crash may lose of it is a
   * writable layer no record owns, which the container service's restore reclaims anyway.
   */
  async schedule(entry: ReapEntry): Promise<void> {
    this.journalDirReady ??= mkdir(this.options.journalDir, { recursive: true, mode: 0o700 }).catch((error: unknown) => {
      this.journalDirReady = undefined;
      throw error;
    });
    await this.journalDirReady;
    await writeFileAtomic(this.journalPath(entry.containerId), JSON.stringify(entry), 0o600, { durable: false });
    this.start(entry);
  }

  /** Resolves once nothing is being reclaimed (image removal waits, so layers are free to go). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight.values());
  }

  /** At engine start: reclaims what a previous engine journaled but did not finish. */
  async recover(): Promise<void> {
    const files = await readdir(this.options.journalDir).catch(() => [] as string[]);
    for (const file of files) {
      if (!file.endsWith('.json')) continue;
      const path = join(this.options.journalDir, file);
      const entry = await readFile(path, 'utf8').then(
        (text) => parseEntry(text),
        () => undefined,
      );
      if (entry === undefined) {
        this.options.logger.warn({ path }, 'dropping an unreadable reaping journal entry');
        await rm(path, { force: true });
        continue;
      }
      this.start(entry);
    }
    await this.settled();
  }

  private start(entry: ReapEntry): void {
    if (this.inFlight.has(entry.containerId)) return;
    const work = this.options
      .reclaim(entry)
      .then(() => rm(this.journalPath(entry.containerId), { force: true }))
      .catch((error: unknown) =>
        // The journal entry stays: the next engine start tries again.
        this.options.logger.warn({ err: error, containerId: entry.containerId }, 'reclaiming a removed container failed'),
      )
      .finally(() => this.inFlight.delete(entry.containerId));
    this.inFlight.set(entry.containerId, work);
  }

  private journalPath(containerId: string): string {
    return join(this.options.journalDir, `${containerId}.json`);
  }
}

function parseEntry(text: string): ReapEntry | undefined {
  try {
    const value = JSON.parse(text) as Partial<ReapEntry>;
    return typeof value.containerId === 'string' &&
      /^[0-9a-f]{64}$/.test(value.containerId) &&
      typeof value.snapshotKey === 'string'
      ? { containerId: value.containerId, snapshotKey: value.snapshotKey, taskLeft: value.taskLeft !== false }
      : undefined;
  } catch {
    return undefined;
  }
}

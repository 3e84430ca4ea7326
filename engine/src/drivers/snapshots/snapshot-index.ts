import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '@berth/common';
import { writeFileAtomic } from '../../lib/atomic-file.js';
import type { Digest } from '../../lib/digest.js';

export interface SnapshotRecord {
  /** Short numeric directory name (`snapshots/<id>`): keeps overlay's lowerdir option short. */
  id: number;
  kind: 'committed' | 'active';
  /** The committed snapshot below this one. */
  parent?: Digest;
  createdAt: number;
  /** Bytes of regular-file content unpacked (committed snapshots). */
  size?: number;
}

interface IndexFile {
  version: 1;
  nextId: number;
  /** Keyed by chain ID (committed) or caller key (active). */
  snapshots: Record<string, SnapshotRecord>;
}

/**
 * The key → numeric-directory mapping, one JSON file replaced atomically. Callers rename a snapshot
 * directory into place *before* recording it and forget a record *before* deleting its directory,
 * so after a crash the only possible leftovers are unreferenced directories, which `init` removes.
 */
export class SnapshotIndex {
  private data: IndexFile = { version: 1, nextId: 1, snapshots: {} };
  private queue: Promise<unknown> = Promise.resolve();
  private readonly path: string;

  constructor(root: string) {
    this.path = join(root, 'index.json');
  }

  async load(): Promise<void> {
    try {
      const parsed = JSON.parse(await readFile(this.path, 'utf8')) as IndexFile;
      if (parsed.version !== 1 || typeof parsed.nextId !== 'number') throw new Error('unknown index version');
      this.data = parsed;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new AppError('internal', `snapshot index ${this.path} is unreadable`, { cause: error });
    }
  }

  get(key: string): SnapshotRecord | undefined {
    return Object.hasOwn(this.data.snapshots, key) ? this.data.snapshots[key] : undefined;
  }

  entries(): [string, SnapshotRecord][] {
    return Object.entries(this.data.snapshots);
  }

  /** Runs `change` exclusively and persists the result before resolving. */
  update<T>(change: (data: IndexFile) => T): Promise<T> {
    const run = this.queue.then(async () => {
      const draft = structuredClone(this.data);
      const result = change(draft);
      await writeFileAtomic(this.path, JSON.stringify(draft));
      this.data = draft;
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}

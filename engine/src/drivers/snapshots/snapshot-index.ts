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

  /**
   * A fresh directory number, without a write of its own: the next update persists the counter.
   * Lost in a crash before that, it is handed out again, which is safe because `init` removes
   * directories no record names.
   */
  reserveId(): number {
    return this.data.nextId++;
  }

  /** Runs `change` exclusively and persists the result before resolving. */
  update<T>(change: (data: IndexFile) => T): Promise<T> {
    const run = this.queue.then(async () => {
      const draft = structuredClone(this.data);
      const result = change(draft);
      // Numbers the change took are taken now, before the write: reserveId() must not hand them out.
      this.data.nextId = Math.max(this.data.nextId, draft.nextId);
      await writeFileAtomic(this.path, JSON.stringify(draft));
      // Numbers reserved while the file was being written stay reserved.
      draft.nextId = Math.max(draft.nextId, this.data.nextId);
      this.data = draft;
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}

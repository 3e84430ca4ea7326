import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError, conflict, notFound } from '@berth/common';
import type { Readable } from 'node:stream';
import type { FileChange, MountSpec, SnapshotInfo, Snapshotter } from '../../core/snapshots/snapshotter.js';
import type { Digest } from '../../lib/digest.js';
import { fsyncDirectory } from '../../lib/atomic-file.js';
import type { Logger } from '../../lib/logger.js';
import { markTopDirectory, platformSpecialFiles, readXattr, type SpecialFiles } from '../../platform/special-files.js';
import { unpackLayer } from './layer-unpacker.js';
import { readUpperChanges, toFileChanges, toLayerEntries, type UpperChange } from './overlay-changes.js';
import { packTreeEntries } from './tree-tar.js';
import { SnapshotIndex, type SnapshotRecord } from './snapshot-index.js';

export interface OverlayfsSnapshotterOptions {
  /** Engine data root; snapshots live under `<dataRoot>/snapshots`. */
  dataRoot: string;
  logger: Logger;
  /** Injected in unit tests that run without root. */
  specialFiles?: SpecialFiles;
}

/**
 * overlayfs snapshots, containerd style: `snapshots/<n>/fs` holds one committed layer's own files
 * (whiteouts as 0/0 devices); an active snapshot has `upper` and `work` and mounts its parent chain
 * as lowerdirs. Layers are unpacked into `snapshots/tmp-*` and renamed into place, so a committed
 * snapshot is always complete.
 */
export class OverlayfsSnapshotter implements Snapshotter {
  private readonly root: string;
  private readonly index: SnapshotIndex;
  private readonly logger: Logger;
  private readonly specialFiles: SpecialFiles;
  private readonly applying = new Map<string, Promise<{ size: number }>>();

  constructor(options: OverlayfsSnapshotterOptions) {
    this.root = join(options.dataRoot, 'snapshots');
    this.index = new SnapshotIndex(this.root);
    this.logger = options.logger;
    this.specialFiles = options.specialFiles ?? platformSpecialFiles;
  }

  /** Loads the index and removes directories a crash left unreferenced. Call once at startup. */
  async init(): Promise<void> {
    await mkdir(this.root, { recursive: true, mode: 0o711 });
    // Each snapshot is an unrelated tree: spreading them keeps layer unpacks fast after removals.
    if (!(await markTopDirectory(this.root))) this.logger.debug({ dir: this.root }, 'filesystem has no top-directory hint');
    await this.index.load();
    const known = new Set(this.index.entries().map(([, record]) => String(record.id)));
    for (const name of await readdir(this.root)) {
      if (name === 'index.json') continue;
      if (name.startsWith('tmp-') || (/^\d+$/.test(name) && !known.has(name))) {
        this.logger.info({ dir: name }, 'removing unreferenced snapshot directory');
        await rm(join(this.root, name), { recursive: true, force: true });
      }
    }
  }

  async hasCommitted(chainId: Digest): Promise<boolean> {
    return this.index.get(chainId)?.kind === 'committed';
  }

  /** `fs` directory of a committed snapshot (for tests and diagnostics). */
  committedPath(chainId: Digest): string {
    const record = this.index.get(chainId);
    if (record?.kind !== 'committed') throw notFound(`snapshot ${chainId} does not exist`);
    return this.fsDir(record);
  }

  applyLayer(
    chainId: Digest,
    parent: Digest | undefined,
    layer: NodeJS.ReadableStream,
    signal?: AbortSignal,
  ): Promise<{ size: number }> {
    const running = this.applying.get(chainId);
    if (running) {
      // Same content by definition of a chain ID: let the first unpack win and discard this stream.
      (layer as NodeJS.ReadableStream & { resume?: () => void }).resume?.();
      return running;
    }
    const work = this.doApplyLayer(chainId, parent, layer, signal).finally(() => this.applying.delete(chainId));
    this.applying.set(chainId, work);
    return work;
  }

  private async doApplyLayer(
    chainId: Digest,
    parent: Digest | undefined,
    layer: NodeJS.ReadableStream,
    signal?: AbortSignal,
  ): Promise<{ size: number }> {
    const existing = this.index.get(chainId);
    if (existing?.kind === 'committed') {
      (layer as NodeJS.ReadableStream & { resume?: () => void }).resume?.();
      return { size: existing.size ?? 0 };
    }
    if (existing) throw conflict(`snapshot key ${chainId} is in use by an active snapshot`);
    const lowers = parent === undefined ? [] : this.chainDirs(parent);
    const temp = join(this.root, `tmp-${randomBytes(8).toString('hex')}`);
    await mkdir(join(temp, 'fs'), { recursive: true, mode: 0o755 });
    try {
      const options = {
        target: join(temp, 'fs'),
        lowers,
        layerName: chainId,
        specialFiles: this.specialFiles,
        logger: this.logger,
      };
      const { size } = await unpackLayer(layer, signal ? { ...options, signal } : options);
      await this.index
        .update((data) => {
          const id = data.nextId++;
          return id;
        })
        .then(async (id) => {
          await rename(temp, join(this.root, String(id)));
          await fsyncDirectory(this.root);
          await this.index.update((data) => {
            const record: SnapshotRecord = { id, kind: 'committed', createdAt: Date.now(), size };
            if (parent !== undefined) record.parent = parent;
            data.snapshots[chainId] = record;
          });
        });
      return { size };
    } catch (error) {
      await rm(temp, { recursive: true, force: true });
      throw error;
    }
  }

  async prepare(key: string, parent: Digest | undefined): Promise<MountSpec[]> {
    if (this.index.get(key)) throw conflict(`snapshot ${key} already exists`);
    const lowers = parent === undefined ? [] : this.chainDirs(parent);
    const id = this.index.reserveId();
    const dir = join(this.root, String(id));
    if (lowers.length === 0) {
      await mkdir(join(dir, 'fs'), { recursive: true, mode: 0o755 });
    } else {
      await mkdir(join(dir, 'upper'), { recursive: true, mode: 0o755 });
      await mkdir(join(dir, 'work'), { recursive: true, mode: 0o700 });
    }
    await fsyncDirectory(this.root);
    const record: SnapshotRecord = { id, kind: 'active', createdAt: Date.now() };
    if (parent !== undefined) record.parent = parent;
    await this.index.update((data) => {
      if (Object.hasOwn(data.snapshots, key)) throw conflict(`snapshot ${key} already exists`);
      data.snapshots[key] = record;
    });
    return this.mountsFor(record);
  }

  async mounts(key: string): Promise<MountSpec[]> {
    const record = this.index.get(key);
    if (record?.kind !== 'active') throw notFound(`active snapshot ${key} does not exist`);
    return this.mountsFor(record);
  }

  async remove(keyOrChainId: string): Promise<void> {
    const record = this.index.get(keyOrChainId);
    if (!record) throw notFound(`snapshot ${keyOrChainId} does not exist`);
    await this.index.update((data) => {
      const child = Object.entries(data.snapshots).find(([, other]) => other.parent === keyOrChainId);
      if (child) throw conflict(`snapshot ${keyOrChainId} is in use by snapshot ${child[0]}`);
      delete data.snapshots[keyOrChainId];
    });
    await rm(join(this.root, String(record.id)), { recursive: true, force: true });
  }

  async list(): Promise<SnapshotInfo[]> {
    return this.index.entries().map(([key, record]) => ({
      key,
      kind: record.kind,
      ...(record.parent !== undefined ? { parent: record.parent } : {}),
      ...(record.size !== undefined ? { size: record.size } : {}),
    }));
  }

  async changes(key: string): Promise<FileChange[]> {
    return toFileChanges(await this.upperChanges(key));
  }

  async diff(key: string, signal?: AbortSignal): Promise<{ tar: Readable; entries: () => number }> {
    const changes = await this.upperChanges(key);
    let count = 0;
    const entries = async function* () {
      for await (const entry of toLayerEntries(changes)) {
        count++;
        yield entry;
      }
    };
    return { tar: packTreeEntries(entries(), signal), entries: () => count };
  }

  async viewMounts(key: string): Promise<MountSpec[]> {
    const record = this.index.get(key);
    if (record?.kind !== 'active') throw notFound(`active snapshot ${key} does not exist`);
    const dir = join(this.root, String(record.id));
    if (record.parent === undefined) return [{ type: 'bind', source: join(dir, 'fs'), options: ['rbind', 'ro'] }];
    // Upper as the top lowerdir and no upperdir: overlay mounts it read-only and never touches `work`.
    const lowers = [join(dir, 'upper'), ...this.chainDirs(record.parent)];
    return [{ type: 'overlay', source: 'overlay', options: ['ro', `lowerdir=${lowers.join(':')}`] }];
  }

  private async upperChanges(key: string): Promise<UpperChange[]> {
    const record = this.index.get(key);
    if (record?.kind !== 'active') throw notFound(`active snapshot ${key} does not exist`);
    const dir = join(this.root, String(record.id));
    if (record.parent === undefined) return readUpperChanges(join(dir, 'fs'), [], async () => false);
    return readUpperChanges(join(dir, 'upper'), this.chainDirs(record.parent), this.isOpaque);
  }

  private readonly isOpaque = async (directory: string): Promise<boolean> =>
    (await readXattr(directory, 'trusted.overlay.opaque')) === 'y';

  private mountsFor(record: SnapshotRecord): MountSpec[] {
    const dir = join(this.root, String(record.id));
    if (record.parent === undefined) {
      return [{ type: 'bind', source: join(dir, 'fs'), options: ['rbind', 'rw'] }];
    }
    const lowers = this.chainDirs(record.parent);
    return [
      {
        type: 'overlay',
        source: 'overlay',
        options: [`lowerdir=${lowers.join(':')}`, `upperdir=${join(dir, 'upper')}`, `workdir=${join(dir, 'work')}`],
      },
    ];
  }

  /** `fs` directories of `chainId` and its ancestors, top first. */
  private chainDirs(chainId: Digest): string[] {
    const dirs: string[] = [];
    let current: Digest | undefined = chainId;
    while (current !== undefined) {
      const record = this.index.get(current);
      if (record?.kind !== 'committed') throw notFound(`parent snapshot ${current} does not exist`);
      dirs.push(this.fsDir(record));
      current = record.parent;
      if (dirs.length > 500) throw new AppError('internal', `snapshot chain of ${chainId} is too deep or cyclic`);
    }
    return dirs;
  }

  private fsDir(record: SnapshotRecord): string {
    return join(this.root, String(record.id), 'fs');
  }
}

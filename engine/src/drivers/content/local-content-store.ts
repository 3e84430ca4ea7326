import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, open, readFile, readdir, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { AppError, invalidArgument, notFound, unavailable } from '@berth/common';
import type { BlobInfo, ContentStore, ContentWriter, ExpectedBlob } from '../../core/content/content-store.js';
import { digestHex, isDigest, sha256Digest, type Digest } from '../../lib/digest.js';
import { fsyncDirectory } from '../../lib/atomic-file.js';
import type { Logger } from '../../lib/logger.js';
import { writeFully } from '../../lib/write-fully.js';

/**
 * Blobs are read in 1 MiB chunks: a layer is tens of MB read straight through (unpack, push,
 * verify), and every chunk costs a thread-pool round trip, so 64 KiB reads spend more on the
 * hand-offs than on the copies.
 */
const readChunkSize = 1 << 20;

export interface LocalContentStoreOptions {
  /** Engine data root; blobs live under `<dataRoot>/content`. */
  dataRoot: string;
  logger: Logger;
  /** Ingests untouched for longer than this are deleted by `init()` (default 24 h). */
  staleIngestAgeMs?: number;
}

/**
 * Blobs under `content/blobs/sha256/<hex>` (read-only files), ingests under `content/ingest/<sha256(ref)>/`
 * holding `ref`, `updatedat` and `data`. Layout and commit protocol follow containerd's local store.
 */
export class LocalContentStore implements ContentStore {
  private readonly blobsDir: string;
  private readonly ingestDir: string;
  private readonly locked = new Set<string>();
  /** Blobs re-hashed successfully, with the inode/size/ctime stamp they had then. */
  private readonly verified = new Map<Digest, string>();
  private readonly logger: Logger;
  private readonly staleIngestAgeMs: number;

  constructor(options: LocalContentStoreOptions) {
    this.blobsDir = join(options.dataRoot, 'content', 'blobs', 'sha256');
    this.ingestDir = join(options.dataRoot, 'content', 'ingest');
    this.logger = options.logger;
    this.staleIngestAgeMs = options.staleIngestAgeMs ?? 24 * 60 * 60 * 1000;
  }

  /** Creates the directories and removes stale or broken ingests left by crashed pulls. Call once at startup. */
  async init(): Promise<void> {
    await mkdir(this.blobsDir, { recursive: true });
    await mkdir(this.ingestDir, { recursive: true });
    await this.removeStaleIngests(this.staleIngestAgeMs);
  }

  async removeStaleIngests(maxAgeMs: number): Promise<string[]> {
    const now = Date.now();
    const removed: string[] = [];
    for (const name of await readdir(this.ingestDir)) {
      // A live writer's ingest is never stale, whatever its age; hold its lock while deciding so no
      // writer can open it between the check and the removal.
      if (this.locked.has(name)) continue;
      this.locked.add(name);
      try {
        const dir = join(this.ingestDir, name);
        let updatedAt = 0;
        try {
          updatedAt = Number(await readFile(join(dir, 'updatedat'), 'utf8'));
        } catch {
          updatedAt = 0;
        }
        if (!Number.isFinite(updatedAt) || now - updatedAt > maxAgeMs) {
          this.logger.info({ ingest: name }, 'removing stale ingest');
          await rm(dir, { recursive: true, force: true });
          removed.push(name);
        }
      } finally {
        this.locked.delete(name);
      }
    }
    return removed;
  }

  private blobPath(digest: Digest): string {
    return join(this.blobsDir, digestHex(digest));
  }

  async has(digest: Digest): Promise<boolean> {
    return (await this.info(digest)) !== undefined;
  }

  async info(digest: Digest): Promise<BlobInfo | undefined> {
    try {
      const stats = await stat(this.blobPath(digest));
      return { digest, size: stats.size };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async readBlob(digest: Digest): Promise<Buffer> {
    let data: Buffer;
    try {
      data = await readFile(this.blobPath(digest));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`content ${digest} not found`);
      throw error;
    }
    // Small blobs drive trust decisions (manifest → config → layers), so re-check them like moby does.
    if (sha256Digest(data) !== digest) throw new AppError('internal', `content ${digest} is corrupted on disk: failed to verify`);
    return data;
  }

  async createReadStream(digest: Digest): Promise<Readable> {
    if (!(await this.has(digest))) throw notFound(`content ${digest} not found`);
    return createReadStream(this.blobPath(digest), { highWaterMark: readChunkSize });
  }

  async delete(digest: Digest): Promise<void> {
    this.verified.delete(digest);
    await rm(this.blobPath(digest), { force: true });
  }

  private async rememberVerified(digest: Digest): Promise<void> {
    const stats = await stat(this.blobPath(digest), { bigint: true });
    this.verified.set(digest, `${stats.ino}:${stats.size}:${stats.ctimeNs}`);
  }

  async verify(digest: Digest): Promise<'ok' | 'corrupt' | 'missing'> {
    const path = this.blobPath(digest);
    let stamp: string;
    try {
      const stats = await stat(path, { bigint: true });
      // ctime moves on every write, even one that restores mtime afterwards.
      stamp = `${stats.ino}:${stats.size}:${stats.ctimeNs}`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
      throw error;
    }
    if (this.verified.get(digest) === stamp) return 'ok';
    const hash = createHash('sha256');
    try {
      for await (const chunk of createReadStream(path, { highWaterMark: readChunkSize })) hash.update(chunk as Buffer);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
      throw error;
    }
    if (`sha256:${hash.digest('hex')}` !== digest) {
      this.verified.delete(digest);
      this.logger.warn({ digest }, 'stored blob failed verification');
      return 'corrupt';
    }
    this.verified.set(digest, stamp);
    return 'ok';
  }

  async list(): Promise<BlobInfo[]> {
    const out: BlobInfo[] = [];
    for (const name of await readdir(this.blobsDir)) {
      const digest = `sha256:${name}`;
      if (!isDigest(digest)) continue;
      const info = await this.info(digest);
      if (info) out.push(info);
    }
    return out;
  }

  async writeBlob(data: Buffer, expected?: Digest): Promise<BlobInfo> {
    const digest = expected ?? sha256Digest(data);
    const writer = await this.writer(`inline-${digest}-${process.hrtime.bigint()}`, { digest, size: data.length });
    try {
      await writer.write(data);
      return await writer.commit();
    } catch (error) {
      await writer.abort();
      throw error;
    }
  }

  async writer(ref: string, expected?: ExpectedBlob): Promise<ContentWriter> {
    const key = createHash('sha256').update(ref).digest('hex');
    if (this.locked.has(key)) throw unavailable(`ref ${ref} locked: another writer is active`);
    this.locked.add(key);
    try {
      const dir = join(this.ingestDir, key);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'ref'), ref);
      const dataPath = join(dir, 'data');
      // Resume: re-hash the bytes a previous attempt left so the digest covers the whole blob.
      const hash = createHash('sha256');
      let offset = 0;
      try {
        for await (const chunk of createReadStream(dataPath, { highWaterMark: readChunkSize })) {
          hash.update(chunk as Buffer);
          offset += (chunk as Buffer).length;
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      if (expected?.size !== undefined && offset > expected.size) {
        await rm(dataPath, { force: true });
        return await this.openWriter(ref, key, dir, expected, createHash('sha256'), 0);
      }
      return await this.openWriter(ref, key, dir, expected, hash, offset);
    } catch (error) {
      this.locked.delete(key);
      throw error;
    }
  }

  private async openWriter(
    ref: string,
    key: string,
    dir: string,
    expected: ExpectedBlob | undefined,
    hash: Hash,
    offset: number,
  ): Promise<ContentWriter> {
    const handle = await open(join(dir, 'data'), 'a');
    return new IngestWriter(ref, dir, handle, hash, offset, expected, {
      commitTo: (digest) => this.blobPath(digest),
      blobsDir: this.blobsDir,
      release: () => this.locked.delete(key),
      verified: (digest) => this.rememberVerified(digest),
    });
  }
}

interface WriterHooks {
  commitTo(digest: Digest): string;
  /** The blob at the digest's path was just hashed while written. */
  verified(digest: Digest): Promise<void>;
  blobsDir: string;
  release(): void;
}

class IngestWriter implements ContentWriter {
  private done = false;
  private lastTouch = 0;

  constructor(
    readonly ref: string,
    private readonly dir: string,
    private handle: FileHandle,
    private hash: Hash,
    private written: number,
    private readonly expected: ExpectedBlob | undefined,
    private readonly hooks: WriterHooks,
  ) {}

  get offset(): number {
    return this.written;
  }

  async write(chunk: Buffer): Promise<void> {
    this.assertOpen();
    await writeFully(this.handle, chunk);
    this.hash.update(chunk);
    this.written += chunk.length;
    if (this.expected?.size !== undefined && this.written > this.expected.size) {
      throw invalidArgument(`blob ${this.expected.digest}: received more than the expected ${this.expected.size} bytes`);
    }
    const now = Date.now();
    if (now - this.lastTouch > 5000) {
      this.lastTouch = now;
      await writeFile(join(this.dir, 'updatedat'), String(now));
    }
  }

  async truncate(): Promise<void> {
    this.assertOpen();
    await this.handle.truncate(0);
    await this.handle.close();
    this.handle = await open(join(this.dir, 'data'), 'a');
    this.hash = createHash('sha256');
    this.written = 0;
  }

  async commit(): Promise<BlobInfo> {
    this.assertOpen();
    await this.handle.sync();
    await this.handle.close();
    const digest = `sha256:${this.hash.digest('hex')}` as Digest;
    const size = this.written;
    try {
      if (this.expected?.size !== undefined && size !== this.expected.size) {
        throw invalidArgument(`blob ${this.expected.digest}: size mismatch (expected ${this.expected.size} bytes, got ${size})`);
      }
      if (this.expected !== undefined && digest !== this.expected.digest) {
        throw invalidArgument(`blob ${this.expected.digest}: digest mismatch (got ${digest}): failed to verify`);
      }
      const target = this.hooks.commitTo(digest);
      try {
        await stat(target);
        // Already committed by someone else: identical content by definition.
      } catch {
        await chmod(join(this.dir, 'data'), 0o444);
        await rename(join(this.dir, 'data'), target);
        await fsyncDirectory(this.hooks.blobsDir);
        await this.hooks.verified(digest);
      }
      return { digest, size };
    } finally {
      this.finish();
      await rm(this.dir, { recursive: true, force: true });
    }
  }

  async close(): Promise<void> {
    if (this.done) return;
    this.finish();
    await this.handle.close();
  }

  async abort(): Promise<void> {
    if (this.done) return;
    this.finish();
    await this.handle.close().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }

  private finish(): void {
    this.done = true;
    this.hooks.release();
  }

  private assertOpen(): void {
    if (this.done) throw new AppError('internal', `ingest ${this.ref} is already closed`);
  }
}

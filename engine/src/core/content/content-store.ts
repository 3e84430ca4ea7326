import type { Readable } from 'node:stream';
import type { Digest } from '../../lib/digest.js';

export interface BlobInfo {
  digest: Digest;
  size: number;
}

/** What a writer must end up holding; checked at commit. */
export interface ExpectedBlob {
  digest: Digest;
  /** Verified at commit when given. */
  size?: number;
}

/**
 * An in-progress ingest. Writers are exclusive per `ref` (a second writer for the same ref is
 * refused with `unavailable`). Bytes are hashed as they are written, so commit needs no re-read.
 */
export interface ContentWriter {
  readonly ref: string;
  /** Bytes already in the ingest: non-zero when a previous attempt left partial data to resume (HTTP Range). */
  readonly offset: number;
  write(chunk: Buffer): Promise<void>;
  /** Drops the partial data (e.g. the server ignored a Range request) and starts again at offset 0. */
  truncate(): Promise<void>;
  /**
   * fsyncs, checks size and digest, then renames the data into the blob store atomically. A digest
   * or size mismatch throws invalid-argument naming the expected digest and removes the ingest.
   */
  commit(): Promise<BlobInfo>;
  /** Releases the writer and keeps the partial data so a later writer for the same ref can resume. */
  close(): Promise<void>;
  /** Releases the writer and deletes the partial data. */
  abort(): Promise<void>;
}

/**
 * Content-addressed, verified blob storage (manifests, configs, compressed layers), containerd style.
 * A blob is visible only once complete and verified.
 */
export interface ContentStore {
  has(digest: Digest): Promise<boolean>;
  info(digest: Digest): Promise<BlobInfo | undefined>;
  /** Whole blob in memory, re-verified against its digest; meant for manifests and configs. Throws not-found. */
  readBlob(digest: Digest): Promise<Buffer>;
  /** Streams a blob; throws not-found when absent. */
  createReadStream(digest: Digest): Promise<Readable>;
  /** Removes a blob; a no-op when absent. */
  delete(digest: Digest): Promise<void>;
  list(): Promise<BlobInfo[]>;
  /**
   * Opens (or resumes) the ingest `ref` for a blob expected to hash to `expected.digest`. Without
   * `expected` (content the engine produces itself: commit, load, import) any digest is accepted.
   */
  writer(ref: string, expected?: ExpectedBlob): Promise<ContentWriter>;
  /**
   * Re-hashes a stored blob: `missing`, `corrupt` (its bytes no longer hash to its digest) or `ok`.
   * Cheap when repeated: a blob whose inode, size and ctime are unchanged since it last verified is
   * not re-read.
   */
  verify(digest: Digest): Promise<'ok' | 'corrupt' | 'missing'>;
  /** Deletes ingests no writer holds that were not written to for `maxAgeMs`; returns their refs. */
  removeStaleIngests(maxAgeMs: number): Promise<string[]>;
  /** Stores a small in-memory blob, verifying it when `expected` is given. */
  writeBlob(data: Buffer, expected?: Digest): Promise<BlobInfo>;
}

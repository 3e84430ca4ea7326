import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError, type ImageReference } from '@berth/common';
import type { ContentStore, ContentWriter } from '../../core/content/content-store.js';
import type { RegistryCredentials } from '../../core/images/image-service.js';
import type { Descriptor, RegistryClient } from '../../core/registry/registry-client.js';
import type { Digest } from '../../lib/digest.js';
import type { Logger } from '../../lib/logger.js';
import { contentSink } from './content-sink.js';

export interface RetryPolicy {
  /** Attempts per blob (moby: 5). */
  attempts: number;
  /** Wait before attempt n+1 is `delayMs * n` (moby: 5 s × attempt). */
  delayMs: number;
}

export interface DownloadRequest {
  reference: ImageReference;
  descriptor: Descriptor;
  credentials?: RegistryCredentials;
  signal?: AbortSignal;
  /** Bytes of the blob held so far (including resumed bytes) and its total size. */
  onProgress?: (current: number, total: number) => void;
}

/** Errors that another attempt cannot fix: moby's DoNotRetry list plus a full disk. */
function isRetryable(error: unknown): boolean {
  if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return false;
  if (error instanceof AppError) {
    const retryable = (error as { retryable?: unknown }).retryable;
    if (typeof retryable === 'boolean') return retryable;
    return error.kind === 'unavailable' || error.kind === 'internal';
  }
  return true;
}

/** Bytes of network chunks gathered into one ingest write while the previous write runs (a socket delivers 16-64 KiB at a time). */
const ingestBufferSize = 4 << 20;

/**
 * Downloads blobs into the content store with dockerd's policy: resume from the partial ingest with
 * `Range`, limited retries with linear backoff, and one download per digest however many pulls ask
 * (later callers join the running download and receive its progress).
 */
export class BlobDownloader {
  private readonly running = new Map<Digest, { done: Promise<void>; listeners: Set<(current: number, total: number) => void> }>();

  constructor(
    private readonly content: ContentStore,
    private readonly registry: RegistryClient,
    private readonly logger: Logger,
    private readonly retry: RetryPolicy = { attempts: 5, delayMs: 5000 },
  ) {}

  async download(request: DownloadRequest): Promise<void> {
    const digest = request.descriptor.digest;
    if (await this.content.has(digest)) return;
    let shared = this.running.get(digest);
    if (!shared) {
      const listeners = new Set<(current: number, total: number) => void>();
      const done = this.run(request, (current, total) => listeners.forEach((listener) => listener(current, total))).finally(() =>
        this.running.delete(digest),
      );
      shared = { done, listeners };
      this.running.set(digest, shared);
    }
    const listener = request.onProgress;
    if (listener) shared.listeners.add(listener);
    try {
      await shared.done;
    } finally {
      if (listener) shared.listeners.delete(listener);
    }
  }

  private async run(request: DownloadRequest, progress: (current: number, total: number) => void): Promise<void> {
    const { descriptor, signal } = request;
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      let writer: ContentWriter | undefined;
      let resumedFrom = 0;
      try {
        writer = await this.content.writer(`pull-${descriptor.digest}`, { digest: descriptor.digest, size: descriptor.size });
        resumedFrom = writer.offset;
        if (resumedFrom > 0) this.logger.info({ digest: descriptor.digest, offset: resumedFrom }, 'resuming blob download');
        const options = {
          offset: writer.offset,
          ...(request.credentials ? { credentials: request.credentials } : {}),
          ...(signal ? { signal } : {}),
        };
        const response = await this.registry.fetchBlob(request.reference, descriptor, options);
        if (response.offset !== writer.offset) await writer.truncate();
        progress(writer.offset, descriptor.size);
        const ingest = writer;
        const sink = contentSink(ingest, {
          highWaterMark: ingestBufferSize,
          onWritten: () => progress(ingest.offset, descriptor.size),
        });
        await pipeline(response.body, sink).catch((error: unknown) => {
          throw sink.writeError ?? error;
        });
        const active = writer;
        writer = undefined;
        try {
          await active.commit();
        } catch (error) {
          // A mismatch after a resume may come from stale partial data: start over once from zero.
          if (resumedFrom > 0 && attempt < this.retry.attempts) continue;
          throw new AppError('invalid-argument', `filesystem layer verification failed for digest ${descriptor.digest}`, {
            cause: error,
          });
        }
        return;
      } catch (error) {
        await writer?.close().catch(() => undefined);
        if (signal?.aborted) throw new AppError('canceled', 'pull canceled', { cause: error });
        if (!isRetryable(error) || attempt >= this.retry.attempts) throw error;
        this.logger.warn({ digest: descriptor.digest, attempt, err: error }, 'blob download failed, retrying');
        await sleep(this.retry.delayMs * attempt, undefined, signal ? { signal } : {});
      }
    }
  }
}

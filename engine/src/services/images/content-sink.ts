import { Writable } from 'node:stream';
import type { ContentWriter } from '../../core/content/content-store.js';

/** A Writable into a content-store ingest that remembers why its first failed write failed. */
export interface ContentSink extends Writable {
  /**
   * The storage error (a full disk) when a write failed. A pipeline reports whichever stream failed
   * first, often "Premature close" from the source it tore down; callers rethrow this one instead.
   */
  readonly writeError: Error | undefined;
}

/**
 * A Writable into a content-store ingest. Chunks that queue up while a write runs go out together
 * as one write (a thread-pool round trip each, so fewer is faster).
 */
export function contentSink(
  writer: ContentWriter,
  options: { highWaterMark?: number; onWritten?: () => void } = {},
): ContentSink {
  let writeError: Error | undefined;
  const sink = new Writable({
    ...(options.highWaterMark !== undefined ? { highWaterMark: options.highWaterMark } : {}),
    writev(chunks, callback) {
      const first = chunks[0]?.chunk as Buffer;
      const data = chunks.length === 1 ? first : Buffer.concat(chunks.map(({ chunk }) => chunk as Buffer));
      writer.write(data).then(
        () => {
          options.onWritten?.();
          callback();
        },
        (error: unknown) => {
          writeError ??= error instanceof Error ? error : new Error(String(error));
          callback(writeError);
        },
      );
    },
  });
  // A write that fails after the pipeline stopped listening (another stream failed first) would
  // emit 'error' with no listener, which throws. The pipeline still sees errors through its own.
  sink.on('error', () => undefined);
  return Object.defineProperty(sink, 'writeError', { get: () => writeError }) as ContentSink;
}

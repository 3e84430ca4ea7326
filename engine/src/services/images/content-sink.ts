import { Writable } from 'node:stream';
import type { ContentWriter } from '../../core/content/content-store.js';

/**
 * A Writable into a content-store ingest. Chunks that queue up while a write runs go out together
 * as one write (a thread-pool round trip each, so fewer is faster).
 */
export function contentSink(writer: ContentWriter, options: { highWaterMark?: number; onWritten?: () => void } = {}): Writable {
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
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    },
  });
  // A write that fails after the pipeline stopped listening (another stream failed first) would
  // emit 'error' with no listener, which throws. The pipeline still sees errors through its own.
  sink.on('error', () => undefined);
  return sink;
}

import { createReadStream, promises as fs, watch, type FSWatcher } from 'node:fs';
import type { LogEntry, LogReadOptions } from '../../core/logs/log-entry.js';
import { parseK8sFileRecord } from './k8s-file-format.js';

/**
 * Reads a container log written by conmon, optionally following it as it grows. Entries are
 * handed to `emit` in order; `emit` may return a promise to apply back-pressure.
 */
export async function readK8sFileLog(
  path: string,
  options: LogReadOptions,
  emit: (entry: LogEntry) => void | Promise<void>,
): Promise<void> {
  let position = 0;
  let carry = Buffer.alloc(0);
  // With `tail`, the existing log is read into a bounded buffer first; new entries go straight out.
  let tailBuffer: LogEntry[] | undefined = options.tail !== undefined && options.tail >= 0 ? [] : undefined;

  const accept = async (entry: LogEntry): Promise<void> => {
    if (options.sinceNano !== undefined && entry.timeNano < options.sinceNano) return;
    if (options.untilNano !== undefined && entry.timeNano >= options.untilNano) return;
    if (tailBuffer !== undefined) {
      tailBuffer.push(entry);
      if (tailBuffer.length > (options.tail ?? 0)) tailBuffer.shift();
      return;
    }
    await emit(entry);
  };

  const drain = async (): Promise<void> => {
    let size: number;
    try {
      size = (await fs.stat(path)).size;
    } catch {
      return; // No log yet: the container has not written anything.
    }
    if (size < position) {
      // Truncated (rotation by conmon): start again from the top.
      position = 0;
      carry = Buffer.alloc(0);
    }
    if (size === position) return;
    const stream = createReadStream(path, { start: position, end: size - 1, highWaterMark: 256 * 1024 });
    for await (const chunk of stream) {
      if (options.signal.aborted) {
        stream.destroy();
        return;
      }
      const buffer = carry.length > 0 ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
      let start = 0;
      for (let newline = buffer.indexOf(0x0a, start); newline !== -1; newline = buffer.indexOf(0x0a, start)) {
        const entry = parseK8sFileRecord(buffer.subarray(start, newline));
        start = newline + 1;
        if (entry !== undefined) await accept(entry);
      }
      carry = Buffer.from(buffer.subarray(start));
    }
    position = size;
  };

  await drain();
  if (tailBuffer !== undefined) {
    const buffered = tailBuffer;
    tailBuffer = undefined;
    for (const entry of buffered) await emit(entry);
  }
  if (!options.follow) return;

  let watcher: FSWatcher | undefined;
  let wake: (() => void) | undefined;
  const onAbort = (): void => wake?.();
  options.signal.addEventListener('abort', onAbort);
  try {
    try {
      watcher = watch(path, () => wake?.());
    } catch {
      watcher = undefined;
    }
    while (!options.signal.aborted) {
      // Read the finished flag before draining so output written just before exit is not missed.
      const finished = options.isFinished();
      await drain();
      if (finished) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 250);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  } finally {
    options.signal.removeEventListener('abort', onAbort);
    watcher?.close();
  }
}
